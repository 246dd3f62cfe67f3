import crypto from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import { audit, auditWho } from "@/lib/audit";
import type { Database, EnrollmentLinksTable } from "@/lib/db/schema";
import type { Env } from "@/lib/env";
import type { UserKey } from "@/lib/factors/authenticators";
import { DESCRIPTORS, isFactorId, type FactorId } from "@/lib/factors/registry";
import { randomToken } from "@/lib/security/crypto";
import type { KeyRing } from "@/lib/security/keys";
import type { Flow } from "@/lib/flow/types";

/**
 * Enrollment links (docs/decisions/0012-enrollment-links.md): support issues one for a user; the
 * user opens it, claims it for their browser with a POST, and their next sign-in in that browser
 * sets up the factor it names. The token and the browser's claim are stored as keyed hashes only,
 * through the key ring as magic-link tokens are (`keys.hash`, looked up by `keys.hashCandidates`).
 */

export type EnrollmentLink = Selectable<EnrollmentLinksTable>;

/**
 * The claiming browser's cookie: an opaque random value (never the link's token), whose keyed hash
 * names the link. `__Host-` as the flow cookie: Secure, Path=/, this origin only (browsers treat
 * http://localhost as secure, so the demo works too).
 */
export const ENROLL_LINK_COOKIE = "__Host-keystep_enroll_link";

/** Default and longest lifetimes of a link. */
export const ENROLL_LINK_DEFAULT_TTL_MS = 7 * 86_400_000;
export const ENROLL_LINK_MAX_TTL_MS = 30 * 86_400_000;

const TOKEN_PURPOSE = "enroll-link";
const CLAIM_PURPOSE = "enroll-link-claim";
/** 32 random bytes in base64url: 43 characters. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** The link's URL; the origin comes only from KEYSTEP_PUBLIC_URL, as a sign-in link's does. */
export function enrollLinkUrl(env: Pick<Env, "publicUrl">, token: string): string {
  return new URL(`/enroll/${token}`, env.publicUrl.origin).toString();
}

export interface NewLink {
  user: UserKey;
  factor: FactorId | null;
  ttlMs: number;
  returnTo: string | null;
  createdBy: string;
}

/** Stores a new link and returns its token, which exists nowhere else: only its keyed hash is stored. */
export async function createLink(db: Kysely<Database>, keys: KeyRing, link: NewLink, now: number): Promise<{ id: string; token: string; expiresAt: number }> {
  const token = randomToken(32);
  const id = crypto.randomUUID();
  const expiresAt = now + link.ttlMs;
  await db
    .insertInto("enrollment_links")
    .values({
      id,
      tenant: link.user.tenant,
      sub: link.user.sub,
      factor: link.factor,
      token_hash: keys.hash(TOKEN_PURPOSE, token),
      return_to: link.returnTo,
      created_at: now,
      expires_at: expiresAt,
      created_by: link.createdBy,
      claim_hash: null,
      claimed_at: null,
      used_at: null,
      revoked_at: null,
    })
    .execute();
  return { id, token, expiresAt };
}

/** A link that is neither claimed, used, revoked nor expired, by its token; anything else is null, whatever the reason. */
export async function openableLink(db: Kysely<Database>, keys: KeyRing, token: string, now: number): Promise<EnrollmentLink | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const link = await db.selectFrom("enrollment_links").selectAll().where("token_hash", "in", keys.hashCandidates(TOKEN_PURPOSE, token)).executeTakeFirst();
  if (!link || link.claimed_at !== null || link.used_at !== null || link.revoked_at !== null || Number(link.expires_at) <= now) return null;
  return link;
}

/**
 * Claims a link for this browser, once: a conditional UPDATE on an unclaimed, unused, unrevoked,
 * unexpired link, so of two parallel claims exactly one wins. Returns the cookie value, or null.
 */
export async function claimLink(db: Kysely<Database>, keys: KeyRing, id: string, now: number): Promise<string | null> {
  const claim = randomToken(32);
  const res = await db
    .updateTable("enrollment_links")
    .set({ claimed_at: now, claim_hash: keys.hash(CLAIM_PURPOSE, claim) })
    .where("id", "=", id)
    .where("claimed_at", "is", null)
    .where("used_at", "is", null)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1 ? claim : null;
}

/** The live link a browser's claim cookie names: claimed, unused, unrevoked, unexpired; else null. */
export async function claimedLink(db: Kysely<Database>, keys: KeyRing, claim: string | undefined, now: number): Promise<EnrollmentLink | null> {
  if (!claim || !TOKEN_SHAPE.test(claim)) return null;
  const link = await db.selectFrom("enrollment_links").selectAll().where("claim_hash", "in", keys.hashCandidates(CLAIM_PURPOSE, claim)).executeTakeFirst();
  if (!link || link.used_at !== null || link.revoked_at !== null || Number(link.expires_at) <= now) return null;
  return link;
}

/** What a flow keeps of the link it runs under (FlowContext.enrollLink). */
export function linkForFlow(link: EnrollmentLink): { id: string; factor: FactorId | null } {
  return { id: link.id, factor: link.factor !== null && isFactorId(link.factor) ? link.factor : null };
}

/** Uses a link up, once: of any number of parallel uses exactly one gets true. */
export async function consumeLink(db: Kysely<Database>, id: string, now: number): Promise<boolean> {
  const res = await db.updateTable("enrollment_links").set({ used_at: now }).where("id", "=", id).where("used_at", "is", null).where("revoked_at", "is", null).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/**
 * A setup finished in a flow that runs under a link: the link is used up if the setup is the one
 * it asks for (its factor, or any factor when it names none). Audited `enroll_link.used`; a link a
 * parallel flow used first, or support revoked meanwhile, is audited as refused.
 */
export async function consumeLinkAfterSetup(db: Kysely<Database>, flow: Flow, factor: FactorId, now: number): Promise<void> {
  const link = flow.context.enrollLink;
  if (!link || (link.factor !== null && link.factor !== factor) || factor === "recovery-code") return;
  const won = await consumeLink(db, link.id, now);
  await audit(db, { ...auditWho(flow, factor), event: "enroll_link.used", outcome: won ? "success" : "refused", detail: { linkId: link.id } });
}

/** Revokes a user's open links (all, or the one `id` names); returns how many it revoked. */
export async function revokeLinks(db: Kysely<Database>, user: UserKey, now: number, id?: string): Promise<number> {
  let q = db.updateTable("enrollment_links").set({ revoked_at: now }).where("tenant", "=", user.tenant).where("sub", "=", user.sub).where("used_at", "is", null).where("revoked_at", "is", null);
  if (id !== undefined) q = q.where("id", "=", id);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Deletes links that ended (expired, used or revoked) more than `graceMs` ago. */
export async function purgeOldLinks(db: Kysely<Database>, now: number, graceMs: number): Promise<number> {
  const cutoff = now - graceMs;
  const res = await db
    .deleteFrom("enrollment_links")
    .where((eb) => eb.or([eb("expires_at", "<", cutoff), eb("used_at", "<", cutoff), eb("revoked_at", "<", cutoff)]))
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

/**
 * At a sign-in's entry (/auth0/start): the link this browser's claim cookie names, if it is live
 * and for this very user (tenant and sub). A live link for another user changes nothing and stays
 * unused; it is audited on its owner's trail (`enroll_link.other_user`). `stale`: the cookie names
 * no live link, so the entry clears it. A management sign-in leaves the link for a real sign-in.
 */
export async function linkAtEntry(
  db: Kysely<Database>,
  keys: KeyRing,
  claim: string | undefined,
  user: UserKey & { intent?: string; ip?: string | null; userAgent?: string | null },
  now: number,
): Promise<{ link: { id: string; factor: FactorId | null } | null; stale: boolean }> {
  if (claim === undefined) return { link: null, stale: false };
  const link = await claimedLink(db, keys, claim, now);
  if (!link) return { link: null, stale: true };
  if (link.tenant !== user.tenant || link.sub !== user.sub) {
    await audit(db, { event: "enroll_link.other_user", tenant: link.tenant, sub: link.sub, outcome: "ignored", ip: user.ip ?? null, userAgent: user.userAgent ?? null, detail: { linkId: link.id } });
    return { link: null, stale: false };
  }
  if (user.intent === "manage") return { link: null, stale: false };
  return { link: linkForFlow(link), stale: false };
}

/** A link taken into a flow for a user who already has what it asks for: used up at once, with nothing to do. */
export async function consumeLinkWithNothingToDo(db: Kysely<Database>, flow: Flow, now: number): Promise<void> {
  const link = flow.context.enrollLink;
  if (!link) return;
  const won = await consumeLink(db, link.id, now);
  await audit(db, { ...auditWho(flow, link.factor ?? undefined), event: "enroll_link.used", outcome: won ? "nothing_to_do" : "refused", detail: { linkId: link.id } });
}

/** The factors this deployment can set up, which a link may name (recovery codes come with a first factor, never alone). */
export function offeredFactors(config: Env): FactorId[] {
  return DESCRIPTORS.filter((d) => "enroll" in d && d.enroll(config))
    .map((d) => d.id)
    .filter((id) => id !== "recovery-code");
}
