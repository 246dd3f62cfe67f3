/**
 * Run before the first paint on every screen: marks the document when the browser has WebAuthn,
 * so passkey options (.webauthn-only in app/globals.css) show only where they can work, without
 * appearing late or moving anything, and stay hidden without JavaScript.
 */
export const WEBAUTHN_PROBE = `if(typeof window.PublicKeyCredential==="function")document.documentElement.classList.add("webauthn")`;
