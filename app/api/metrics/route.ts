import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { registry } from "@/lib/metrics";
import { bearer, tokenMatches } from "@/lib/security/bearer";

export const dynamic = "force-dynamic";

/**
 * Prometheus metrics (lib/metrics.ts), for a scraper holding KEYSTEP_METRICS_TOKEN: the counts
 * describe who signs in and how, so they are not public. Without the setting the endpoint does
 * not exist (404).
 */
export async function GET(request: Request): Promise<Response> {
  const token = env().metricsToken;
  const headers = { "Cache-Control": "no-store" };
  if (!token) return new Response("Not found\n", { status: 404, headers });
  const presented = bearer(request);
  if (presented === null || !tokenMatches(presented, token)) {
    if (presented !== null) log.warn("metrics: wrong bearer token");
    return new Response("Unauthorized\n", { status: 401, headers: { ...headers, "WWW-Authenticate": 'Bearer realm="keystep-metrics"' } });
  }
  return new Response(await registry.metrics(), { headers: { ...headers, "Content-Type": registry.contentType } });
}
