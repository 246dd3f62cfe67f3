import type { Kysely } from "kysely";
import type { SessionClaims } from "@/lib/auth0/inbound";
import { config } from "@/lib/config";
import type { Database } from "@/lib/db/schema";
import { appDeviceHash, deviceStatus } from "@/lib/devices/repo";
import type { FlowPolicy } from "@/lib/flow/types";
import { evaluatePolicy, policyDefaults } from "./evaluate";
import type { Policy } from "./schema";
import { wasntMeCount } from "@/lib/users/signals";

const reportCache = new WeakMap<object, boolean>();

/** Whether any rule (or a nested `not`) has a `wasntMeReports` condition. */
function usesReports(policy: Policy | undefined): boolean {
  if (!policy?.rules) return false;
  let v = reportCache.get(policy);
  if (v === undefined) {
    v = JSON.stringify(policy.rules).includes('"wasntMeReports"');
    reportCache.set(policy, v);
  }
  return v;
}

/**
 * The policy decision for a new flow: what the browser (its device cookie; the app's forwarded
 * device id only narrows a cookie match) and the user's history say, evaluated against `keystep.config.json`'s rules.
 */
export async function decideAtEntry(
  db: Kysely<Database>,
  key: Uint8Array,
  input: { claims: SessionClaims; ip: string | null; deviceHash: string | null },
  policy: Policy | undefined = config().policy,
  now = Date.now(),
): Promise<FlowPolicy> {
  const user = { tenant: input.claims.tenant ?? input.claims.iss, sub: input.claims.sub };
  const [device, reports] = await Promise.all([
    deviceStatus(db, user, { tokenHash: input.deviceHash, appDeviceHash: input.claims.device_id ? appDeviceHash(key, input.claims.device_id) : null }, now),
    // Only read when a rule can use it: the entry is on every login's hot path.
    usesReports(policy) ? wasntMeCount(db, user) : 0,
  ]);
  const d = evaluatePolicy(policy, { claims: input.claims, ip: input.ip, device, wasntMeCount: reports, now });
  return { ...d, firstEnrollment: policyDefaults(policy).firstEnrollment };
}
