/**
 * Threats: a forged enrollment-link token (or a claim cookie passed off as one); a link reused,
 * claimed twice, or used twice by two racing sign-ins; a link claimed in a browser where another
 * user signs in; a link that lets a password holder bind a factor without proving one; an expired
 * or revoked link; a token leaking into the audit trail or the table.
 * Defences: 256-bit tokens and claim values stored only as keyed hashes; claim and use are each one
 * conditional UPDATE; a sign-in takes a link only for the user it was issued to (tenant and sub);
 * the link's setup is a binding step, after a fresh proof of the user's tier; expiry and
 * revocation are checked at every step; the URL is returned once and audited by id.
 */
import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { recentAuditEvents } from "@/lib/audit";
import { insertAuthenticator } from "@/lib/factors/authenticators";
import { nextStep } from "@/lib/flow/next-step";
import { swapPending } from "@/lib/flow/repo";
import type { Flow } from "@/lib/flow/types";
import { userFactors } from "@/lib/flow/user-factors";
import { issueEnrollmentLink, type LinkSettings } from "@/lib/support/ops";
import { BACKENDS, env, newFlowCtx, reload } from "@/lib/test/databases";
import { claimedLink, claimLink, consumeLink, consumeLinkAfterSetup, linkAtEntry, offeredFactors, openableLink, revokeLinks } from "./enrollment-links";

const DAY = 86_400_000;
const settings: LinkSettings = { keys: env.keys, publicUrl: env.publicUrl, offered: offeredFactors(env) };
const tokenOf = (url: string) => new URL(url).pathname.split("/").pop() ?? "";
const newUser = () => ({ tenant: "tenant.eu.auth0.com", sub: `auth0|${crypto.randomUUID()}` });

describe.each(BACKENDS)("enrollment links ($name)", (backend) => {
  async function withDb<T>(fn: (db: Awaited<ReturnType<Backend["open"]>>["db"]) => Promise<T>): Promise<T> {
    const { db, close } = await backend.open();
    try {
      return await fn(db);
    } finally {
      await close();
    }
  }
  type Backend = (typeof BACKENDS)[number];

  /** Issues a link for `user` and claims it as the link page's POST would; returns the link and the claim cookie. */
  async function issueAndClaim(db: Parameters<typeof claimLink>[0], user: { tenant: string; sub: string }, now: number, factor: string | null = "webauthn-roaming") {
    const issued = await issueEnrollmentLink(db, user, { factor, ttlMs: 7 * DAY }, { kind: "cli" }, now, settings);
    if (!issued.ok) throw new Error(issued.message);
    const link = await openableLink(db, env.keys, tokenOf(issued.value.url), now);
    if (!link) throw new Error("the new link does not open");
    const claim = await claimLink(db, env.keys, link.id, now);
    if (!claim) throw new Error("the new link cannot be claimed");
    return { issued: issued.value, link, claim };
  }

  it("threat: a forged enrollment link opens nothing and claims nothing", () =>
    withDb(async (db) => {
      const now = Date.now();
      const user = newUser();
      const { claim } = await issueAndClaim(db, user, now);
      // A token of the right shape, and junk of every other shape: nothing matches.
      for (const forged of [crypto.randomBytes(32).toString("base64url"), "", "x", "a".repeat(43), `${"A".repeat(42)}=`, "../../etc/passwd"]) {
        expect(await openableLink(db, env.keys, forged, now)).toBeNull();
        expect(await claimedLink(db, env.keys, forged, now)).toBeNull();
      }
      // The claim cookie is not the token: it opens no link page.
      expect(await openableLink(db, env.keys, claim, now)).toBeNull();
      // A token hashed under another key (another deployment's link) is unknown here.
      const other = await issueEnrollmentLink(db, user, {}, { kind: "api" }, now, { ...settings, keys: (await import("@/lib/test/env")).testEnv().keys });
      if (!other.ok) throw new Error(other.message);
      expect(await openableLink(db, env.keys, tokenOf(other.value.url), now)).toBeNull();
    }));

  it("threat: a reused enrollment link is refused: one claim, one use, even in parallel", () =>
    withDb(async (db) => {
      const now = Date.now();
      const user = newUser();
      const { issued, link, claim } = await issueAndClaim(db, user, now);
      // The page does not open again once claimed, and a second claim (another browser) fails.
      expect(await openableLink(db, env.keys, tokenOf(issued.url), now)).toBeNull();
      expect(await claimLink(db, env.keys, link.id, now)).toBeNull();
      const parallel = await Promise.all([consumeLink(db, link.id, now), consumeLink(db, link.id, now), consumeLink(db, link.id, now)]);
      expect(parallel.filter(Boolean)).toHaveLength(1);
      // Used: the claim no longer names a live link, and the next sign-in clears the cookie.
      expect(await claimedLink(db, env.keys, claim, now)).toBeNull();
      expect(await linkAtEntry(db, env.keys, claim, user, now)).toEqual({ link: null, stale: true });
    }));

  it("threat: two flows racing on one link: the setup of each is recorded, the link is used once", () =>
    withDb(async (db) => {
      const now = Date.now();
      const user = newUser();
      const { link } = await issueAndClaim(db, user, now);
      const flows = await Promise.all([newFlowCtx(db, user.sub, now), newFlowCtx(db, user.sub, now)]);
      const under = flows.map((c) => ({ ...c.flow, context: { ...c.flow.context, enrollLink: { id: link.id, factor: "webauthn-roaming" as const } } }));
      await Promise.all(under.map((f) => consumeLinkAfterSetup(db, f, "webauthn-roaming", now)));
      const used = (await recentAuditEvents(db, user, 20)).filter((e) => e.event === "enroll_link.used").map((e) => e.outcome);
      expect(used.sort()).toEqual(["refused", "success"]);
    }));

  it("threat: a link for another user does nothing: the flow runs as usual and the link stays unused", () =>
    withDb(async (db) => {
      const now = Date.now();
      const owner = newUser();
      const { link, claim } = await issueAndClaim(db, owner, now);
      // Someone else signs in in the browser holding the claim: same tenant, another sub; and the same sub on another tenant.
      for (const other of [
        { tenant: owner.tenant, sub: `auth0|${crypto.randomUUID()}` },
        { tenant: "other.eu.auth0.com", sub: owner.sub },
      ]) {
        expect(await linkAtEntry(db, env.keys, claim, other, now)).toEqual({ link: null, stale: false });
      }
      const row = await db.selectFrom("enrollment_links").selectAll().where("id", "=", link.id).executeTakeFirstOrThrow();
      expect(row.used_at).toBeNull();
      expect((await recentAuditEvents(db, owner, 20)).filter((e) => e.event === "enroll_link.other_user")).toHaveLength(2);
      // The owner's own sign-in still takes it.
      expect(await linkAtEntry(db, env.keys, claim, owner, now)).toEqual({ link: { id: link.id, factor: "webauthn-roaming" }, stale: false });
    }));

  it("threat: a link does not skip the proof when the user has factors; it asks for its setup after a fresh one", () =>
    withDb(async (db) => {
      const now = Date.now();
      const ctx = await newFlowCtx(db, undefined, now);
      const user = { tenant: ctx.flow.tenant, sub: ctx.flow.sub };
      await insertAuthenticator(db, user, { factor: "otp", label: "" }, now);
      const { link } = await issueAndClaim(db, user, now);
      const flow: Flow = { ...ctx.flow, context: { ...ctx.flow.context, enrollLink: { id: link.id, factor: "webauthn-roaming" } } };
      const f = await userFactors(flow, db, env);
      // No proof yet: the challenge, never the setup.
      expect(nextStep(flow, f, now)).toEqual({ kind: "challenge", factor: "otp" });
      // A proof 11 minutes old does not bind: prove again first.
      const stale = { ...flow, pending: { verified: { factor: "otp" as const, amr: ["otp"], at: now - 11 * 60_000 }, proofs: [{ factor: "otp" as const, mode: "challenge" as const }] } };
      expect(nextStep(stale, f, now)).toEqual({ kind: "challenge", factor: "otp" });
      // A fresh proof: the setup the link names, and nothing completes before it.
      const fresh = { ...flow, pending: { ...stale.pending, verified: { ...stale.pending.verified, at: now } } };
      expect(nextStep(fresh, f, now)).toEqual({ kind: "enroll", factor: "webauthn-roaming" });
      // Once set up in this flow, the link has nothing left to ask.
      expect(await swapPending(db, ctx.flow, { ...fresh.pending, enrolled: ["webauthn-roaming"], offerDone: true })).toBe(true);
      const after = { ...(await reload(ctx)).flow, context: flow.context };
      expect(nextStep(after, await userFactors(after, db, env), now)).toEqual({ kind: "complete" });
    }));

  it("threat: an expired or revoked enrollment link is refused at every step", () =>
    withDb(async (db) => {
      const now = Date.now();
      const user = newUser();
      const short = await issueEnrollmentLink(db, user, { ttlMs: 60_000 }, { kind: "cli" }, now, settings);
      if (!short.ok) throw new Error(short.message);
      const later = now + 60_001;
      expect(await openableLink(db, env.keys, tokenOf(short.value.url), later)).toBeNull();
      expect(await claimLink(db, env.keys, short.value.id, later)).toBeNull();
      // Claimed in time, signed in too late.
      const { claim } = await issueAndClaim(db, user, now);
      expect(await linkAtEntry(db, env.keys, claim, user, now + 7 * DAY + 1)).toEqual({ link: null, stale: true });
      // Revoked by support after the claim.
      const second = await issueAndClaim(db, user, now);
      expect(await revokeLinks(db, user, now, second.link.id)).toBe(1);
      expect(await linkAtEntry(db, env.keys, second.claim, user, now)).toEqual({ link: null, stale: true });
      expect(await consumeLink(db, second.link.id, now)).toBe(false);
    }));

  it("issuing refuses a factor the deployment does not offer, a bad lifetime or return URL, and never audits the token", () =>
    withDb(async (db) => {
      const now = Date.now();
      const user = newUser();
      const refused = await issueEnrollmentLink(db, user, { factor: "whatsapp" }, { kind: "cli" }, now, { ...settings, offered: ["otp"] });
      expect(refused).toMatchObject({ ok: false, error: "invalid_factor" });
      expect(await issueEnrollmentLink(db, user, { factor: "nonsense" }, { kind: "cli" }, now, settings)).toMatchObject({ ok: false, error: "invalid_factor" });
      expect(await issueEnrollmentLink(db, user, { ttlMs: 31 * DAY }, { kind: "cli" }, now, settings)).toMatchObject({ ok: false, error: "invalid_lifetime" });
      expect(await issueEnrollmentLink(db, user, { returnTo: "javascript:alert(1)" }, { kind: "cli" }, now, settings)).toMatchObject({ ok: false, error: "invalid_return_to" });
      expect(await issueEnrollmentLink(db, user, { returnTo: "http://app.example/login" }, { kind: "cli" }, now, settings)).toMatchObject({ ok: false, error: "invalid_return_to" });
      const ok = await issueEnrollmentLink(db, user, { returnTo: "https://app.example/login" }, { kind: "api" }, now, settings);
      if (!ok.ok) throw new Error(ok.message);
      expect(ok.value.url).toMatch(/^http:\/\/localhost:3000\/enroll\/[A-Za-z0-9_-]{43}$/);
      expect(ok.value.factor).toBeNull();
      expect(Date.parse(ok.value.expiresAt) - now).toBe(7 * DAY);
      const events = await recentAuditEvents(db, user, 20);
      expect(events.map((e) => e.event)).toEqual(["enroll_link.issued"]);
      expect(JSON.stringify(events)).not.toContain(tokenOf(ok.value.url));
      const row = await db.selectFrom("enrollment_links").selectAll().where("id", "=", ok.value.id).executeTakeFirstOrThrow();
      expect(JSON.stringify(row)).not.toContain(tokenOf(ok.value.url));
    }));
});
