import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { findFlowByCookie } from "./repo";
import type { Flow } from "./types";

/**
 * `__Host-` pins the cookie to this exact origin over a secure channel with Path=/ (RFC 6265bis
 * §4.1.3.2); browsers treat http://localhost as secure, so the demo works too.
 */
export const FLOW_COOKIE = "__Host-keystep_flow";

export type FlowLookup = { ok: true; flow: Flow } | { ok: false; reason: "no_flow" | "flow_expired" };

/** The flow a flow-cookie value names, if it is still running (or recently finished). */
export async function flowFromCookie(value: string | undefined, now = Date.now()): Promise<FlowLookup> {
  if (!value || value.length > 100) return { ok: false, reason: "no_flow" };
  const flow = await findFlowByCookie(db(), env().keys, value);
  if (!flow) return { ok: false, reason: "no_flow" };
  // Every flow times out, a finished one FINISHED_FLOW_TTL_MS after it ended (time to post its result).
  if (flow.expiresAt <= now) return { ok: false, reason: "flow_expired" };
  return { ok: true, flow };
}
