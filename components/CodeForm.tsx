"use client";

import { useActionState, useEffect, useRef, type ReactNode } from "react";
import type { CodeFormState } from "@/lib/flow/results";
import { CodeFields } from "./CodeFields";

type CodeAction = (prev: CodeFormState, form: FormData) => Promise<CodeFormState>;

/** One-time-code entry on a React screen: CodeFields in a server-action form, so it works before (or without) JavaScript. */
export function CodeForm({
  action,
  label,
  submit,
  pending,
  kind = "digits",
  extra,
}: {
  action: CodeAction;
  label: string;
  submit: string;
  pending: string;
  kind?: "digits" | "text";
  extra?: ReactNode;
}) {
  const [state, formAction, isPending] = useActionState(action, {});
  const input = useRef<HTMLInputElement>(null);
  // After a wrong code, focus returns to the field (which the error describes) for the next try.
  useEffect(() => {
    if (state.error) input.current?.focus();
  }, [state]);
  return (
    <form action={formAction} className="flex flex-col gap-4" noValidate>
      <CodeFields label={label} submit={submit} pending={pending} busy={isPending} error={state.error} kind={kind} extra={extra} inputRef={input} />
    </form>
  );
}
