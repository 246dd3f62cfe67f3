/**
 * Threats: a forged or unknown sign-in link token; two confirmations racing; another device
 * approving a link by guessing the number; mail bombing through links and codes together; a link
 * that points at a host the attacker chose (Host-header injection).
 * Defence: 256-bit tokens stored only as hashes, single use and short-lived; each link is decided
 * once; another device must type the waiting tab's 3-digit number, and a wrong one ends the link
 * and counts as a failure on the flow; links and email codes spend the same email budgets; the
 * URL is built from KEYSTEP_PUBLIC_URL only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { DbBudgetStore } from "@/lib/security/budgets";
import { MAX_FLOW_FAILURES, submitResponse } from "@/lib/flow/attempt";
import { approveFromOtherDevice } from "@/lib/flow/magic";
import { BACKENDS, env, newFlowCtx, reload } from "@/lib/test/databases";
import { testEnv } from "@/lib/test/env";
import { sendCode, type CodeDelivery } from "../code";
import { approveLink, findLink, linkStatus, magicLinkUrl, MAGIC_LINK_TTL_MS, sendMagicLink, type LinkDelivery } from "./factor";

describe.each(BACKENDS)("magic links on $name", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());

  async function sent(existing?: Awaited<ReturnType<typeof newFlowCtx>>) {
    const ctx = existing ?? (await newFlowCtx(db));
    const urls: string[] = [];
    const delivery: LinkDelivery = { budgets: new DbBudgetStore(db), limits: env.budgets, deliver: async (_to, url) => (urls.push(url), { ok: true }) };
    expect(await sendMagicLink(ctx, delivery, `u${Math.random().toString(36).slice(2)}@example.com`)).toMatchObject({ ok: true });
    const token = urls[0]!.split("/magic/")[1]!;
    return { ctx, token, url: urls[0]! };
  }

  it("sends a link with a 256-bit token stored only as a hash", async () => {
    const { ctx, token, url } = await sent();
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(url.startsWith(`${env.publicUrl.origin}/magic/`)).toBe(true);
    const row = await db.selectFrom("magic_links").selectAll().where("flow_id", "=", ctx.flow.id).executeTakeFirstOrThrow();
    expect(row.token_hash).not.toContain(token);
    expect(row.number).toBeGreaterThanOrEqual(100);
    expect(row.number).toBeLessThanOrEqual(999);
  });

  it("threat: parallel double-confirm — exactly one approval wins", async () => {
    const { token } = await sent();
    const found = await findLink(db, env.keys, token, Date.now());
    expect(found.ok).toBe(true);
    if (!found.ok) return;
    const results = await Promise.all(Array.from({ length: 20 }, () => approveLink(db, found.link.id, Date.now())));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await findLink(db, env.keys, token, Date.now())).toEqual({ ok: false, reason: "used" });
  });

  it("threat: cross-device approval by guessing the number", async () => {
    // Threat: another device approved a link by picking one of three 2-digit numbers, and a wrong
    // pick cost nothing: a password holder's link clicked by the victim passed 1 time in 3.
    // Defence: the number (100–999) is typed; one decision per link (a wrong entry refuses the link
    // atomically, so parallel guesses get one try) and each wrong entry counts on the flow, which
    // ends after MAX_FLOW_FAILURES.
    const wrong = (n: number) => String(n === 999 ? 100 : n + 1);
    const { ctx, token } = await sent();
    const found = await findLink(db, env.keys, token, Date.now());
    if (!found.ok) throw new Error("link not found");
    const { link } = found;
    expect(await approveFromOtherDevice(db, ctx.flow, link, wrong(link.number), Date.now())).toBe("refused");
    expect(await findLink(db, env.keys, token, Date.now())).toEqual({ ok: false, reason: "refused" });
    expect(await linkStatus(db, ctx.flow.id, Date.now())).toBe("refused");
    expect((await reload(ctx)).flow.failedAttempts).toBe(1);
    // The right number afterwards does not revive the link.
    expect(await approveFromOtherDevice(db, ctx.flow, link, String(link.number), Date.now())).toBe("gone");
    expect(await submitResponse(await reload(ctx), "magic-link", "challenge", "")).toMatchObject({ ok: false });

    // Parallel guesses at one link: one decision, so one guess is tested, whatever the mix.
    const race = await sent(await reload(ctx, ctx.now + 31_000));
    const raced = await findLink(db, env.keys, race.token, Date.now());
    if (!raced.ok) throw new Error("link not found");
    const guesses = Array.from({ length: 30 }, (_, i) => (i === 15 ? String(raced.link.number) : String(100 + ((raced.link.number - 100 + 1 + i) % 900))));
    const results = await Promise.all(guesses.map((g) => approveFromOtherDevice(db, ctx.flow, raced.link, g, Date.now())));
    expect(results.filter((r) => r !== "gone")).toHaveLength(1);
    const failuresAfterRace = (await reload(ctx)).flow.failedAttempts;
    expect(failuresAfterRace).toBe(results.includes("refused") ? 2 : 1);

    // Each new link's wrong entry counts; at MAX_FLOW_FAILURES the flow ends, denied and audited.
    let current = await reload(ctx, ctx.now + 62_000);
    let last: string = "";
    for (let i = failuresAfterRace; i < MAX_FLOW_FAILURES; i++) {
      if (current.flow.status !== "active") break;
      const next = await sent(current);
      const l = await findLink(db, env.keys, next.token, Date.now());
      if (!l.ok) throw new Error("link not found");
      last = await approveFromOtherDevice(db, current.flow, l.link, wrong(l.link.number), Date.now());
      current = await reload(current, current.now + 31_000);
    }
    expect(last).toBe("flow_ended");
    expect(current.flow).toMatchObject({ status: "done", outcome: "denied", failedAttempts: MAX_FLOW_FAILURES, result: { reason: "too_many_attempts" } });
    const events = await db.selectFrom("audit_events").select(["event", "outcome"]).where("flow_id", "=", ctx.flow.id).execute();
    expect(events.filter((e) => e.event === "link.number_mismatch")).toHaveLength(MAX_FLOW_FAILURES);
    expect(events).toContainEqual({ event: "flow.locked", outcome: "denied" });
  });

  it("another device that types the right number approves the link once", async () => {
    const { ctx, token } = await sent();
    const found = await findLink(db, env.keys, token, Date.now());
    if (!found.ok) throw new Error("link not found");
    // People type with spaces around; only the digits matter.
    expect(await approveFromOtherDevice(db, ctx.flow, found.link, ` ${found.link.number} `, Date.now())).toBe("approved");
    expect(await approveFromOtherDevice(db, ctx.flow, found.link, String(found.link.number), Date.now())).toBe("gone");
    expect((await reload(ctx)).flow.failedAttempts).toBe(0);
    expect(await submitResponse(await reload(ctx), "magic-link", "challenge", "")).toEqual({ ok: true });
  });

  it("threat: a forged or unknown token is refused", async () => {
    await sent();
    expect(await findLink(db, env.keys, "A".repeat(43), Date.now())).toEqual({ ok: false, reason: "unknown" });
    expect(await findLink(db, env.keys, "../../etc/passwd", Date.now())).toEqual({ ok: false, reason: "unknown" });
  });

  it("an expired or replaced link is refused", async () => {
    const { ctx, token } = await sent();
    expect(await findLink(db, env.keys, token, ctx.now + MAGIC_LINK_TTL_MS + 1)).toEqual({ ok: false, reason: "expired" });
  });

  it("only the flow that sent the link can finish, and only once it was approved", async () => {
    const a = await sent();
    const b = await sent();
    expect(await submitResponse(a.ctx, "magic-link", "challenge", "")).toEqual({ ok: false, error: "link_pending" });
    expect((await reload(a.ctx)).flow.failedAttempts).toBe(0);
    const found = await findLink(db, env.keys, a.token, Date.now());
    if (!found.ok) throw new Error("link not found");
    await approveLink(db, found.link.id, Date.now());
    expect(await linkStatus(db, a.ctx.flow.id, Date.now())).toBe("approved");
    expect(await submitResponse(await reload(b.ctx), "magic-link", "challenge", "")).toMatchObject({ ok: false });
    expect(await submitResponse(await reload(a.ctx), "magic-link", "challenge", "")).toEqual({ ok: true });
    expect(await submitResponse(await reload(a.ctx), "magic-link", "challenge", "")).toMatchObject({ ok: false });
  });
  it("threat: sign-in links and codes together exceed the email budget", async () => {
    // One user, one address, from one IP: links and codes (each in a fresh flow, so no cool-down
    // applies) draw on the same per-address and per-user budgets.
    const sub = `auth0|${Math.random().toString(36).slice(2)}`;
    const to = `both-${Math.random().toString(36).slice(2)}@example.com`;
    const budgets = new DbBudgetStore(db);
    const mails: string[] = [];
    const links: LinkDelivery = { budgets, limits: env.budgets, deliver: async (_to, url) => (mails.push(url), { ok: true }) };
    const codes: CodeDelivery = { budgets, limits: env.budgets, deliver: async (_c, _to, code) => (mails.push(code), { ok: true }) };
    const results = [];
    const limit = Math.min(env.budgets.email.perDestination, env.budgets.email.perUser);
    for (let i = 0; i < limit + 4; i++) {
      const ctx = await newFlowCtx(db, sub);
      ctx.flow.context.ip = "198.51.100.77";
      results.push(i % 2 === 0 ? await sendMagicLink(ctx, links, to) : await sendCode(ctx, codes, "email", "challenge", to));
    }
    expect(results.filter((r) => r.ok)).toHaveLength(limit);
    expect(mails).toHaveLength(limit);
    expect(results.slice(limit).every((r) => !r.ok && r.error === "budget_exhausted")).toBe(true);
  });
});

describe("threat: Host-header injection", () => {
  it("builds the link from KEYSTEP_PUBLIC_URL only", () => {
    const e = testEnv({ KEYSTEP_PUBLIC_URL: "https://mfa.example.com" });
    // There is no request input to the builder at all: a forged Host header has nothing to reach.
    expect(magicLinkUrl(e, "TOKEN")).toBe("https://mfa.example.com/magic/TOKEN");
    expect(magicLinkUrl.length).toBe(2);
  });
});
