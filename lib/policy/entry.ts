import type { Kysely } from "kysely";
import type { SessionClaims } from "@/lib/auth0/inbound";
import { config } from "@/lib/config";
import type { Database } from "@/lib/db/schema";
import type { KeyRing } from "@/lib/security/keys";
import { appDeviceHashes, deviceStatus, deviceTokenHash, deviceTokenHashes, rehashDevice } from "@/lib/devices/repo";
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
  keys: KeyRing,
  input: { claims: SessionClaims; ip: string | null; deviceToken: string | null },
  policy: Policy | undefined = config().policy,
  now = Date.now(),
): Promise<FlowPolicy> {
  const user = { tenant: input.claims.tenant ?? input.claims.iss, sub: input.claims.sub };
  // The cookie's hash under every configured key (and before key ids): a rotation forgets no device.
  const tokens = input.deviceToken === null ? [] : deviceTokenHashes(keys, input.deviceToken);
  const [device, reports] = await Promise.all([
    deviceStatus(db, user, { tokenHash: tokens, appDeviceHash: input.claims.device_id ? appDeviceHashes(keys, input.claims.device_id) : null }, now),
    // Only read when a rule can use it: the entry is on every login's hot path.
    usesReports(policy) ? wasntMeCount(db, user) : 0,
  ]);
  // A device known under an earlier key moves to the current one (a write only then).
  if (device.known && input.deviceToken !== null) await rehashDevice(db, user, tokens, deviceTokenHash(keys, input.deviceToken));
  const d = evaluatePolicy(policy, { claims: input.claims, ip: input.ip, device, wasntMeCount: reports, now });
  return { ...d, firstEnrollment: policyDefaults(policy).firstEnrollment };
}
