import { reactScreen } from "@/lib/flow/guard";
import { WebAuthnScreen } from "@/app/(flow)/_ui/WebAuthnScreen";

async function Page() {
  // Called, not rendered as an element, so its work (and any failure) happens inside the harness.
  return WebAuthnScreen({ factor: "webauthn-roaming", mode: "enroll" });
}

export default reactScreen(Page);
