import type { Auth0Domain } from "@/lib/env";

/** The allowlisted domain for a token's `iss` (host plus optional port, no scheme), or null. */
export function findDomain(domains: readonly Auth0Domain[], iss: string): Auth0Domain | null {
  const host = iss.trim().toLowerCase();
  return domains.find((d) => d.host === host) ?? null;
}

/**
 * Auth0's resume endpoint. The host comes only from the verified `iss` matched against the
 * allowlist — never from a request parameter — so Keystep cannot be turned into an open redirect.
 */
export function continueUrl(domain: Auth0Domain, state: string): string {
  return `${domain.origin}/continue?state=${encodeURIComponent(state)}`;
}
