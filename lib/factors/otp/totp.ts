import { Secret, TOTP } from "otpauth";

/** RFC 6238 parameters every mainstream authenticator app supports: SHA1, 6 digits, 30 s. */
export const TOTP_PERIOD = 30;
export const TOTP_DIGITS = 6;
/** 160-bit secrets, the HMAC-SHA1 block-size recommendation of RFC 4226 §4. */
export const TOTP_SECRET_BYTES = 20;

export type TotpAlgorithm = "SHA1" | "SHA256" | "SHA512";

/** A fresh 160-bit secret from the CSPRNG. */
export function newTotpSecret(): Buffer {
  return Buffer.from(new Secret({ size: TOTP_SECRET_BYTES }).bytes);
}

export function toBase32(secret: Uint8Array): string {
  return new Secret({ buffer: Uint8Array.from(secret).buffer }).base32;
}

/** The key in groups of four, as people copy it into an app. */
export function groupBase32(b32: string): string {
  return b32.replace(/(.{4})(?=.)/g, "$1 ");
}

/** The code for `timeMs` (used by tests and the RFC vectors). */
export function totpAt(secret: Uint8Array, timeMs: number, opts: { algorithm?: TotpAlgorithm; digits?: number } = {}): string {
  return TOTP.generate({
    secret: new Secret({ buffer: Uint8Array.from(secret).buffer }),
    algorithm: opts.algorithm ?? "SHA1",
    digits: opts.digits ?? TOTP_DIGITS,
    period: TOTP_PERIOD,
    timestamp: timeMs,
  });
}

/** The `otpauth://` URI apps scan (Key Uri Format). */
export function totpUri(secret: Uint8Array, issuer: string, label: string): string {
  return new TOTP({
    issuer,
    label,
    secret: new Secret({ buffer: Uint8Array.from(secret).buffer }),
    algorithm: "SHA1",
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD,
  }).toString();
}

/**
 * Checks a code against steps T−1..T+1 (one step of drift each way, RFC 6238 §5.2) and returns
 * the matched time step, which the caller must claim so the code is accepted only once.
 */
export function matchTotp(secret: Uint8Array, code: string, timeMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = TOTP.validate({
    token: code,
    secret: new Secret({ buffer: Uint8Array.from(secret).buffer }),
    algorithm: "SHA1",
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD,
    timestamp: timeMs,
    window: 1,
  });
  return delta === null ? null : Math.floor(timeMs / 1000 / TOTP_PERIOD) + delta;
}
