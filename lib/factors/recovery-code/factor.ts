import { keysOfUser } from "@/lib/auth0/domains";
import crypto from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import type { KeyRing } from "@/lib/security/keys";
import type { Factor } from "../types";
import type { UserKey } from "../authenticators";

export const RECOVERY_CODE_COUNT = 10;
/** Below this many, the user is told to regenerate or add a method. */
export const RECOVERY_LOW_WATER = 3;

// Base32 without look-alikes (0/O, 1/I/L, U): 30 symbols, case-insensitive when typed back.
const ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ";
const LENGTH = 16; // 16 × log2(30) ≈ 78.5 bits, above the 64 bits NIST asks of look-up secrets

/** One code, formatted for reading aloud: XXXX-XXXX-XXXX-XXXX. */
export function newRecoveryCode(): string {
  const chars = Array.from({ length: LENGTH }, () => ALPHABET[crypto.randomInt(ALPHABET.length)]).join("");
  return (chars.match(/.{4}/g) ?? [chars]).join("-");
}

/** What the user typed, reduced to the alphabet: case, spaces and dashes do not matter. */
export function normalizeRecoveryCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, "");
}

const purpose = (user: UserKey) => `recovery:${user.tenant}|${user.sub}`;

/** Issues a fresh set of ten, invalidating any earlier set, and returns them in plain text once. */
export async function issueRecoveryCodes(db: Kysely<Database>, keys: KeyRing, user: UserKey, now = Date.now()): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom("recovery_codes").where("tenant", "=", user.tenant).where("sub", "=", user.sub).execute();
    await trx
      .insertInto("recovery_codes")
      .values(codes.map((c) => ({ id: crypto.randomUUID(), tenant: user.tenant, sub: user.sub, code_hash: keys.hash(purpose(user), normalizeRecoveryCode(c)), created_at: now, used_at: null })))
      .execute();
  });
  return codes;
}

/** How many unused codes the user has. */
export async function remainingRecoveryCodes(db: Kysely<Database>, user: UserKey): Promise<number> {
  const row = await db
    .selectFrom("recovery_codes")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("tenant", "=", user.tenant)
    .where("sub", "=", user.sub)
    .where("used_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Recovery codes: never enrolled on their own (issued after a first setup), challenge only. */
export const recoveryFactor: Factor<never> = {
  id: "recovery-code",
  // DESIGN §4: the user is told whenever a recovery code is used.
  async onSuccess(ctx) {
    const { notifyUser } = await import("@/lib/delivery/wiring");
    await notifyUser(ctx, "recoveryUsed");
  },
  async verify(ctx, code) {
    const normalized = normalizeRecoveryCode(code);
    if (!/^[2-9A-HJKMNP-TV-Z]{16}$/.test(normalized)) return { ok: false, error: "code_invalid" };
    const user = { tenant: ctx.flow.tenant, sub: ctx.flow.sub };
    // Codes issued before users were keyed by tenant were hashed under a domain of the tenant, and
    // codes issued before a key rotation under an earlier key (or, before key ids, KEYSTEP_SECRET).
    const hashes = keysOfUser(ctx.env.tenants, user.tenant).flatMap((key) => ctx.env.keys.hashCandidates(purpose({ tenant: key, sub: user.sub }), normalized));
    // Burn it atomically: of two parallel uses of one code, exactly one updates the row.
    const res = await ctx.db
      .updateTable("recovery_codes")
      .set({ used_at: ctx.now })
      .where("tenant", "=", user.tenant)
      .where("sub", "=", user.sub)
      .where("code_hash", "in", hashes)
      .where("used_at", "is", null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1 ? { ok: true } : { ok: false, error: "code_invalid" };
  },
};
