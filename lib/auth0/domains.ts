import type { Auth0Domain, Tenant } from "@/lib/env";

/** The allowlisted domain for a token's `iss` (host plus optional port, no scheme), or null. */
export function findDomain(domains: readonly Auth0Domain[], iss: string): Auth0Domain | null {
  const host = iss.trim().toLowerCase();
  return domains.find((d) => d.host === host) ?? null;
}

/** The tenant one of whose domains is `iss`, or null. */
export function tenantForIssuer(tenants: readonly Tenant[], iss: string): Tenant | null {
  return tenants.find((t) => findDomain(t.domains, iss)) ?? null;
}

/** The tenant Keystep keys these users by, or null when it is no longer configured. */
export function tenantById(tenants: readonly Tenant[], id: string): Tenant | null {
  return tenants.find((t) => t.id === id) ?? null;
}

/**
 * Every key the tenant's users may be stored or hashed under: its id, then its domains (before
 * #15, users were keyed by the domain a login came through). Recovery-code hashes and WebAuthn
 * user handles made under a domain key stay valid after the rows are rekeyed to the tenant.
 */
export function tenantKeys(tenant: Tenant): string[] {
  return [...new Set([tenant.id, ...tenant.domains.map((d) => d.host)])];
}

/** The keys a stored user may have been hashed under: its tenant's (tenantKeys), or just its own key when the tenant is gone from the configuration. */
export function keysOfUser(tenants: readonly Tenant[], key: string): string[] {
  const tenant = tenantById(tenants, key);
  return tenant ? tenantKeys(tenant) : [key];
}

/**
 * Auth0's resume endpoint. The host comes only from the verified `iss` matched against the
 * allowlist — never from a request parameter — so Keystep cannot be turned into an open redirect.
 */
export function continueUrl(domain: Auth0Domain, state: string): string {
  return `${domain.origin}/continue?state=${encodeURIComponent(state)}`;
}
