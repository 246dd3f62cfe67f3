import { WebAuthnScreen } from "@/app/(flow)/_ui/WebAuthnScreen";

export default function Page() {
  return <WebAuthnScreen factor="webauthn-roaming" mode="enroll" />;
}
