import { db } from "@/lib/db";
import { linkStatus } from "@/lib/factors/magic-link/factor";
import { currentFlow } from "@/lib/flow/context";

export const dynamic = "force-dynamic";

/** The waiting tab polls this: has the flow's link been confirmed? Reveals nothing else. */
export async function GET(): Promise<Response> {
  try {
    const lookup = await currentFlow();
    const status = lookup.ok ? await linkStatus(db(), lookup.flow.id, Date.now()) : "none";
    return Response.json({ status }, { headers: { "Cache-Control": "no-store" } });
  } catch {
    // The database cannot say: 503, which the waiting tab reads as "still waiting" and polls again.
    return Response.json({ status: "unavailable" }, { status: 503, headers: { "Cache-Control": "no-store" } });
  }
}
