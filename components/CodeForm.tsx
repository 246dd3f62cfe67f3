"use client";

import { useActionState, useEffect, useRef, type ReactNode } from "react";
import type { CodeFormState } from "@/lib/flow/results";
import { Alert } from "./Alert";
import { Button } from "./Button";


type CodeAction = (prev: CodeFormState, form: FormData) => Promise<CodeFormState>;

/**
 * One-time-code entry: a single input the OS can autofill (`autocomplete="one-time-code"`),
 * numeric keypad on phones, the error tied to the field. A server action form, so it works
 * before (or without) JavaScript.
 */
export function CodeForm({ action, label, submit, pending, kind = "digits", extra }: { action: CodeAction; label: string; submit: string; pending: string; kind?: "digits" | "text"; extra?: ReactNode }) {
  const [state, formAction, isPending] = useActionState(action, {});
  const errorId = "code-error";
  const input = useRef<HTMLInputElement>(null);
  // After a wrong code, focus returns to the field (which the error describes) for the next try.
  useEffect(() => {
    if (state.error) input.current?.focus();
  }, [state]);
  return (
    <form action={formAction} className="flex flex-col gap-4" noValidate>
      <div className="flex flex-col gap-2">
        <label htmlFor="code" className="text-sm font-medium text-fg">
          {label}
        </label>
        <input
          ref={input}
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
          aria-invalid={state.error ? true : undefined}
          aria-describedby={state.error ? errorId : undefined}
          className={`w-full rounded-brand border border-line bg-card px-4 py-3 text-center font-mono text-fg ${kind === "digits" ? "text-2xl tracking-[0.4em]" : "text-xl tracking-wider"} focus:border-primary focus:outline-3 focus:outline-offset-1 focus:outline-focus aria-invalid:border-danger`}
        />
      </div>
      {state.error ? <Alert id={errorId}>{state.error}</Alert> : null}
      {extra}
      <Button type="submit" disabled={isPending} data-pending-label={pending}>
        {isPending ? pending : submit}
      </Button>
    </form>
  );
}
