"use client";

import { useActionState, useEffect, useRef } from "react";
import { attachCountdown } from "@/client/countdown";
import type { SendState } from "@/lib/flow/results";
import { Alert } from "./Alert";
import { Button } from "./Button";

/**
 * "Send a new code" with a visible countdown while the cool-down runs. Without JavaScript it is
 * a plain button and the server enforces the cool-down. The countdown is client/countdown.ts, the
 * same code HTML-only screens run: it reads the button's data attributes (`resendIn`, the time
 * left as a duration from the server's clock, so a wrong phone clock does not matter, and both
 * labels) and owns the button's text and disabled state; React only holds it disabled, with the
 * form `aria-busy`, while a send runs.
 */
export function ResendForm({
  action,
  resendAt,
  resendIn,
  label,
  waitLabel,
}: {
  action: (prev: SendState, form: FormData) => Promise<SendState>;
  resendAt: number;
  resendIn: number;
  label: string;
  waitLabel: string;
}) {
  const [state, formAction, pending] = useActionState(action, { resendAt });
  const until = state.resendAt ?? resendAt;
  const form = useRef<HTMLFormElement>(null);
  // When the countdown to `until` started (performance.now()) and how long it had left then.
  const timing = useRef<{ until: number; startMs: number; leftMs: number } | null>(null);
  useEffect(() => {
    const el = form.current?.querySelector<HTMLButtonElement>("button[data-left]");
    if (!el) return;
    if (timing.current?.until !== until) {
      // First the server's duration; after a send, the new time as this device sees it.
      timing.current = { until, startMs: performance.now(), leftMs: timing.current ? Math.max(0, until - Date.now()) : resendIn };
    }
    return attachCountdown(el, timing.current.startMs, timing.current.leftMs);
  }, [until, resendIn, pending]);
  return (
    <form ref={form} action={formAction} aria-busy={pending || undefined} className="flex flex-col gap-3">
      {state.error ? <Alert>{state.error}</Alert> : null}
      <Button type="submit" variant="secondary" disabled={pending} data-testid="resend" data-left={resendIn} data-wait-label={waitLabel} data-label={label}>
        {label}
      </Button>
    </form>
  );
}
