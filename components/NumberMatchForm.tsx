import { Button } from "./Button";

/**
 * Another device approves a sign-in link by typing the 3-digit number the waiting tab shows.
 * A plain server-action form with a labelled text field (numeric keypad on phones, no autofill
 * that could guess for the user), so it works without JavaScript; the browser checks the three
 * digits before sending, the server decides.
 */
export function NumberMatchForm({ action, label, help, submit }: { action: (form: FormData) => Promise<void>; label: string; help: string; submit: string }) {
  return (
    <form action={action} className="flex flex-col gap-4">
      <div className="flex flex-col gap-2">
        <label htmlFor="number" className="text-sm font-medium text-fg">
          {label}
        </label>
        <p id="number-hint" className="text-sm text-muted">
          {help}
        </p>
        <input
          id="number"
          name="number"
          dir="ltr"
          type="text"
          inputMode="numeric"
          autoComplete="off"
          spellCheck={false}
          pattern="[0-9]{3}"
          minLength={3}
          maxLength={3}
          required
          autoFocus
          aria-describedby="number-hint"
          className="w-full rounded-brand border border-line bg-card px-4 py-3 text-center font-mono text-2xl tracking-[0.4em] text-fg focus:border-primary focus:outline-3 focus:outline-offset-1 focus:outline-focus"
        />
      </div>
      <Button type="submit">{submit}</Button>
    </form>
  );
}
