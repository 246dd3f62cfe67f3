import type { ReactNode } from "react";
import { Alert } from "./Alert";
import { Button } from "./Button";

export const CODE_ERROR_ID = "code-error";

/**
 * The inside of a one-time-code form: one input the OS can autofill (`autocomplete="one-time-code"`),
 * a numeric keypad on phones, the error tied to the field, and the submit button whose
 * `data-pending-label` the page shows while the code is checked. The form around it is the
 * screen's: a server action (CodeForm) or a plain POST (HTML-only screens).
 */
export function CodeFields({
  label,
  submit,
  pending,
  busy = false,
  error,
  kind = "digits",
  extra,
  inputRef,
}: {
  label: string;
  submit: string;
  pending: string;
  busy?: boolean;
  error?: string | null;
  kind?: "digits" | "text";
  extra?: ReactNode;
  inputRef?: React.Ref<HTMLInputElement>;
}) {
  return (
    <>
      <div className="flex flex-col gap-2">
        <label htmlFor="code" className="text-sm font-medium text-fg">
          {label}
        </label>
        <input
          ref={inputRef}
          dir="ltr"
          id="code"
          name="code"
          type="text"
          inputMode={kind === "digits" ? "numeric" : "text"}
          autoComplete={kind === "digits" ? "one-time-code" : "off"}
          autoCapitalize={kind === "digits" ? undefined : "characters"}
          spellCheck={false}
          pattern={kind === "digits" ? "[0-9 ]*" : undefined}
          maxLength={kind === "digits" ? 12 : 24}
          required
          autoFocus
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? CODE_ERROR_ID : undefined}
          className={`w-full rounded-brand border border-line bg-card px-4 py-3 text-center font-mono text-fg ${kind === "digits" ? "text-2xl tracking-[0.4em]" : "text-xl tracking-wider"} focus:border-primary focus:outline-3 focus:outline-offset-1 focus:outline-focus aria-invalid:border-danger`}
        />
      </div>
      {error ? <Alert id={CODE_ERROR_ID}>{error}</Alert> : null}
      {extra}
      <Button type="submit" disabled={busy} data-pending-label={pending}>
        {busy ? pending : submit}
      </Button>
    </>
  );
}
