"use client";

import { useActionState } from "react";
import { useNow } from "./useNow";
import type { SendState } from "@/lib/flow/results";
import { Alert } from "./Alert";
import { Button } from "./Button";


/**
 * "Send a new code" with a visible countdown while the cool-down runs. Without JavaScript it is
 * a plain button and the server enforces the cool-down. On HTML-only screens
 * (scripts/html-only) the countdown runs from the data attributes: the time left as a duration
 * (`resendIn`, from the server's clock, so a wrong phone clock does not matter) and both labels.
 */
export function ResendForm({ action, resendAt, resendIn, label, waitLabel }: { action: (prev: SendState, form: FormData) => Promise<SendState>; resendAt: number; resendIn: number; label: string; waitLabel: string }) {
  const [state, formAction, pending] = useActionState(action, { resendAt });
  const until = state.resendAt ?? resendAt;
  const now = useNow();
  const seconds = now === null ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
  return (
    <form action={formAction} className="flex flex-col gap-3">
      {state.error ? <Alert>{state.error}</Alert> : null}
      <Button type="submit" variant="secondary" disabled={pending || seconds > 0} data-testid="resend" data-left={resendIn} data-wait-label={waitLabel} data-label={label}>
        {seconds > 0 ? waitLabel.replace("{seconds}", String(seconds)) : label}
      </Button>
    </form>
  );
}
