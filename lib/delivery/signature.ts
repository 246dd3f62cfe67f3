// Deliberately not "server-only": the dev inbox (e2e/, run by tsx outside Next) verifies with the
// same code that Keystep signs with, so the two can never drift apart.
import crypto from "node:crypto";

export const TIMESTAMP_HEADER = "X-Keystep-Timestamp";
export const SIGNATURE_HEADER = "X-Keystep-Signature";

/** Signs a webhook body: `v1=` + hex HMAC-SHA256(secret, `${timestamp}.${body}`) (the Stripe-style scheme). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${crypto.createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/**
 * Verifies `X-Keystep-Signature` for a raw request body: constant-time comparison, and timestamps
 * older or newer than `toleranceSeconds` are refused so a captured request cannot be replayed later.
 * `now` is in milliseconds (Date.now()).
 */
export function verifyWebhookSignature(o: {
  secret: string;
  timestamp: string | null | undefined;
  signature: string | null | undefined;
  body: string;
  toleranceSeconds?: number;
  now?: number;
}): boolean {
  // An empty secret would make every signature forgeable by anyone who reads this file.
  if (!o.secret || !o.signature || !o.timestamp || !/^\d{1,12}$/.test(o.timestamp)) return false;
  const ts = Number(o.timestamp);
  const now = Math.floor((o.now ?? Date.now()) / 1000);
  if (Math.abs(now - ts) > (o.toleranceSeconds ?? 300)) return false;
  if (!/^v1=[0-9a-f]{64}$/.test(o.signature)) return false;
  const expected = Buffer.from(signWebhook(o.secret, ts, o.body));
  // Same length is guaranteed by the format check above; timingSafeEqual avoids leaking a prefix match.
  return crypto.timingSafeEqual(expected, Buffer.from(o.signature));
}
