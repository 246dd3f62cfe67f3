import { describe, expect, it } from "vitest";
import { insertAuthenticator } from "@/lib/factors/authenticators";
import { BACKENDS } from "@/lib/test/databases";
import { challengeRates, factorMix, lockouts, passkeyAdoption, policyOutcomes, smsByCountry } from "./stats";

const T = "sim";
const DAY = 86_400_000;
const WEEK = 7 * DAY;
// A Thursday at 00:00 UTC is where weeks start counted from the epoch.
const W0 = 2900 * WEEK;

describe.each(BACKENDS)("console charts in SQL ($name)", (backend) => {
  it("aggregates passkey adoption, the factor mix, challenge rates, lockouts, SMS per country and policy outcomes", async () => {
    const { db, close } = await backend.open();
    try {
      const u = (n: number) => ({ tenant: T, sub: `auth0|${n}` });
      await insertAuthenticator(db, u(1), { factor: "webauthn-platform", label: "" }, W0 + DAY);
      await insertAuthenticator(db, u(1), { factor: "webauthn-platform", label: "" }, W0 + 2 * WEEK); // a second passkey counts once
      await insertAuthenticator(db, u(2), { factor: "webauthn-platform", label: "" }, W0 + 2 * DAY);
      await insertAuthenticator(db, u(3), { factor: "webauthn-platform", label: "" }, W0 + WEEK + DAY);
      await insertAuthenticator(db, u(3), { factor: "otp", label: "" }, W0);
      const off = await insertAuthenticator(db, u(4), { factor: "phone", label: "", destination: "+447700900123" }, W0);
      await db.updateTable("authenticators").set({ disabled_at: W0 }).where("id", "=", off).execute();
      await insertAuthenticator(db, { tenant: "other", sub: "auth0|9" }, { factor: "webauthn-platform", label: "" }, W0);

      expect(await passkeyAdoption(db, T)).toEqual([
        { week: new Date(W0).toISOString().slice(0, 10), users: 2 },
        { week: new Date(W0 + WEEK).toISOString().slice(0, 10), users: 3 },
      ]);
      expect(await factorMix(db, T)).toEqual([
        { key: "webauthn-platform", n: 4 },
        { key: "otp", n: 1 },
      ]);

      const at = W0 + 3 * WEEK;
      const ev = (event: string, extra: Record<string, unknown> = {}) => ({
        at: at + Number(extra.offset ?? 0),
        tenant: (extra.tenant as string) ?? T,
        sub: "auth0|1",
        flow_id: null,
        event,
        factor: (extra.factor as string) ?? null,
        outcome: (extra.outcome as string) ?? null,
        ip: null,
        user_agent: null,
        detail: extra.detail ? JSON.stringify(extra.detail) : null,
      });
      await db
        .insertInto("audit_events")
        .values([
          ev("challenge.success", { factor: "otp" }),
          ev("challenge.success", { factor: "otp" }),
          ev("challenge.failure", { factor: "otp" }),
          ev("challenge.failure", { factor: "phone" }),
          ev("challenge.failure", { factor: "phone", tenant: "other" }),
          ev("challenge.failure", { factor: "otp", offset: -10 * DAY }), // before the window
          ev("flow.locked"),
          ev("challenge.locked", { offset: DAY }),
          ev("challenge.locked", { offset: DAY + 1 }),
          ev("code.sent", { factor: "phone", detail: { country: "GB" } }),
          ev("code.sent", { factor: "phone", detail: { country: "GB" } }),
          ev("code.sent", { factor: "phone", detail: { country: "US" } }),
          ev("code.sent", { factor: "phone", detail: { country: "FR" } }),
          ev("code.sent", { factor: "email" }),
          ev("policy.outcome", { outcome: "ALLOW", detail: { rule: "office" } }),
          ev("policy.outcome", { outcome: "ALLOW", detail: { rule: "office" } }),
          ev("policy.outcome", { outcome: "CHALLENGE", detail: {} }),
          ev("policy.outcome", { outcome: "DENY", detail: { rule: "embargo" } }),
        ])
        .execute();
      const since = at - DAY;
      expect(await challengeRates(db, T, since)).toEqual([
        { factor: "otp", success: 2, failure: 1 },
        { factor: "phone", success: 0, failure: 1 },
      ]);
      expect(await lockouts(db, T, since)).toEqual([
        { key: new Date(at).toISOString().slice(0, 10), n: 1 },
        { key: new Date(at + DAY).toISOString().slice(0, 10), n: 2 },
      ]);
      expect(await smsByCountry(db, T, since, { GB: 0.04, "*": 0.1 })).toEqual([
        { country: "GB", messages: 2, cost: 0.08 },
        { country: "FR", messages: 1, cost: 0.1 },
        { country: "US", messages: 1, cost: 0.1 },
      ]);
      expect((await smsByCountry(db, T, since, {})).map((r) => r.cost)).toEqual([null, null, null]);
      expect(await policyOutcomes(db, T, since)).toEqual([
        { rule: "", outcome: "CHALLENGE", n: 1 },
        { rule: "embargo", outcome: "DENY", n: 1 },
        { rule: "office", outcome: "ALLOW", n: 2 },
      ]);
    } finally {
      await close();
    }
  });
});
