export const dynamic = "force-dynamic";

/** Liveness (lib/health.ts): the process answers; no dependency is asked, so an outage never restarts every instance. */
export function GET(): Response {
  return Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
}
