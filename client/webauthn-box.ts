/**
 * The passkey button of the HTML-only WebAuthn challenges (built to public/assets/webauthn.js):
 * @simplewebauthn/browser and client/webauthn.ts, kept out of html-only.js so the other code
 * screens do not download a WebAuthn library they never use.
 */
import { attachWebAuthn } from "./webauthn";

for (const box of Array.prototype.slice.call(document.querySelectorAll("[data-webauthn][data-endpoint][data-labels]")) as HTMLElement[]) attachWebAuthn(box);
