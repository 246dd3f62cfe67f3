import { Alert } from "./Alert";
import { Button } from "./Button";

/**
 * "Send a new code" with its cool-down, as markup: the button carries the time left as a duration
 * (`data-left`, from the server's clock) and both labels, which client/countdown.ts counts down.
 * Without JavaScript it is a plain button and the server enforces the cool-down.
 */
export function ResendFields({ error, leftMs, label, waitLabel, busy = false }: { error?: string | null; leftMs: number; label: string; waitLabel: string; busy?: boolean }) {
  const seconds = Math.max(0, Math.ceil(leftMs / 1000));
  return (
    <>
      {error ? <Alert>{error}</Alert> : null}
      <Button type="submit" variant="secondary" disabled={busy || seconds > 0} data-testid="resend" data-left={leftMs} data-wait-label={waitLabel} data-label={label}>
        {seconds > 0 ? waitLabel.replace("{seconds}", String(seconds)) : label}
      </Button>
    </>
  );
}
