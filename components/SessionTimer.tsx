"use client";

import { useActionState, useEffect, useRef } from "react";
import { attachSessionWarning } from "@/client/session-warning";
import { Button } from "./Button";

/**
 * Announces the sign-in's time limit before it runs out and offers to extend it (WCAG 2.2.1),
 * so nobody loses the flow while fetching a phone or reading an email. Rendered hidden; the
 * warning is client/session-warning.ts, the same code HTML-only screens run: it shows the box in
 * the last two minutes from `data-session-left` (the time left as a duration from the server's
 * clock) and the text's `data-template`. "Extend" posts the form; after it the warning counts to
 * the new limit.
 */
export function SessionTimer({
  expiresAt,
  leftMs,
  action,
  labels,
}: {
  expiresAt: number;
  leftMs: number;
  action: (prev: { expiresAt?: number }) => Promise<{ expiresAt?: number }>;
  labels: { warning: string; extend: string };
}) {
  const [state, formAction, pending] = useActionState(action, { expiresAt });
  const until = state.expiresAt ?? expiresAt;
  const box = useRef<HTMLFormElement>(null);
  // When the count to `until` started (performance.now()) and how long it had left then.
  const timing = useRef<{ until: number; startMs: number; leftMs: number } | null>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    if (timing.current?.until !== until) {
      // First the server's duration; after "Extend", the new limit as this device sees it.
      timing.current = { until, startMs: performance.now(), leftMs: timing.current ? until - Date.now() : leftMs };
    }
    return attachSessionWarning(el, timing.current.startMs, timing.current.leftMs);
  }, [until, leftMs]);
  return (
    <form ref={box} action={formAction} hidden data-session-left={leftMs} className="flex flex-col gap-2 rounded-brand border border-line bg-page p-3 text-sm text-fg">
      <p aria-live="polite" data-template={labels.warning} />
      <Button type="submit" variant="secondary" disabled={pending}>
        {labels.extend}
      </Button>
    </form>
  );
}
