/**
 * The Auth0 Management API client for Keystep's support tools: the official `auth0` SDK's
 * ManagementClient (client credentials), nothing hand-written.
 *
 * The SDK always calls `https://<domain>/…`. A tenant given as `http://127.0.0.1:PORT` (the
 * simulator, or the fake Management API in tests) is reached through the SDK's documented
 * `fetch` option: a fetch that sends that one origin's requests over plain http. Only loopback
 * hosts may be given with http; a real tenant is always https.
 */
import { ManagementClient, ManagementError } from "auth0";
import { parseAuth0Domain, type Auth0Domain } from "@/lib/env";

const LOOPBACK = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

/** Parses `--domain`: `tenant.eu.auth0.com`, `https://login.example.com`, or `http://127.0.0.1:4010` (loopback only). */
export function parseTenantDomain(raw: string): Auth0Domain {
  const d = parseAuth0Domain(raw);
  if (d.scheme === "http" && !LOOPBACK.test(d.host)) throw new Error(`"${raw.trim()}" uses http for a non-local host; an Auth0 tenant is reached over https`);
  return d;
}

export interface ManagementCredentials {
  domain: Auth0Domain;
  clientId: string;
  clientSecret: string;
}

export function managementClient({ domain, clientId, clientSecret }: ManagementCredentials, options: { timeoutInSeconds?: number } = {}): ManagementClient {
  const insecureOrigin = domain.scheme === "http" ? `https://${domain.host}/` : null;
  const loopbackFetch: typeof fetch = (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (insecureOrigin && url.startsWith(insecureOrigin)) return fetch(`http://${url.slice("https://".length)}`, init);
    return fetch(input, init);
  };
  return new ManagementClient({
    domain: domain.host,
    clientId,
    clientSecret,
    clientInfo: { name: "keystep" },
    timeoutInSeconds: options.timeoutInSeconds ?? 30,
    ...(insecureOrigin ? { fetch: loopbackFetch } : {}),
  });
}

/** One line for an error from the SDK or the network: status, Auth0's message, never a stack or a request body. */
export function describeManagementError(e: unknown): string {
  if (e instanceof ManagementError) {
    const body = e.body as { message?: unknown; error_description?: unknown; error?: unknown; errorCode?: unknown } | string | undefined;
    const detail =
      typeof body === "string"
        ? body
        : typeof body?.message === "string"
          ? body.message
          : typeof body?.error_description === "string"
            ? body.error_description
            : typeof body?.error === "string"
              ? body.error
              : "";
    const code = typeof body === "object" && typeof body?.errorCode === "string" ? ` (${body.errorCode})` : "";
    const what = e.message.startsWith("ManagementClient: token request") ? "getting a Management API token" : "Management API";
    if (e.statusCode === undefined) return `${what}: ${oneLine(e.message)}${causeOf(e)}`;
    return `${what}: ${e.statusCode}${detail ? ` ${oneLine(detail)}` : ""}${code}`;
  }
  if (e instanceof Error) return `${oneLine(e.message)}${causeOf(e)}`;
  return oneLine(String(e));
}

/** fetch reports a refused connection as "fetch failed" with the system error as its cause. */
function causeOf(e: Error): string {
  const cause = (e as Error & { cause?: unknown }).cause;
  if (!(cause instanceof Error)) return "";
  const inner = (cause as Error & { cause?: unknown }).cause;
  const code = (cause as NodeJS.ErrnoException).code ?? (inner instanceof Error ? (inner as NodeJS.ErrnoException).code : undefined);
  return ` (${code ?? oneLine(cause.message)})`;
}

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim().slice(0, 300);
