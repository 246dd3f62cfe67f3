/**
 * Threats: guessing a recovery code; using one code twice (in parallel, or from an old set);
 * using another user's code.
 * Defence: ten ~78-bit codes from an alphabet without look-alikes, stored as keyed hashes; each
 * works once (an atomic conditional update); guesses count toward the flow's failure limit;
 * regenerating invalidates the old set; codes are looked up per user.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { submitResponse } from "@/lib/flow/attempt";
import { BACKENDS, env, newFlowCtx, reload } from "@/lib/test/databases";
import { issueRecoveryCodes, newRecoveryCode, RECOVERY_CODE_COUNT, remainingRecoveryCodes } from "./factor";

describe("recovery code format", () => {
  it("has at least 64 random bits, in groups, without look-alike characters", () => {
    const code = newRecoveryCode();
    expect(code).toMatch(/^[2-9A-HJKMNP-TV-Z]{4}(-[2-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(16 * Math.log2(30)).toBeGreaterThan(64);
    expect(new Set(Array.from({ length: 1000 }, newRecoveryCode)).size).toBe(1000);
  });
});

describe.each(BACKENDS)("recovery codes on $name", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());

  async function withCodes() {
    const ctx = await newFlowCtx(db);
    const user = { tenant: ctx.flow.tenant, sub: ctx.flow.sub };
    const codes = await issueRecoveryCodes(db, env.keys, user);
    return { ctx, user, codes };
  }

  it("issues ten and stores only keyed hashes", async () => {
    const { user, codes } = await withCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    const rows = await db.selectFrom("recovery_codes").select("code_hash").where("sub", "=", user.sub).execute();
    expect(rows).toHaveLength(10);
    for (const c of codes) expect(rows.map((r) => r.code_hash).join()).not.toContain(c.replace(/-/g, ""));
  });

  it("works once, typed in any case and with spaces", async () => {
    const { ctx, user, codes } = await withCodes();
    const typed = codes[0]!.toLowerCase().replace(/-/g, " ");
    // A used recovery code goes on to the recovery-codes step (how many remain, a new set).
    expect(await submitResponse(ctx, "recovery-code", "challenge", typed)).toEqual({ ok: true, continued: true });
    expect(await remainingRecoveryCodes(db, user)).toBe(9);
    const again = await newFlowCtx(db, user.sub);
    expect(await submitResponse(again, "recovery-code", "challenge", codes[0]!)).toMatchObject({ ok: false, error: "code_invalid" });
  });

  it("threat: parallel double-use of one recovery code gives one success", async () => {
    const { user, codes } = await withCodes();
    const flows = await Promise.all(Array.from({ length: 20 }, () => newFlowCtx(db, user.sub)));
    const results = await Promise.all(flows.map((f) => submitResponse(f, "recovery-code", "challenge", codes[3]!)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("threat: guessing recovery codes counts toward the flow's failure limit", async () => {
    const { ctx } = await withCodes();
    await submitResponse(ctx, "recovery-code", "challenge", "AAAA-BBBB-CCCC-DDDD");
    expect((await reload(ctx)).flow.failedAttempts).toBe(1);
  });

  it("regenerating invalidates the old set", async () => {
    const { user, codes } = await withCodes();
    const fresh = await issueRecoveryCodes(db, env.keys, user);
    const a = await newFlowCtx(db, user.sub);
    expect(await submitResponse(a, "recovery-code", "challenge", codes[1]!)).toMatchObject({ ok: false });
    const b = await newFlowCtx(db, user.sub);
    expect(await submitResponse(b, "recovery-code", "challenge", fresh[1]!)).toEqual({ ok: true, continued: true });
  });

  it("a code of one user is useless for another", async () => {
    const alice = await withCodes();
    const bob = await withCodes();
    expect(await submitResponse(bob.ctx, "recovery-code", "challenge", alice.codes[0]!)).toMatchObject({ ok: false });
  });
});
