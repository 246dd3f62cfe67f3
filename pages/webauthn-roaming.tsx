import { WebAuthnChallenge } from "@/app/_ui/WebAuthnChallenge";
import { webauthnChallengeProps } from "@/lib/pages/webauthn";

/** HTML-only screen (decision 0007): no framework JavaScript but Keystep's own passkey button. */
export const config = { runtime: "nodejs", unstable_runtimeJS: false };

/** The security-key challenge. */
export const getServerSideProps = webauthnChallengeProps("webauthn-roaming");

export default WebAuthnChallenge;
