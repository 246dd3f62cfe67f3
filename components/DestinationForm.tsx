"use client";

import { useActionState } from "react";
import { Alert } from "./Alert";
import { Button } from "./Button";
import type { SendState } from "@/lib/flow/results";

export interface Country {
  code: string;
  name: string;
  dial: string;
}

const FIELD = "w-full rounded-brand border border-line bg-card px-4 py-3 text-base text-fg focus:border-primary focus:outline-3 focus:outline-offset-1 focus:outline-focus aria-invalid:border-danger";

/** The address or number to verify; phone numbers get a country picker. */
export function DestinationForm(props: {
  action: (prev: SendState, form: FormData) => Promise<SendState>;
  kind: "email" | "phone";
  label: string;
  countryLabel?: string;
  countries?: Country[];
  defaultCountry?: string;
  submit: string;
  pending: string;
}) {
  const [state, formAction, isPending] = useActionState(props.action, {});
  const errorId = "destination-error";
  const invalid = state.error ? { "aria-invalid": true as const, "aria-describedby": errorId } : {};
  return (
    <form action={formAction} className="flex flex-col gap-4" noValidate>
      {props.kind === "phone" && props.countries ? (
        <div className="flex flex-col gap-2">
          <label htmlFor="country" className="text-sm font-medium text-fg">
            {props.countryLabel}
          </label>
          <select id="country" name="country" defaultValue={props.defaultCountry} className={FIELD} autoComplete="country">
            {props.countries.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name} (+{c.dial})
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div className="flex flex-col gap-2">
        <label htmlFor="destination" className="text-sm font-medium text-fg">
          {props.label}
        </label>
        <input
          id="destination"
          dir="ltr"
          name="destination"
          type={props.kind === "email" ? "email" : "tel"}
          inputMode={props.kind === "email" ? "email" : "tel"}
          autoComplete={props.kind === "email" ? "email" : "tel"}
          required
          autoFocus
          maxLength={254}
          className={FIELD}
          {...invalid}
        />
      </div>
      {state.error ? <Alert id={errorId}>{state.error}</Alert> : null}
      <Button type="submit" disabled={isPending}>
        {isPending ? props.pending : props.submit}
      </Button>
    </form>
  );
}
