"use client";

import { useActionState, useEffect, useRef, useState } from "react";
import { Alert } from "./Alert";
import { Button } from "./Button";

/**
 * The waiting tab: polls every 2 s and finishes on its own once the link is confirmed on any
 * device. The "I've confirmed" button is the manual (and no-JavaScript) fallback.
 */
export function LinkWaiter({
  action,
  labels,
}: {
  action: (prev: { error?: string }, form: FormData) => Promise<{ error?: string }>;
  labels: { waiting: string; confirmed: string; refused: string; expired: string };
}) {
  const [state, formAction, pending] = useActionState(action, {});
  const form = useRef<HTMLFormElement>(null);
  const [status, setStatus] = useState("waiting");
  useEffect(() => {
    const id = setInterval(async () => {
      const r = await fetch("/magic-link/status", { cache: "no-store" }).catch(() => null);
      const s = r?.ok ? ((await r.json()) as { status: string }).status : "waiting";
      setStatus(s);
      if (s === "approved") {
        clearInterval(id);
        form.current?.requestSubmit();
      }
    }, 2000);
    return () => clearInterval(id);
  }, []);
  const note = status === "refused" ? labels.refused : status === "expired" ? labels.expired : null;
  return (
    <form ref={form} action={formAction} className="flex flex-col gap-4">
      {note ? (
        <Alert>{note}</Alert>
      ) : (
        <p role="status" className="flex items-center gap-3 text-muted">
          <span aria-hidden="true" className="inline-block size-4 animate-spin rounded-full border-2 border-line border-t-primary motion-reduce:animate-none" />
          {labels.waiting}
        </p>
      )}
      {state.error ? <Alert>{state.error}</Alert> : null}
      <Button type="submit" variant="secondary" disabled={pending}>
        {labels.confirmed}
      </Button>
    </form>
  );
}
