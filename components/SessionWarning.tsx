import { Button } from "./Button";

/**
 * The sign-in's time-limit warning (WCAG 2.2.1), as markup: hidden until the last two minutes,
 * then "m:ss left" and "Keep me signed in". `data-session-left` (the time left as a duration from
 * the server's clock, so a phone's wrong clock does not matter) and `data-template` drive it in
 * the browser (client/session-warning.ts); the form posts `intent=extend`, or a server action.
 */
export function SessionWarning({
  leftMs,
  warning,
  extend,
  text = "",
  hidden = true,
  busy = false,
  action,
}: {
  leftMs: number;
  warning: string;
  extend: string;
  text?: string;
  hidden?: boolean;
  busy?: boolean;
  action: string | ((form: FormData) => void | Promise<void>);
}) {
  return (
    <form action={action} method="post" hidden={hidden} data-session-left={leftMs} className="flex flex-col gap-2 rounded-brand border border-line bg-page p-3 text-sm text-fg">
      <input type="hidden" name="intent" value="extend" />
      <p aria-live="polite" data-template={warning}>
        {text}
      </p>
      <Button type="submit" variant="secondary" disabled={busy}>
        {extend}
      </Button>
    </form>
  );
}
