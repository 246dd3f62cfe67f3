"use client";

import { browserSupportsWebAuthn, startAuthentication, startRegistration } from "@simplewebauthn/browser";
import { useEffect, useState } from "react";
import type { WebAuthnStep } from "@/lib/flow/results";
import { Button } from "./Button";


interface Labels {
  button: string;
  working: string;
  cancelled: string;
  failed: string;
  unsupported: string;
}

/**
 * One button for a WebAuthn ceremony. A cancel (NotAllowedError/AbortError) is an expected
 * outcome: a calm note and the same button again, never an error page. Success navigates with a
 * full page load, so /continue gets its own CSP. `endpoint` is the JSON twin of `begin`/`finish`
 * (app/api/webauthn) used where the screen is served without React.
 */
export function WebAuthnButton({ mode, begin, finish, endpoint, labels }: { mode: "register" | "authenticate"; begin: () => Promise<WebAuthnStep>; finish: (response: string, remember?: boolean) => Promise<WebAuthnStep>; endpoint?: string; labels: Labels }) {
  const [supported, setSupported] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ text: string; alert: boolean } | null>(null);
  useEffect(() => setSupported(browserSupportsWebAuthn()), []);

  async function run() {
    setBusy(true);
    setNote(null);
    try {
      const step = await begin();
      if (step.next) return window.location.assign(step.next);
      if (!step.options) throw new Error(step.error ?? "no options");
      const response =
        mode === "register"
          ? await startRegistration({ optionsJSON: step.options as Parameters<typeof startRegistration>[0]["optionsJSON"] })
          : await startAuthentication({ optionsJSON: step.options as Parameters<typeof startAuthentication>[0]["optionsJSON"] });
      // The "Don't ask again on this device" box, when the screen shows one (app/(flow)/_ui/FlowExtras.tsx).
      const remember = (document.getElementById("remember") as HTMLInputElement | null)?.checked === true;
      const done = await finish(JSON.stringify(response), remember);
      if (done.next) return window.location.assign(done.next);
      setNote({ text: done.error ?? labels.failed, alert: true });
    } catch (e) {
      const name = (e as Error).name;
      setNote(name === "NotAllowedError" || name === "AbortError" ? { text: labels.cancelled, alert: false } : { text: labels.failed, alert: true });
    } finally {
      setBusy(false);
    }
  }

  if (supported === false) return <p role="status" className="text-muted">{labels.unsupported}</p>;
  return (
    // The data attributes drive the same button on HTML-only screens (scripts/html-only/webauthn.js).
    <div className="flex flex-col gap-4" {...(endpoint ? { "data-webauthn": mode, "data-endpoint": endpoint, "data-labels": JSON.stringify(labels) } : {})}>
      {note ? (
        <div role={note.alert ? "alert" : "status"} data-testid="webauthn-note" className="rounded-brand border border-line bg-page px-4 py-3 text-sm text-fg">
          {note.text}
        </div>
      ) : null}
      <Button type="button" onClick={run} disabled={busy || supported === null}>
        {busy ? labels.working : labels.button}
      </Button>
    </div>
  );
}
