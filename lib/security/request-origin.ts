/**
 * The one check every state-changing request to the screens passes before any action runs
 * (proxy.ts). Threats: cross-site request forgery, and a forged Host / X-Forwarded-Host /
 * Forwarded header (link and cache poisoning).
 *
 * - A POST must come from Keystep's own public origin: `Origin` equal to KEYSTEP_PUBLIC_URL's
 *   origin, or, only where a browser sends no `Origin`, `Sec-Fetch-Site: same-origin`. A request
 *   with neither is refused too: every browser that runs these screens sends one of them.
 * - Every host the request names (X-Forwarded-Host's first value, else Host; and Forwarded's
 *   `host=`) must be the public URL's host. The framework compares `Origin` with that host and
 *   answers a mismatch with a bare 500; refusing it here gives the person the error page.
 *
 * Reads and safe methods pass: GETs never change state (links and pages are built from
 * KEYSTEP_PUBLIC_URL only, never from request headers).
 */
export type RequestRefusal = "cross_site" | "host_mismatch";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

function forwardedHosts(value: string | null): string[] {
  if (!value) return [];
  const hosts: string[] = [];
  for (const element of value.split(",")) {
    for (const pair of element.split(";")) {
      const [k, v] = pair.split("=", 2).map((s) => s?.trim());
      if (k?.toLowerCase() === "host" && v !== undefined) hosts.push(v.replace(/^"(.*)"$/, "$1").toLowerCase());
    }
  }
  return hosts;
}

export function refuseRequest(method: string, headers: Headers, publicUrl: URL): RequestRefusal | null {
  if (SAFE.has(method.toUpperCase())) return null;
  const origin = headers.get("origin");
  if (origin !== null ? origin !== publicUrl.origin : headers.get("sec-fetch-site") !== "same-origin") return "cross_site";
  const host = (headers.get("x-forwarded-host")?.split(",")[0]?.trim() || headers.get("host") || "").toLowerCase();
  if (host !== publicUrl.host) return "host_mismatch";
  if (forwardedHosts(headers.get("forwarded")).some((h) => h !== publicUrl.host)) return "host_mismatch";
  return null;
}
