import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { issueRecoveryCodes } from "@/lib/factors/recovery-code/factor";
import { submitResponse } from "@/lib/flow/attempt";
import { findFlow } from "@/lib/flow/repo";
import { DbBudgetStore } from "@/lib/security/budgets";
import { BACKENDS, clickThrough, env, newFlowCtx } from "@/lib/test/databases";
import { openRequest, requestRecovery } from "./requests";

describe.each(BACKENDS)("a sign-in with an old factor ($name)", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());

  it("cancels the user's open recovery request when the flow completes with the factor", async () => {
    const now = Date.now();
    const ctx = await newFlowCtx(db, undefined, now);
    const user = { tenant: ctx.flow.tenant, sub: ctx.flow.sub };
    const [code] = await issueRecoveryCodes(db, env.keys, user, now);
    const deps = { db, keys: env.keys, publicUrl: "https://mfa.example.com", budgets: new DbBudgetStore(db), notify: async () => {}, revoke: async () => {} };
    const opened = await requestRecovery(deps, { user, email: "ada@example.com", deviceHash: "elsewhere", userAgent: null, ip: null, locale: "en", selfService: true, waitHours: 72 }, now);
    expect(opened.ok).toBe(true);

    const r = await submitResponse(ctx, "recovery-code", "challenge", code ?? "");
    expect(r.ok).toBe(true);
    const done = await clickThrough(ctx);
    expect((await findFlow(db, done.flow.id))?.outcome).toBe("success");
    expect(await openRequest(db, user, now)).toBeNull();
    const row = await db.selectFrom("recovery_requests").select(["status", "cancel_reason"]).where("sub", "=", user.sub).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: "cancelled", cancel_reason: "signed_in" });
  });
});
