/**
 * The one script of the HTML-only screens (built to public/assets/html-only.js by
 * scripts/build-assets.mjs). Every form there works without it; it adds what React does on the
 * other screens, from the same modules: the pending state, the language menu that applies at once,
 * the resend countdown, the session-timeout warning and the initial focus. The passkey button is
 * its own script (client/webauthn-box.ts), loaded only by the two WebAuthn challenges.
 * Times come as durations from the server's clock, counted from when this script starts.
 */
import { attachAutosubmit } from "./autosubmit";
import { attachCountdown } from "./countdown";
import { focusHeading } from "./focus";
import { attachPending } from "./pending";
import { attachSessionWarning } from "./session-warning";

const start = performance.now();
const all = <E extends Element>(selector: string) => Array.prototype.slice.call(document.querySelectorAll(selector)) as E[];

for (const form of all<HTMLFormElement>("form")) attachPending(form);
for (const select of all<HTMLSelectElement>("select[data-autosubmit]")) attachAutosubmit(select);
for (const button of all<HTMLButtonElement>("button[data-left][data-wait-label]")) attachCountdown(button, start);
for (const box of all<HTMLElement>("[data-session-left]")) attachSessionWarning(box, start);
focusHeading();
