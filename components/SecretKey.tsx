"use client";

import { useState } from "react";

/** The setup key as grouped text, selectable, with a copy button when the Clipboard API exists. */
export function SecretKey({ grouped, raw, label, copyLabel, copiedLabel }: { grouped: string; raw: string; label: string; copyLabel: string; copiedLabel: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="flex items-center gap-2">
      <code dir="ltr" aria-label={label} data-testid="totp-secret" className="flex-1 select-all break-all rounded-brand border border-line bg-page px-3 py-2 font-mono text-sm tracking-wide text-fg">
        {grouped}
      </code>
      <button
        type="button"
        onClick={async () => {
          await navigator.clipboard.writeText(raw);
          setCopied(true);
        }}
        className="min-h-11 shrink-0 rounded-brand border border-line px-3 text-sm font-medium text-fg hover:bg-page focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-focus"
      >
        <span aria-live="polite">{copied ? copiedLabel : copyLabel}</span>
      </button>
    </div>
  );
}
