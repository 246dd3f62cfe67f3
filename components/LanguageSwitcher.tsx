"use client";

/**
 * The language menu. Picking a language submits at once; without JavaScript the button does.
 * A plain form posting a server action, so the flow and the page stay where they are.
 */
export function LanguageSwitcher({
  action,
  current,
  locales,
  label,
  apply,
}: {
  action: string | ((form: FormData) => Promise<void>);
  current: string;
  locales: Array<{ code: string; name: string }>;
  label: string;
  apply: string;
}) {
  return (
    <form action={action} method="post" className="flex items-center gap-2">
      {/* Names this form to an HTML-only screen, which posts every form to its own URL (lib/pages/screen.ts). */}
      <input type="hidden" name="intent" value="locale" />
      <label htmlFor="locale" className="sr-only">
        {label}
      </label>
      <select
        id="locale"
        name="locale"
        defaultValue={current}
        data-autosubmit=""
        onChange={(e) => e.currentTarget.form?.requestSubmit()}
        className="min-h-11 rounded-brand border border-line bg-card px-3 text-sm text-fg focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-focus"
      >
        {locales.map((l) => (
          <option key={l.code} value={l.code} lang={l.code}>
            {l.name}
          </option>
        ))}
      </select>
      <noscript>
        <button type="submit" className="min-h-11 rounded-brand border border-line px-3 text-sm text-fg">
          {apply}
        </button>
      </noscript>
    </form>
  );
}
