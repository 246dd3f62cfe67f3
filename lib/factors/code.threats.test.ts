/**
 * Threats: guessing, racing or replaying an email or SMS code; using a code from another login;
 * SMS pumping (toll fraud) through sends to numbers an attacker chooses; a failed delivery taken
 * for a sent code.
 * Defence: codes stored as keyed hashes, bound to the flow that sent them, single use (one
 * conditional update), at most 5 attempts, and a resend never resets the failure count; every send
 * must fit the country allowlist and every budget (per number, user, IP, country of the number and
 * instance; hourly and daily), or nothing is sent; a failed delivery is reported and starts no
 * cool-down.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { Redis } from "ioredis";
import { DbBudgetStore, RedisBudgetStore } from "@/lib/security/budgets";
import { submitCode, MAX_FLOW_FAILURES } from "@/lib/flow/attempt";
import { BACKENDS, env, newFlowCtx, reload } from "@/lib/test/databases";
import { parseDestination } from "./channel";
import { CODE_TTL_MS, RESEND_COOLDOWN_MS, sendCode, type CodeDelivery } from "./code";
import type { FactorCtx } from "./types";
import type { Budgets } from "@/lib/env";
import { testEnv } from "@/lib/test/env";

/** Delivery double that records what would have reached the user's inbox or phone. */
function recorder(db: Kysely<Database>, fail = false, limits: Budgets = env.budgets) {
  const sent: Array<{ to: string; code: string }> = [];
  const delivery: CodeDelivery = {
    budgets: new DbBudgetStore(db),
    limits,
    async deliver(_channel, to, code) {
      if (fail) return { ok: false, error: "unavailable", detail: "SMTP down" };
      sent.push({ to, code });
      return { ok: true };
    },
  };
  return { sent, delivery, last: () => sent.at(-1)!.code };
}

const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

describe.each(BACKENDS)("email and SMS codes on $name", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());

  const unique = () => `u${Math.random().toString(36).slice(2)}@example.com`;
  async function challenged(channel: "email" | "phone" = "email", to = unique()) {
    const ctx = await newFlowCtx(db);
    const r = recorder(db);
    expect(await sendCode(ctx, r.delivery, channel, "challenge", to)).toMatchObject({ ok: true });
    return { ctx, r };
  }

  it("a sent code verifies once and completes the flow", async () => {
    const { ctx, r } = await challenged();
    expect(r.last()).toMatch(/^\d{6}$/);
    expect(await submitCode(ctx, "email", "challenge", r.last())).toEqual({ ok: true });
    expect((await reload(ctx)).flow).toMatchObject({ outcome: "success", result: { amr: ["email"] } });
  });

  it("stores only a keyed hash of the code", async () => {
    const { ctx, r } = await challenged();
    const rows = await db.selectFrom("challenges").select("code_hash").where("flow_id", "=", ctx.flow.id).execute();
    expect(rows[0]!.code_hash).not.toContain(r.last());
  });

  it("threat: fifty parallel verifies of one valid code give exactly one success", async () => {
    const { ctx, r } = await challenged();
    const results = await Promise.all(Array.from({ length: 50 }, () => submitCode(ctx, "email", "challenge", r.last())));
    expect(results.filter((x) => x.ok)).toHaveLength(1);
  });

  it("threat: a code from flow A is useless in flow B", async () => {
    const a = await challenged();
    const b = await challenged();
    expect(await submitCode(b.ctx, "email", "challenge", a.r.last())).toMatchObject({ ok: false });
    expect(await submitCode(await reload(a.ctx), "email", "challenge", a.r.last())).toEqual({ ok: true });
  });

  it("threat: a resend does not reset the failure count", async () => {
    let { ctx, r } = await challenged();
    for (let i = 0; i < 3; i++) expect(await submitCode(await reload(ctx), "email", "challenge", wrong(r.last()))).toMatchObject({ error: "code_invalid" });
    ctx = await reload(ctx, ctx.now + RESEND_COOLDOWN_MS + 1);
    expect(await sendCode(ctx, r.delivery, "email", "challenge", r.sent.at(-1)!.to)).toMatchObject({ ok: true });
    expect(await submitCode(await reload(ctx), "email", "challenge", wrong(r.last()))).toMatchObject({ error: "code_invalid", remaining: 1 });
    expect(await submitCode(await reload(ctx), "email", "challenge", wrong(r.last()))).toEqual({ ok: false, error: "flow_ended" });
    expect((await reload(ctx)).flow.failedAttempts).toBe(MAX_FLOW_FAILURES);
  });

  it("a resend retires the previous code", async () => {
    const { ctx, r } = await challenged();
    const first = r.last();
    const later = await reload(ctx, ctx.now + RESEND_COOLDOWN_MS + 1);
    await sendCode(later, r.delivery, "email", "challenge", r.sent.at(-1)!.to);
    expect(await submitCode(await reload(later), "email", "challenge", first)).toMatchObject({ ok: false });
    expect(await submitCode(await reload(later), "email", "challenge", r.last())).toEqual({ ok: true });
  });

  it("an expired code is refused (email after 10 minutes, SMS after 5)", async () => {
    const e = await challenged("email");
    expect(await submitCode(await reload(e.ctx, e.ctx.now + CODE_TTL_MS.email + 1), "email", "challenge", e.r.last())).toEqual({ ok: false, error: "code_expired" });
    const p = await challenged("phone", "+447400123456");
    expect(await submitCode(await reload(p.ctx, p.ctx.now + CODE_TTL_MS.phone + 1), "phone", "challenge", p.r.last())).toEqual({ ok: false, error: "code_expired" });
    expect(await submitCode(await reload(p.ctx, p.ctx.now + CODE_TTL_MS.phone - 1000), "phone", "challenge", p.r.last())).toEqual({ ok: true });
  });

  it("enforces the resend cool-down", async () => {
    const { ctx, r } = await challenged();
    const again = await sendCode(await reload(ctx, ctx.now + 5_000), r.delivery, "email", "challenge", r.sent.at(-1)!.to);
    expect(again).toMatchObject({ ok: false, error: "cooldown" });
    expect(again.ok === false && again.retryAfterMs).toBe(RESEND_COOLDOWN_MS - 5_000);
  });

  it("threat: SMS pumping — the per-number budget holds across flows and users", async () => {
    const number = `+4474001${String(Math.floor(Math.random() * 90000) + 10000)}`;
    const results = [];
    for (let i = 0; i < env.budgets.sms.perDestination + 2; i++) {
      const ctx: FactorCtx = await newFlowCtx(db);
      results.push(await sendCode(ctx, recorder(db).delivery, "phone", "challenge", number));
    }
    expect(results.filter((x) => x.ok)).toHaveLength(env.budgets.sms.perDestination);
    expect(results.at(-1)).toMatchObject({ ok: false, error: "budget_exhausted" });
  });

  it("threat: SMTP down — a failed delivery is reported and does not start the cool-down", async () => {
    const ctx = await newFlowCtx(db);
    const down = recorder(db, true);
    const to = unique();
    expect(await sendCode(ctx, down.delivery, "email", "challenge", to)).toEqual({ ok: false, error: "delivery_failed" });
    const up = recorder(db);
    expect(await sendCode(await reload(ctx, ctx.now + 1000), up.delivery, "email", "challenge", to)).toMatchObject({ ok: true });
  });
});

describe.each(BACKENDS)("drills on $name (#16)", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());

  it("drill: Redis is down while the budgets live there — a send fails closed and nothing is delivered, and a code sent before still verifies", async () => {
    const ctx = await newFlowCtx(db);
    const up = recorder(db);
    const to = `u${Math.random().toString(36).slice(2)}@example.com`;
    expect(await sendCode(ctx, up.delivery, "email", "challenge", to)).toMatchObject({ ok: true });
    const redis = new Redis("redis://127.0.0.1:9", { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
    redis.on("error", () => {}); // the refused connection is the drill
    try {
      const down = recorder(db);
      down.delivery.budgets = new RedisBudgetStore(redis);
      const later = await reload(ctx, ctx.now + RESEND_COOLDOWN_MS + 1000);
      expect(await sendCode(later, down.delivery, "email", "challenge", to)).toEqual({ ok: false, error: "budget_unavailable" });
      expect(down.sent).toEqual([]);
      expect(await submitCode(later, "email", "challenge", up.last())).toEqual({ ok: true });
    } finally {
      redis.disconnect();
    }
  });
});

const HOUR = 3_600_000;
let serial = 0;
/** A fresh valid UK mobile number (+44 7400 1xxxxx) for each call. */
const ukMobile = () => `+4474001${String(10000 + (serial++ % 90000))}`;

describe.each(BACKENDS)("SMS budgets per country and per day on $name", (backend) => {
  // A database per test: the global and country buckets must start empty.
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeEach(async () => ({ db, close } = await backend.open()));
  afterEach(() => close());

  const send = async (limits: Budgets, to: string, now: number, sub?: string) => sendCode(await newFlowCtx(db, sub, now), recorder(db, false, limits).delivery, "phone", "challenge", to);

  it("threat: SMS pumping — one country's sends stop at its cap while another country still gets through", async () => {
    const limits = testEnv({ SMS_BUDGET_PER_COUNTRY: "3", SMS_BUDGET_PER_COUNTRY_DAILY: "5", SMS_BUDGET_GLOBAL: "10", SMS_BUDGET_PER_IP: "1000" }).budgets;
    const t0 = Date.UTC(2026, 11, 1, 9);
    // Throw-away accounts pump fresh UK numbers: each a new user and a new number.
    const pumped = [];
    for (let i = 0; i < 10; i++) pumped.push(await send(limits, ukMobile(), t0 + i));
    expect(pumped.filter((r) => r.ok)).toHaveLength(3);
    expect(pumped.at(-1)).toMatchObject({ ok: false, error: "budget_exhausted" });
    // The global budget (10) was not spent by the refused sends: France and Germany still get codes.
    expect(await send(limits, "+33612345678", t0 + 20)).toMatchObject({ ok: true });
    expect(await send(limits, "+4915123456789", t0 + 21)).toMatchObject({ ok: true });
    // An hour later the UK gets two more, then its daily cap (5) holds for the rest of the day.
    expect(await send(limits, ukMobile(), t0 + HOUR + 1)).toMatchObject({ ok: true });
    expect(await send(limits, ukMobile(), t0 + HOUR + 2)).toMatchObject({ ok: true });
    expect(await send(limits, ukMobile(), t0 + HOUR + 3)).toMatchObject({ ok: false, error: "budget_exhausted" });
    const later = await send(limits, ukMobile(), t0 + 6 * HOUR);
    expect(later).toMatchObject({ ok: false, error: "budget_exhausted" });
    expect(!later.ok && later.retryAfterMs).toBeGreaterThan(17 * HOUR);
    expect(await send(limits, "+33612345679", t0 + 6 * HOUR + 1)).toMatchObject({ ok: true });
    expect(await send(limits, ukMobile(), t0 + 24 * HOUR + 1)).toMatchObject({ ok: true });
  });

  it("threat: WhatsApp pumping — WhatsApp has its own per-number, per-country and daily budgets, apart from SMS", async () => {
    const limits = testEnv({ WHATSAPP_BUDGET_PER_NUMBER: "2", WHATSAPP_BUDGET_PER_NUMBER_DAILY: "3", WHATSAPP_BUDGET_PER_COUNTRY: "4", WHATSAPP_BUDGET_PER_IP: "1000" }).budgets;
    const t0 = Date.UTC(2026, 11, 1, 9);
    const wa = async (to: string, now: number) => sendCode(await newFlowCtx(db, undefined, now), recorder(db, false, limits).delivery, "whatsapp", "challenge", to);
    const number = ukMobile();
    expect(await wa(number, t0)).toMatchObject({ ok: true });
    expect(await wa(number, t0 + 1)).toMatchObject({ ok: true });
    expect(await wa(number, t0 + 2)).toMatchObject({ ok: false, error: "budget_exhausted" });
    // The same number still gets SMS: the channels spend separate budgets.
    expect(await send(limits, number, t0 + 3)).toMatchObject({ ok: true });
    // The per-number daily cap holds across hours.
    expect(await wa(number, t0 + HOUR + 1)).toMatchObject({ ok: true });
    expect(await wa(number, t0 + 2 * HOUR + 1)).toMatchObject({ ok: false, error: "budget_exhausted" });
    // Throw-away accounts pumping fresh UK numbers stop at the per-country cap (4 an hour); France still gets through.
    const pumped = [];
    for (let i = 0; i < 6; i++) pumped.push(await wa(ukMobile(), t0 + 3 * HOUR + i));
    expect(pumped.filter((r) => r.ok)).toHaveLength(4);
    expect(pumped.at(-1)).toMatchObject({ ok: false, error: "budget_exhausted" });
    expect(await wa("+33612345678", t0 + 3 * HOUR + 10)).toMatchObject({ ok: true });
    const buckets = (await db.selectFrom("attempts").select("bucket").execute()).map((r) => r.bucket);
    expect(buckets).toContain("whatsapp:country:GB");
    expect(buckets).toContain(`phone:dest:${number}`);
  });

  it.each([
    { cap: "per number", hourly: "SMS_BUDGET_PER_NUMBER", daily: "SMS_BUDGET_PER_NUMBER_DAILY", target: () => ({ to: "+447400199999", sub: undefined }) },
    { cap: "per user", hourly: "SMS_BUDGET_PER_USER", daily: "SMS_BUDGET_PER_USER_DAILY", target: () => ({ to: ukMobile(), sub: "auth0|pumper" }) },
    { cap: "global", hourly: "SMS_BUDGET_GLOBAL", daily: "SMS_BUDGET_GLOBAL_DAILY", target: () => ({ to: ukMobile(), sub: undefined }) },
  ])("threat: SMS pumping — the daily cap $cap holds across hours", async ({ hourly, daily, target }) => {
    const limits = testEnv({ [hourly]: "2", [daily]: "3" }).budgets;
    const t0 = Date.UTC(2026, 11, 1, 9);
    const at = (now: number) => {
      const { to, sub } = target();
      return send(limits, to, now, sub);
    };
    expect(await at(t0)).toMatchObject({ ok: true });
    expect(await at(t0 + 1)).toMatchObject({ ok: true });
    expect(await at(t0 + 2)).toMatchObject({ ok: false, error: "budget_exhausted" });
    // The hourly window moved on; the day's third send is the last.
    expect(await at(t0 + HOUR + 1)).toMatchObject({ ok: true });
    expect(await at(t0 + 2 * HOUR + 1)).toMatchObject({ ok: false, error: "budget_exhausted" });
    const evening = await at(t0 + 12 * HOUR);
    expect(evening).toMatchObject({ ok: false, error: "budget_exhausted" });
    expect(!evening.ok && evening.retryAfterMs).toBe(12 * HOUR);
    expect(await at(t0 + 24 * HOUR + 1)).toMatchObject({ ok: true });
  });
});

describe("phone numbers", () => {
  const allowed = ["GB", "US"];
  it("stores valid mobile numbers as E.164", () => {
    expect(parseDestination("phone", "07400 123456", "GB", allowed)).toEqual({ ok: true, value: "+447400123456" });
    expect(parseDestination("phone", "+1 201 555 0123", undefined, allowed)).toMatchObject({ ok: true, value: "+12015550123" });
  });

  it("threat: toll fraud — numbers outside the country allowlist are refused", () => {
    expect(parseDestination("phone", "+33 6 12 34 56 78", undefined, allowed)).toEqual({ ok: false, error: "country_not_allowed" });
    expect(parseDestination("phone", "+33 6 12 34 56 78", undefined, ["*"])).toMatchObject({ ok: true });
  });

  it("refuses invalid numbers and numbers that cannot receive SMS", () => {
    expect(parseDestination("phone", "12345", "GB", allowed)).toEqual({ ok: false, error: "phone_invalid" });
    expect(parseDestination("phone", "020 7946 0000", "GB", allowed)).toEqual({ ok: false, error: "phone_not_mobile" });
  });

  it("validates email addresses", () => {
    expect(parseDestination("email", " Ada@Example.com ", undefined, [])).toEqual({ ok: true, value: "ada@example.com" });
    expect(parseDestination("email", "not-an-email", undefined, [])).toEqual({ ok: false, error: "email_invalid" });
  });
});
