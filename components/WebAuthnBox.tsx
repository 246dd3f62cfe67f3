import type { WebAuthnLabels } from "@/lib/flow/results";
import { Button } from "./Button";
import { Surface, Text } from "./Text";

/**
 * The passkey or security-key button as markup, for the HTML-only challenge screens: disabled
 * until client/webauthn.ts finds WebAuthn in the browser and takes it over (options from
 * `endpoint`, the ceremony, the result back, then where the server says). The note and the
 * "unsupported" line are here, hidden, so the script only fills and shows them: their look stays
 * with the primitives.
 */
export function WebAuthnBox({ mode, endpoint, labels }: { mode: "enroll" | "challenge"; endpoint: string; labels: WebAuthnLabels }) {
  return (
    <div className="flex flex-col gap-4" data-webauthn={mode} data-endpoint={endpoint} data-labels={JSON.stringify(labels)}>
      <Surface data-webauthn-note="" data-testid="webauthn-note" hidden className="px-4 py-3 text-sm" />
      <Text tone="muted" data-webauthn-unsupported="" role="status" hidden>
        {labels.unsupported}
      </Text>
      <Button type="button" disabled>
        {labels.button}
      </Button>
    </div>
  );
}
