"use client";

import { useActionState } from "react";
import { Alert } from "@/components/Alert";
import { Button } from "@/components/Button";
import { Checkbox, Select, Surface, TextArea, TextInput } from "@/components/Text";
import type { IssuedLinkState } from "@/lib/console/actions";
import { issueConsoleLink } from "./actions";

export interface EnrollLinkLabels {
  heading: string;
  intro: string;
  factor: string;
  anyFactor: string;
  lifetime: string;
  lifetimes: Record<string, string>;
  reason: string;
  check: string;
  submit: string;
  pending: string;
  url: string;
}

/**
 * "Issue an enrollment link" on the console's user view: the factor (or any), how long it works,
 * the reason and the confirmation; the answer is the URL, shown here once to copy into a message.
 */
export function EnrollLinkForm({ tenant, user, factors, labels }: { tenant: string; user: string; factors: Array<{ id: string; name: string }>; labels: EnrollLinkLabels }) {
  const [state, action, pending] = useActionState<IssuedLinkState, FormData>(issueConsoleLink, null);
  return (
    <Surface as="form" kind="outline" action={action} className="mt-2 flex flex-col gap-3 p-4" aria-labelledby="enroll-link-heading">
      <h3 id="enroll-link-heading" className="font-semibold">
        {labels.heading}
      </h3>
      <p className="text-sm">{labels.intro}</p>
      <input type="hidden" name="tenant" value={tenant} />
      <input type="hidden" name="user" value={user} />
      <label htmlFor="link-factor" className="font-medium">
        {labels.factor}
      </label>
      <Select id="link-factor" name="factor" defaultValue="">
        <option value="">{labels.anyFactor}</option>
        {factors.map((f) => (
          <option key={f.id} value={f.id}>
            {f.name}
          </option>
        ))}
      </Select>
      <label htmlFor="link-lifetime" className="font-medium">
        {labels.lifetime}
      </label>
      <Select id="link-lifetime" name="lifetime" defaultValue="7d">
        {Object.entries(labels.lifetimes).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </Select>
      <label htmlFor="link-reason" className="font-medium">
        {labels.reason}
      </label>
      <TextArea id="link-reason" name="reason" required minLength={3} maxLength={500} rows={2} />
      <label className="flex items-start gap-2">
        <Checkbox name="confirmed" value="yes" required />
        <span>{labels.check}</span>
      </label>
      <Button type="submit" disabled={pending}>
        {pending ? labels.pending : labels.submit}
      </Button>
      {state && "error" in state ? <Alert>{state.error}</Alert> : null}
      {state && "url" in state ? (
        <div className="flex flex-col gap-2" role="status">
          <p>{state.message}</p>
          <label htmlFor="link-url" className="font-medium">
            {labels.url}
          </label>
          <TextInput id="link-url" readOnly value={state.url} data-testid="enroll-link-url" />
        </div>
      ) : null}
    </Surface>
  );
}
