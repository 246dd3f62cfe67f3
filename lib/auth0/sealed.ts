import crypto from "node:crypto";
import { compactDecrypt } from "jose";

/**
 * The Action seals what it forwards (auth0/action.js, `sealClaims`): a compact JWE, `dir` with
 * A256GCM, under a key derived with HKDF-SHA256 from the Action secret. The info string versions
 * the derivation; both sides must change it together.
 */
export const SEAL_INFO = "keystep session claims v1";

export function sealKey(secret: Uint8Array): Uint8Array {
  return new Uint8Array(crypto.hkdfSync("sha256", secret, new Uint8Array(0), SEAL_INFO, 32));
}

/** The sealed claims as an object, or null when they do not open (another key, tampering, not JSON). */
export async function openSealedClaims(enc: string, secret: Uint8Array): Promise<Record<string, unknown> | null> {
  try {
    const { plaintext } = await compactDecrypt(enc, sealKey(secret), { keyManagementAlgorithms: ["dir"], contentEncryptionAlgorithms: ["A256GCM"] });
    const value: unknown = JSON.parse(new TextDecoder().decode(plaintext));
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
