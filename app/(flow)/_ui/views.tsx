import { Button } from "@/components/Button";
import { Checkbox, INLINE_LINK, Surface, Text } from "@/components/Text";

/**
 * The flow's shared pieces as plain markup, for both kinds of screen: React screens wrap them
 * with translations and server actions (FlowExtras.tsx, TryAnother.tsx, CancelForm.tsx);
 * HTML-only screens (pages/) pass their own URL and an `intent` (lib/pages/screen.ts).
 */
type FormAction = string | ((form: FormData) => void | Promise<void>);

/** A form that is one button, posting `intent` (which HTML-only screens read; server actions ignore it). */
export function IntentForm({ action, intent, label, children }: { action: FormAction; intent: string; label: string; children?: React.ReactNode }) {
  return (
    <form action={action} method="post">
      <input type="hidden" name="intent" value={intent} />
      {children}
      <Button type="submit" variant="link">
        {label}
      </Button>
    </form>
  );
}

/** The foot of every challenge screen: why the user is asked, "This wasn't me", and cancel. */
export function ChallengeFooterView({ why, notMe, cancel }: { why: string | null; notMe: { label: string; action: FormAction }; cancel: { label: string; action: FormAction } }) {
  return (
    <div className="flex flex-col items-center gap-1">
      {why ? (
        <Text tone="muted" className="text-center text-sm" data-testid="why-asked">
          {why}
        </Text>
      ) : null}
      <IntentForm action={notMe.action} intent="not-me" label={notMe.label} />
      <IntentForm action={cancel.action} intent="cancel" label={cancel.label} />
    </div>
  );
}

/** "Don't ask again on this device for N days", inside the code form, where the policy offers it. */
export function RememberDeviceView({ label }: { label: string }) {
  return (
    <Text as="label" className="flex items-center gap-3 text-sm">
      <Checkbox name="remember" id="remember" />
      {label}
    </Text>
  );
}

/** On the email check before a first setup: why this code comes first. */
export function GateNoticeView({ text }: { text: string }) {
  return (
    <Surface as="p" className="px-4 py-3 text-sm" data-testid="gate-notice">
      {text}
    </Surface>
  );
}

/** On a challenge: a self-service recovery request is open for this account, and a sign-in cancels it. */
export function RecoveryNoticeView({ text }: { text: string }) {
  return (
    <Surface as="p" role="status" className="px-4 py-3 text-sm" data-testid="recovery-notice">
      {text}
    </Surface>
  );
}

const LINK = `text-center ${INLINE_LINK}`;

/** "Try another method", and the recovery code one step away from every challenge. */
export function TryAnotherView({ label, recovery, lost = null }: { label: string | null; recovery: { label: string; action: FormAction } | null; lost?: string | null }) {
  return (
    <div className="flex flex-col items-center gap-2">
      {label ? (
        <a href="/choose" className={LINK}>
          {label}
        </a>
      ) : null}
      {recovery ? (
        // Always one step away from every challenge: the way in when the device is lost.
        <form action={recovery.action} method="post">
          <input type="hidden" name="factor" value="recovery-code" />
          <input type="hidden" name="mode" value="challenge" />
          <button type="submit" className={LINK}>
            {recovery.label}
          </button>
        </form>
      ) : null}
      {lost ? (
        // Self-service recovery with a waiting period (docs/recovery.md): always one step away too.
        <a href="/recovery" className={LINK}>
          {lost}
        </a>
      ) : null}
    </div>
  );
}
