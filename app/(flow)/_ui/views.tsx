import { Button } from "@/components/Button";

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
        <p className="text-center text-sm text-muted" data-testid="why-asked">
          {why}
        </p>
      ) : null}
      <IntentForm action={notMe.action} intent="not-me" label={notMe.label} />
      <IntentForm action={cancel.action} intent="cancel" label={cancel.label} />
    </div>
  );
}

/** "Don't ask again on this device for N days", inside the code form, where the policy offers it. */
export function RememberDeviceView({ label }: { label: string }) {
  return (
    <label className="flex items-center gap-3 text-sm text-fg">
      <input type="checkbox" name="remember" id="remember" className="size-5 accent-primary" />
      {label}
    </label>
  );
}

/** On the email check before a first setup: why this code comes first. */
export function GateNoticeView({ text }: { text: string }) {
  return (
    <p className="rounded-brand border border-line bg-page px-4 py-3 text-sm text-fg" data-testid="gate-notice">
      {text}
    </p>
  );
}

const LINK = "text-center text-sm font-medium text-primary underline underline-offset-4 hover:text-primary-hover";

/** "Try another method", and the recovery code one step away from every challenge. */
export function TryAnotherView({ label, recovery }: { label: string; recovery: { label: string; action: FormAction } | null }) {
  return (
    <div className="flex flex-col items-center gap-2">
      <a href="/choose" className={LINK}>
        {label}
      </a>
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
    </div>
  );
}
