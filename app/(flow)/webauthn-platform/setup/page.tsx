import { WebAuthnScreen } from "@/components/WebAuthnScreen";

export default function Page() {
  return <WebAuthnScreen factor="webauthn-platform" mode="enroll" />;
}
