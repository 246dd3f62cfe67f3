import { sql } from "kysely";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

export const dynamic = "force-dynamic";

/** Liveness plus database reachability, for load balancers: 200 when usable, 503 otherwise. */
export async function GET(): Promise<Response> {
  const backend = env().databaseUrl.startsWith("sqlite:") ? "sqlite" : "postgres";
  try {
    await sql`select 1`.execute(db());
    return Response.json({ status: "ok", database: backend }, { headers: { "Cache-Control": "no-store" } });
  } catch {
    return Response.json({ status: "unavailable", database: backend }, { status: 503, headers: { "Cache-Control": "no-store" } });
  }
}
