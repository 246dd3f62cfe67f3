"use client";

import { useActionState } from "react";
import { useNow } from "./useNow";
import { Button } from "./Button";

const WARN_MS = 2 * 60_000;

/**
 * Announces the sign-in's time limit before it runs out and offers to extend it (WCAG 2.2.1),
 * so nobody loses the flow while fetching a phone or reading an email.
 */
export function SessionTimer({ expiresAt, action, labels }: { expiresAt: number; action: (prev: { expiresAt?: number }) => Promise<{ expiresAt?: number }>; labels: { warning: string; extend: string } }) {
  const [state, formAction, pending] = useActionState(action, { expiresAt });
  const until = state.expiresAt ?? expiresAt;
  const now = useNow();
  const left = now === null ? Infinity : until - now;
  if (left > WARN_MS || left <= 0) return null;
  const m = Math.floor(left / 60_000);
  const s = Math.floor((left % 60_000) / 1000);
  return (
    <form action={formAction} className="flex flex-col gap-2 rounded-brand border border-line bg-page p-3 text-sm text-fg">
      <p aria-live="polite">{labels.warning.replace("{time}", `${m}:${String(s).padStart(2, "0")}`)}</p>
      <Button type="submit" variant="secondary" disabled={pending}>
        {labels.extend}
      </Button>
    </form>
  );
}
