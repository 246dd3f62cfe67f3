import type { WebAuthnLabels } from "@/lib/flow/results";
import { Button } from "./Button";

/**
 * The passkey or security-key button as markup, for the HTML-only challenge screens: disabled
 * until client/webauthn.ts finds WebAuthn in the browser and takes it over (options from
 * `endpoint`, the ceremony, the result back, then where the server says).
 */
export function WebAuthnBox({ mode, endpoint, labels }: { mode: "enroll" | "challenge"; endpoint: string; labels: WebAuthnLabels }) {
  return (
    <div className="flex flex-col gap-4" data-webauthn={mode} data-endpoint={endpoint} data-labels={JSON.stringify(labels)}>
      <Button type="button" disabled>
        {labels.button}
      </Button>
    </div>
  );
}
