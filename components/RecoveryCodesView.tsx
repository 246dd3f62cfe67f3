"use client";

import { useActionState, useState } from "react";
import { Alert } from "./Alert";
import { Button } from "./Button";

interface Labels {
  copy: string;
  copied: string;
  download: string;
  print: string;
  saved: string;
  continue: string;
  fileHeading: string;
}

/**
 * Freshly issued recovery codes: shown once, with copy, download (.txt) and print, and a
 * "saved" confirmation the server checks before moving on.
 */
export function RecoveryCodesView({ codes, action, labels }: { codes: string[]; action: (prev: { error?: string }, form: FormData) => Promise<{ error?: string }>; labels: Labels }) {
  const [state, formAction, pending] = useActionState(action, {});
  const [copied, setCopied] = useState(false);
  const text = `${labels.fileHeading}\n\n${codes.join("\n")}\n`;
  return (
    <div className="flex flex-col gap-4">
      <ol dir="ltr" data-testid="recovery-codes" className="grid grid-cols-1 gap-2 rounded-brand border border-line bg-page p-4 font-mono text-base tracking-wide text-fg sm:grid-cols-2">
        {codes.map((c) => (
          <li key={c} className="list-none">
            {c}
          </li>
        ))}
      </ol>
      <div className="flex flex-wrap gap-2 print:hidden">
        <Button
          type="button"
          variant="secondary"
          className="flex-1"
          onClick={async () => {
            await navigator.clipboard.writeText(text);
            setCopied(true);
          }}
        >
          <span aria-live="polite">{copied ? labels.copied : labels.copy}</span>
        </Button>
        <a
          href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`}
          download="recovery-codes.txt"
          className="inline-flex min-h-11 flex-1 items-center justify-center rounded-brand border border-line bg-card px-4 py-3 font-medium text-fg hover:bg-page"
        >
          {labels.download}
        </a>
        <Button type="button" variant="secondary" className="flex-1" onClick={() => window.print()}>
          {labels.print}
        </Button>
      </div>
      <form action={formAction} className="flex flex-col gap-4 print:hidden">
        <label className="flex items-start gap-3 text-fg">
          <input type="checkbox" name="saved" required className="mt-1 size-5 accent-[var(--ks-primary)]" aria-describedby={state.error ? "saved-error" : undefined} />
          <span>{labels.saved}</span>
        </label>
        {state.error ? <Alert id="saved-error">{state.error}</Alert> : null}
        <Button type="submit" disabled={pending}>
          {labels.continue}
        </Button>
      </form>
    </div>
  );
}
