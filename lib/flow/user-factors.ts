import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { listAll } from "@/lib/factors/authenticators";
import { remainingRecoveryCodes } from "@/lib/factors/recovery-code/factor";
import { DESCRIPTORS, isFactorId, type FactorId } from "@/lib/factors/registry";
import type { FactorCtx } from "@/lib/factors/types";
import { addedSince, finishableBy, flowDevice, openRequest } from "@/lib/recovery/requests";
import type { UserFactors } from "./next-step";
import type { Flow } from "./types";

/** The factors whose proof is the email inbox (a code, a link). */
const MAILBOX: ReadonlySet<FactorId> = new Set(["email", "magic-link"]);

/**
 * What this user can use and set up in this flow: saved authenticators, the token's verified email,
 * and what is configured. A flow finishing a self-service recovery (`pending.recovery`, while its
 * request is still open, ripe and from this browser) counts only what was set up since the email
 * was proved again: the old factors are lost, so the user sets up a new one, as a new user would,
 * with no email fallback and no recovery codes until the recovery completes, and not by email.
 */
export async function userFactors(flow: Flow, database = db(), config = env(), now = Date.now()): Promise<UserFactors> {
  const user = { tenant: flow.tenant, sub: flow.sub };
  const open = await openRequest(database, user, now);
  const since = flow.pending.recovery && open?.id === flow.pending.recovery.requestId && finishableBy(open, flowDevice(flow.context), now) ? flow.pending.recovery.at : null;
  const saved = await listAll(database, user);
  const all = since === null ? saved : addedSince(saved, since);
  const rows = all.filter((r) => r.disabled_at === null);
  const claims = flow.context.claims;
  const last = rows.reduce<(typeof rows)[number] | undefined>((a, r) => (r.last_used_at !== null && (!a || Number(r.last_used_at) > Number(a.last_used_at)) ? r : a), undefined);
  const enrolled: FactorId[] = [...new Set(rows.map((r) => r.factor).filter(isFactorId))];
  return {
    enrolled: [...enrolled, ...(since === null && (await remainingRecoveryCodes(database, user)) > 0 ? (["recovery-code"] as const) : [])],
    disabled: [
      ...new Set(
        all
          .filter((r) => r.disabled_at !== null)
          .map((r) => r.factor)
          .filter(isFactorId),
      ),
    ].filter((id) => !enrolled.includes(id)),
    ...(last && isFactorId(last.factor) ? { lastUsed: last.factor } : {}),
    // Each factor's descriptor says when it is usable without setup, and when this deployment offers its setup.
    implicit: since === null ? DESCRIPTORS.filter((d) => "implicit" in d && d.implicit(config, claims)).map((d) => d.id) : [],
    // A recovery's new method is not the mailbox that proved it: that would leave the account with
    // nothing but the channel a password holder may also control.
    available: DESCRIPTORS.filter((d) => "enroll" in d && d.enroll(config) && (since === null || !MAILBOX.has(d.id))).map((d) => d.id),
    ...(since !== null ? { recovering: true as const } : {}),
    ...(open ? { recoveryOpenSince: Number(open.created_at) } : {}),
  };
}

/** A factor context for `flow` at this moment. */
export function flowCtx(flow: Flow, locale?: string): FactorCtx {
  return { db: db(), env: env(), flow, now: Date.now(), ...(locale ? { locale } : {}) };
}
