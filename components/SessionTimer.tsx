"use client";

import { useActionState } from "react";
import { useNow } from "./useNow";
import { Button } from "./Button";

const WARN_MS = 2 * 60_000;

/**
 * Announces the sign-in's time limit before it runs out and offers to extend it (WCAG 2.2.1),
 * so nobody loses the flow while fetching a phone or reading an email. Rendered hidden until the
 * last two minutes; on HTML-only screens (scripts/html-only) the same markup is driven by
 * `data-session-left` (the time left as a duration from the server's clock) and the text's
 * `data-template`, and "Extend" posts the page.
 */
export function SessionTimer({ expiresAt, leftMs, action, labels }: { expiresAt: number; leftMs: number; action: (prev: { expiresAt?: number }) => Promise<{ expiresAt?: number }>; labels: { warning: string; extend: string } }) {
  const [state, formAction, pending] = useActionState(action, { expiresAt });
  const until = state.expiresAt ?? expiresAt;
  const now = useNow();
  const left = now === null ? Infinity : until - now;
  const show = left <= WARN_MS && left > 0;
  const m = show ? Math.floor(left / 60_000) : 0;
  const s = show ? Math.floor((left % 60_000) / 1000) : 0;
  return (
    <form action={formAction} hidden={!show} data-session-left={leftMs} className="flex flex-col gap-2 rounded-brand border border-line bg-page p-3 text-sm text-fg">
      <p aria-live="polite" data-template={labels.warning}>
        {show ? labels.warning.replace("{time}", `${m}:${String(s).padStart(2, "0")}`) : ""}
      </p>
      <Button type="submit" variant="secondary" disabled={pending}>
        {labels.extend}
      </Button>
    </form>
  );
}
