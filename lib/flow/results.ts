/**
 * What the flow's server actions answer to the screens that call them. They live here, beside
 * the flow, so that components render them and actions return them without importing each other.
 */

/** A code entry's answer: nothing (it navigated) or a localised error. */
export interface CodeFormState {
  error?: string;
}

/** A send's answer (a code, a link): a localised error, and when the next send is allowed. */
export interface SendState {
  error?: string;
  resendAt?: number;
}

/** One step of a WebAuthn ceremony: options to run, where to go next, or a localised error. */
export interface WebAuthnStep {
  options?: unknown;
  next?: string;
  error?: string;
}

/** The words of a WebAuthn button, in the user's language (defined with the browser client). */
export type { WebAuthnLabels } from "@/client/webauthn";
