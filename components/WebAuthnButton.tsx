"use client";

import { browserSupportsWebAuthn } from "@simplewebauthn/browser";
import { useEffect, useState } from "react";
import { type CeremonyMode, outcomeNote, rememberChecked, runCeremony, type WebAuthnLabels } from "@/client/webauthn";
import { Button } from "./Button";
import { Surface, Text } from "./Text";

/**
 * One button for a WebAuthn ceremony, run by the one browser client (client/webauthn.ts) against
 * the one JSON API (`endpoint`, /api/webauthn/<factor>). A cancel (NotAllowedError/AbortError)
 * is an expected outcome: a calm note and the same button again, never an error page. Success
 * navigates with a full page load, so the next page gets its own CSP. The data attributes let the
 * same markup work without React on HTML-only screens (attachWebAuthn in client/webauthn.ts).
 */
export function WebAuthnButton({ mode, endpoint, labels }: { mode: CeremonyMode; endpoint: string; labels: WebAuthnLabels }) {
  const [supported, setSupported] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ text: string; alert: boolean } | null>(null);
  useEffect(() => setSupported(browserSupportsWebAuthn()), []);

  async function run() {
    setBusy(true);
    setNote(null);
    const outcome = await runCeremony({ endpoint, mode, remember: rememberChecked() });
    if ("next" in outcome) return window.location.assign(outcome.next);
    setNote(outcomeNote(outcome, labels));
    setBusy(false);
  }

  if (supported === false)
    return (
      <Text tone="muted" role="status">
        {labels.unsupported}
      </Text>
    );
  return (
    <div className="flex flex-col gap-4" data-webauthn={mode} data-endpoint={endpoint} data-labels={JSON.stringify(labels)}>
      {note ? (
        <Surface role={note.alert ? "alert" : "status"} data-testid="webauthn-note" className="px-4 py-3 text-sm">
          {note.text}
        </Surface>
      ) : null}
      <Button type="button" onClick={run} disabled={busy || supported === null}>
        {busy ? labels.working : labels.button}
      </Button>
    </div>
  );
}
