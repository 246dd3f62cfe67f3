import crypto from "node:crypto";
import type { Kysely } from "kysely";
import type { Database, MagicLinksTable } from "@/lib/db/schema";
import type { Env } from "@/lib/env";
import { randomToken } from "@/lib/security/crypto";
import type { KeyRing } from "@/lib/security/keys";
import type { BudgetStore } from "@/lib/security/budgets";
import { sendGuarded, type Delivered, type SendResult } from "../send";
import type { Factor, FactorCtx } from "../types";
import type { Selectable } from "kysely";

export type MagicLink = Selectable<MagicLinksTable>;

/** Links live 10 minutes by default, never more than 15 (KEYSTEP_MAGIC_LINK_TTL_SECONDS). */
export const MAGIC_LINK_TTL_MS = 10 * 60_000;

/**
 * The link a user receives. The origin comes only from KEYSTEP_PUBLIC_URL, never from request
 * headers, so a forged Host header cannot point the link at an attacker's site.
 */
export function magicLinkUrl(env: Pick<Env, "publicUrl">, token: string): string {
  return new URL(`/magic/${token}`, env.publicUrl.origin).toString();
}

export interface LinkDelivery {
  budgets: BudgetStore;
  limits: Env["budgets"];
  /** Sends the email; never throws. */
  deliver(to: string, url: string, ctx: FactorCtx): Promise<Delivered>;
}

/** The flow's newest link that can still be approved or used. */
export async function liveLink(db: Kysely<Database>, flowId: string, now: number): Promise<MagicLink | null> {
  return (
    (await db
      .selectFrom("magic_links")
      .selectAll()
      .where("flow_id", "=", flowId)
      .where("superseded_at", "is", null)
      .where("consumed_at", "is", null)
      .where("refused_at", "is", null)
      .where("expires_at", ">", now)
      .orderBy("created_at", "desc")
      .limit(1)
      .executeTakeFirst()) ?? null
  );
}

/**
 * Sends a new link (256-bit token, stored hashed) with its 3-digit matching number (100–999), which
 * another device must type to approve it.
 * A new link retires older ones; cool-down and send budgets as for codes.
 */
export async function sendMagicLink(ctx: FactorCtx, delivery: LinkDelivery, to: string, ttlMs = MAGIC_LINK_TTL_MS): Promise<SendResult> {
  const { db, now } = ctx;
  const token = randomToken(32);
  const id = crypto.randomUUID();
  // Links spend the same budgets as email codes: one mailbox, one user, one allowance.
  return sendGuarded(
    ctx,
    { channel: "email", destination: to, budgets: delivery.budgets, limits: delivery.limits },
    {
      async lastSentAt() {
        const last = await db.selectFrom("magic_links").select("created_at").where("flow_id", "=", ctx.flow.id).orderBy("created_at", "desc").limit(1).executeTakeFirst();
        return last ? Number(last.created_at) : null;
      },
      async store() {
        await db.transaction().execute(async (trx) => {
          await trx.updateTable("magic_links").set({ superseded_at: now }).where("flow_id", "=", ctx.flow.id).where("superseded_at", "is", null).execute();
          await trx
            .insertInto("magic_links")
            .values({
              id,
              flow_id: ctx.flow.id,
              token_hash: ctx.env.keys.hash("magic-link", token),
              number: crypto.randomInt(100, 1000),
              created_at: now,
              expires_at: now + ttlMs,
              superseded_at: null,
              approved_at: null,
              refused_at: null,
              consumed_at: null,
            })
            .execute();
        });
        return { undo: async () => void (await db.deleteFrom("magic_links").where("id", "=", id).execute()) };
      },
      deliver: () => delivery.deliver(to, magicLinkUrl(ctx.env, token), ctx),
    },
  );
}

export type LinkLookup = { ok: true; link: MagicLink } | { ok: false; reason: "unknown" | "used" | "expired" | "refused" };

/** Finds a link by its token: unknown, used, expired and refused links say so. */
export async function findLink(db: Kysely<Database>, keys: KeyRing, token: string, now: number): Promise<LinkLookup> {
  if (!/^[A-Za-z0-9_-]{40,50}$/.test(token)) return { ok: false, reason: "unknown" };
  const link = await db.selectFrom("magic_links").selectAll().where("token_hash", "in", keys.hashCandidates("magic-link", token)).executeTakeFirst();
  if (!link) return { ok: false, reason: "unknown" };
  if (link.consumed_at || link.approved_at) return { ok: false, reason: "used" };
  if (link.refused_at) return { ok: false, reason: "refused" };
  if (link.superseded_at || Number(link.expires_at) <= now) return { ok: false, reason: "expired" };
  return { ok: true, link };
}

/** Approves a link once: of two parallel confirmations exactly one succeeds. */
export async function approveLink(db: Kysely<Database>, id: string, now: number): Promise<boolean> {
  return decideLink(db, id, true, now);
}

/**
 * Decides a live link once, from another device: approves it when the typed number matched,
 * refuses it otherwise. Both are the same conditional UPDATE on an undecided link, so of any
 * number of parallel entries exactly one is weighed (one guess per link). Returns whether this
 * entry was the one.
 */
export async function decideLink(db: Kysely<Database>, id: string, matched: boolean, now: number): Promise<boolean> {
  const res = await db
    .updateTable("magic_links")
    .set(matched ? { approved_at: now } : { refused_at: now })
    .where("id", "=", id)
    .where("approved_at", "is", null)
    .where("refused_at", "is", null)
    .where("superseded_at", "is", null)
    .where("consumed_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** The waiting tab's view of its flow's newest link. */
export async function linkStatus(db: Kysely<Database>, flowId: string, now: number): Promise<"none" | "waiting" | "approved" | "refused" | "expired"> {
  const link = await db.selectFrom("magic_links").selectAll().where("flow_id", "=", flowId).where("superseded_at", "is", null).orderBy("created_at", "desc").limit(1).executeTakeFirst();
  if (!link) return "none";
  if (link.approved_at) return "approved";
  if (link.refused_at) return "refused";
  if (Number(link.expires_at) <= now) return "expired";
  return "waiting";
}

/**
 * Magic link: "verify" finishes the flow in the browser that owns it, once a link of this flow
 * was approved (same device: just now; another device: by typing the number). Consumption is a
 * conditional UPDATE, so only one finish wins.
 */
export const magicLinkFactor: Factor<never> = {
  id: "magic-link",
  async verify(ctx) {
    const link = await ctx.db
      .selectFrom("magic_links")
      .select(["id", "approved_at"])
      .where("flow_id", "=", ctx.flow.id)
      .where("superseded_at", "is", null)
      .where("consumed_at", "is", null)
      .orderBy("created_at", "desc")
      .limit(1)
      .executeTakeFirst();
    if (!link?.approved_at) return { ok: false, error: "link_pending" };
    const res = await ctx.db.updateTable("magic_links").set({ consumed_at: ctx.now }).where("id", "=", link.id).where("consumed_at", "is", null).executeTakeFirst();
    return Number(res.numUpdatedRows) === 1 ? { ok: true } : { ok: false, error: "code_reused" };
  },
};
