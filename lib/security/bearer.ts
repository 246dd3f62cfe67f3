import crypto from "node:crypto";
import { safeEqual } from "@/lib/security/crypto";

/** The bearer token of an `Authorization: Bearer …` header (RFC 6750 §2.1), or null. */
export function bearer(request: Request): string | null {
  const m = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(request.headers.get("authorization") ?? "");
  return m?.[1] ?? null;
}

/**
 * Constant-time check of the presented token. Both sides are hashed first so that neither the
 * contents nor the length of the configured token leak through timing.
 */
export function tokenMatches(presented: string, expected: string): boolean {
  const digest = (s: string) => crypto.createHash("sha256").update(s).digest("base64url");
  return safeEqual(digest(presented), digest(expected));
}
