import crypto from "node:crypto";

/** A random url-safe token with `bytes` of entropy from the CSPRNG. */
export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString("base64url");
}

/**
 * Keyed hash for values we must recognise but never store: flow cookies, codes, link tokens.
 * HMAC rather than a bare hash so a stolen database cannot be brute-forced offline without the key.
 */
export function keyedHash(key: Uint8Array, purpose: string, value: string): string {
  return crypto.createHmac("sha256", key).update(purpose).update("\0").update(value).digest("base64url");
}

/** Constant-time string equality (lengths may leak, contents do not). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

const VERSION = "v1";

/**
 * AES-256-GCM with a random 96-bit nonce (NIST SP 800-38D). `aad` binds the ciphertext to its row,
 * so a secret copied onto another user's authenticator fails to decrypt.
 */
export function encrypt(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [VERSION, iv.toString("base64url"), body.toString("base64url"), cipher.getAuthTag().toString("base64url")].join(".");
}

/** Reverses {@link encrypt}; throws when the key, the AAD or the ciphertext is wrong. */
export function decrypt(key: Buffer, sealed: string, aad: string): Buffer {
  const [version, iv, body, tag] = sealed.split(".");
  if (version !== VERSION || !iv || !body || !tag) throw new Error("malformed ciphertext");
  const decipher = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]);
}
