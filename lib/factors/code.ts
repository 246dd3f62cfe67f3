import crypto from "node:crypto";
import type { Kysely } from "kysely";
import type { ChallengeRow, Database } from "@/lib/db/schema";
import type { Budgets } from "@/lib/env";
import type { BudgetStore } from "@/lib/security/budgets";
import { CHANNEL_IDS, channelSpec, type ChannelId } from "./registry";
import { RESEND_COOLDOWN_MS, sendGuarded, type Delivered, type SendResult } from "./send";
import type { CheckResult, FactorCtx } from "./types";

/** NIST SP 800-63B §5.1.3: out-of-band secrets live ≤ 10 min; each channel's descriptor says how long its codes live. */
export const CODE_TTL_MS = Object.fromEntries(CHANNEL_IDS.map((id) => [id, channelSpec(id).codeTtlMs])) as Record<ChannelId, number>;
export const MAX_CODE_ATTEMPTS = 5;
export { RESEND_COOLDOWN_MS, type SendError, type SendResult } from "./send";

export interface CodeDelivery {
  /** Sends `code` to `destination`; never throws. */
  deliver(channel: ChannelId, destination: string, code: string, ctx: FactorCtx): Promise<Delivered>;
  budgets: BudgetStore;
  limits: Budgets;
}

/** Six digits from the CSPRNG (crypto.randomInt is uniform, no modulo bias). */
export function newCode(): string {
  return crypto.randomInt(0, 1_000_000).toString().padStart(6, "0");
}

/** The live code for this flow and channel, if any: newest, unconsumed, not superseded, not expired. */
export async function activeChallenge(db: Kysely<Database>, flowId: string, channel: ChannelId, now = Date.now()): Promise<ChallengeRow | null> {
  const row = await db
    .selectFrom("challenges")
    .selectAll()
    .where("flow_id", "=", flowId)
    .where("factor", "=", channel)
    .where("consumed_at", "is", null)
    .where("superseded_at", "is", null)
    .where("expires_at", ">", now)
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ?? null;
}

/** When the user may ask for another code (the newest send of this flow and channel + cool-down). */
export async function resendAt(db: Kysely<Database>, flowId: string, channel: ChannelId): Promise<number> {
  const last = await db.selectFrom("challenges").select("created_at").where("flow_id", "=", flowId).where("factor", "=", channel).orderBy("created_at", "desc").limit(1).executeTakeFirst();
  return last ? Number(last.created_at) + RESEND_COOLDOWN_MS : 0;
}

/**
 * Sends a fresh code through the shared send routine (cool-down, budgets, delivery). A new code
 * retires the previous one; failures stay counted on the flow, so a resend never buys more guesses.
 */
export async function sendCode(ctx: FactorCtx, delivery: CodeDelivery, channel: ChannelId, purpose: "enroll" | "challenge" | "recovery", destination: string): Promise<SendResult> {
  const { db, now } = ctx;
  const id = crypto.randomUUID();
  const code = newCode();
  return sendGuarded(
    ctx,
    { channel, destination, budgets: delivery.budgets, limits: delivery.limits },
    {
      lastSentAt: async () => {
        const at = await resendAt(db, ctx.flow.id, channel);
        return at === 0 ? null : at - RESEND_COOLDOWN_MS;
      },
      async store() {
        await db.transaction().execute(async (trx) => {
          await trx
            .updateTable("challenges")
            .set({ superseded_at: now })
            .where("flow_id", "=", ctx.flow.id)
            .where("factor", "=", channel)
            .where("superseded_at", "is", null)
            .where("consumed_at", "is", null)
            .execute();
          await trx
            .insertInto("challenges")
            .values({
              id,
              flow_id: ctx.flow.id,
              factor: channel,
              purpose,
              destination,
              code_hash: ctx.env.keys.hash(`code:${id}`, code),
              attempts: 0,
              created_at: now,
              expires_at: now + CODE_TTL_MS[channel],
              consumed_at: null,
              superseded_at: null,
            })
            .execute();
        });
        return { undo: async () => void (await db.deleteFrom("challenges").where("id", "=", id).execute()) };
      },
      deliver: () => delivery.deliver(channel, destination, code, ctx),
    },
  );
}

export type CodeCheck = (CheckResult & { destination?: string }) | { ok: false; error: "code_expired" };

/**
 * Checks a code against this flow's live challenge only (a code from another flow never
 * matches: the lookup is by flow). Counts the attempt first, atomically, so parallel guesses
 * cannot exceed MAX_CODE_ATTEMPTS; consumes on success with a conditional UPDATE, so of fifty
 * parallel submissions of the right code exactly one wins.
 */
export async function checkCode(ctx: FactorCtx, channel: ChannelId, purpose: "enroll" | "challenge" | "recovery", code: string): Promise<CodeCheck> {
  const { db, now } = ctx;
  const live = await activeChallenge(db, ctx.flow.id, channel, now);
  if (!live || live.purpose !== purpose) return { ok: false, error: "code_expired" };
  const counted = await db
    .updateTable("challenges")
    .set((eb) => ({ attempts: eb("attempts", "+", 1) }))
    .where("id", "=", live.id)
    .where("attempts", "<", MAX_CODE_ATTEMPTS)
    .where("consumed_at", "is", null)
    .executeTakeFirst();
  if (Number(counted.numUpdatedRows) !== 1) return { ok: false, error: "code_expired" };
  if (!ctx.env.keys.hashMatches(live.code_hash, `code:${live.id}`, code)) return { ok: false, error: "code_invalid" };
  const consumed = await db.updateTable("challenges").set({ consumed_at: now }).where("id", "=", live.id).where("consumed_at", "is", null).executeTakeFirst();
  if (Number(consumed.numUpdatedRows) !== 1) return { ok: false, error: "code_reused" };
  return { ok: true, destination: live.destination };
}

/** Retires the flow's pending codes for a channel (the user goes back to enter another address or number). */
export async function supersedeCodes(db: Kysely<Database>, flowId: string, channel: ChannelId, now: number): Promise<void> {
  await db.updateTable("challenges").set({ superseded_at: now }).where("flow_id", "=", flowId).where("factor", "=", channel).where("superseded_at", "is", null).execute();
}
