"use client";

import { useActionState } from "react";
import { useNow } from "./useNow";
import { Alert } from "./Alert";
import { Button } from "./Button";

export interface SendState {
  error?: string;
  resendAt?: number;
}

/**
 * "Send a new code" with a visible countdown while the cool-down runs. Without JavaScript it is
 * a plain button and the server enforces the cool-down.
 */
export function ResendForm({ action, resendAt, label, waitLabel }: { action: (prev: SendState, form: FormData) => Promise<SendState>; resendAt: number; label: string; waitLabel: string }) {
  const [state, formAction, pending] = useActionState(action, { resendAt });
  const until = state.resendAt ?? resendAt;
  const now = useNow();
  const seconds = now === null ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
  return (
    <form action={formAction} className="flex flex-col gap-3">
      {state.error ? <Alert>{state.error}</Alert> : null}
      <Button type="submit" variant="secondary" disabled={pending || seconds > 0} data-testid="resend">
        {seconds > 0 ? waitLabel.replace("{seconds}", String(seconds)) : label}
      </Button>
    </form>
  );
}
