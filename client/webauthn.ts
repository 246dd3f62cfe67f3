import { browserSupportsWebAuthn, startAuthentication, startRegistration } from "@simplewebauthn/browser";

/**
 * The one WebAuthn client, for React screens (components/WebAuthnButton.tsx) and HTML-only ones
 * (attachWebAuthn) alike. It talks to the JSON API (app/api/webauthn/[factor]/route.ts): ask for
 * options, run the browser's ceremony, send the result, and say where to go next. A cancel
 * (NotAllowedError, AbortError) is a calm outcome, never an error.
 */

export type CeremonyMode = "enroll" | "challenge";

/** How a ceremony ended: go to `next`; show `error` (absent: the generic "failed" text); or a cancel. */
export type CeremonyOutcome = { next: string } | { error?: string } | { cancelled: true };

/** What the API answers each step (lib/flow/results.ts WebAuthnStep). */
interface Step {
  options?: unknown;
  next?: string;
  error?: string;
}

type Options<F extends (arg: { optionsJSON: never }) => unknown> = Parameters<F>[0]["optionsJSON"];

/** The browser's side, replaceable in tests. */
export interface CeremonyDeps {
  fetch: typeof fetch;
  startRegistration: (arg: { optionsJSON: Options<typeof startRegistration> }) => Promise<unknown>;
  startAuthentication: (arg: { optionsJSON: Options<typeof startAuthentication> }) => Promise<unknown>;
}

const browser = (): CeremonyDeps => ({ fetch: (...a) => fetch(...a), startRegistration, startAuthentication });

/** A cancelled or timed-out ceremony (the person closed the dialog, or no key answered). */
export const isCancel = (e: unknown): boolean => e instanceof Error && (e.name === "NotAllowedError" || e.name === "AbortError");

/** Runs one ceremony against `endpoint`. Never throws. */
export async function runCeremony({ endpoint, mode, remember = false }: { endpoint: string; mode: CeremonyMode; remember?: boolean }, deps: CeremonyDeps = browser()): Promise<CeremonyOutcome> {
  const call = async (body: object): Promise<Step> => {
    const r = await deps.fetch(endpoint, { method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    // 503: the server could not act (a dependency failed) and names the page that says so.
    if (!r.ok && r.status !== 503) throw new Error(`HTTP ${r.status}`);
    return (await r.json()) as Step;
  };
  try {
    const step = await call({ step: "options" });
    if (step.next) return { next: step.next };
    if (!step.options) return step.error ? { error: step.error } : {};
    const response =
      mode === "enroll"
        ? await deps.startRegistration({ optionsJSON: step.options as Options<typeof startRegistration> })
        : await deps.startAuthentication({ optionsJSON: step.options as Options<typeof startAuthentication> });
    const done = await call({ step: "finish", response: JSON.stringify(response), remember });
    if (done.next) return { next: done.next };
    return done.error ? { error: done.error } : {};
  } catch (e) {
    return isCancel(e) ? { cancelled: true } : {};
  }
}

export interface WebAuthnLabels {
  button: string;
  working: string;
  cancelled: string;
  failed: string;
  unsupported: string;
}

/** The note a finished ceremony leaves, or null when it navigates. */
export function outcomeNote(outcome: CeremonyOutcome, labels: Pick<WebAuthnLabels, "cancelled" | "failed">): { text: string; alert: boolean } | null {
  if ("next" in outcome) return null;
  if ("cancelled" in outcome) return { text: labels.cancelled, alert: false };
  return { text: outcome.error || labels.failed, alert: true };
}

/** The "Don't ask again on this device" box, when the screen shows one (app/(flow)/_ui/FlowExtras.tsx). */
export const rememberChecked = (doc: Document = document): boolean => (doc.getElementById("remember") as HTMLInputElement | null)?.checked === true;

/**
 * The passkey button of an HTML-only screen: `[data-webauthn="enroll"|"challenge"]` with
 * `data-endpoint` and `data-labels` (JSON of WebAuthnLabels) around one button (rendered
 * disabled), a hidden note and a hidden "unsupported" line (components/WebAuthnBox.tsx). Without
 * WebAuthn the line shows instead of the button. Success is a full page
 * load, so the next page gets its own CSP.
 */
export function attachWebAuthn(box: HTMLElement): void {
  const labels = JSON.parse(box.getAttribute("data-labels") ?? "{}") as WebAuthnLabels;
  const button = box.querySelector("button");
  const endpoint = box.getAttribute("data-endpoint");
  if (!button || !endpoint) return;
  if (!browserSupportsWebAuthn()) {
    // The box's hidden "unsupported" line (components/WebAuthnBox.tsx) instead of the button.
    box.querySelector<HTMLElement>("[data-webauthn-unsupported]")?.removeAttribute("hidden");
    button.hidden = true;
    return;
  }
  const note = box.querySelector<HTMLElement>("[data-webauthn-note]");
  const say = (text: string, alert: boolean) => {
    if (!note) return;
    note.setAttribute("role", alert ? "alert" : "status");
    note.textContent = text;
    note.hidden = false;
  };
  const idle = button.textContent;
  const mode: CeremonyMode = box.getAttribute("data-webauthn") === "enroll" ? "enroll" : "challenge";
  button.disabled = false;
  button.addEventListener("click", async () => {
    button.disabled = true;
    button.textContent = labels.working;
    if (note) note.hidden = true;
    const outcome = await runCeremony({ endpoint, mode, remember: rememberChecked() });
    if ("next" in outcome) return location.assign(outcome.next);
    const n = outcomeNote(outcome, labels);
    if (n) say(n.text, n.alert);
    button.disabled = false;
    button.textContent = idle;
  });
}
