export const dynamic = "force-dynamic";

/** The route-handler floor for `npm run bench` (404 unless KEYSTEP_BENCH=1). */
export function GET(): Response {
  if (process.env.KEYSTEP_BENCH !== "1") return new Response("Not found", { status: 404 });
  return Response.json({ ok: true });
}
