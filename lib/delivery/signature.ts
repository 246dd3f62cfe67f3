import crypto from "node:crypto";

/** Signs a webhook body: HMAC-SHA256 over `${timestamp}.${body}` (the Stripe-style scheme receivers know). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${crypto.createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** Verifies a webhook signature in constant time and refuses stale timestamps (replay). */
export function verifyWebhookSignature(o: { secret: string; timestamp: string | null; signature: string | null; body: string; toleranceSeconds?: number; now?: number }): boolean {
  const ts = Number(o.timestamp);
  if (!o.signature || !Number.isInteger(ts)) return false;
  const now = Math.floor((o.now ?? Date.now()) / 1000);
  if (Math.abs(now - ts) > (o.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(o.secret, ts, o.body));
  const given = Buffer.from(o.signature);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}
