import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import { connect, migrateToLatest } from "@/lib/db/connect";
import type { Database } from "@/lib/db/schema";
import { insertAuthenticator, listActive } from "@/lib/factors/authenticators";
import { issueRecoveryCodes } from "@/lib/factors/recovery-code/factor";
import pg from "pg";
import { env, PG_URL } from "@/lib/test/databases";
import { requestRecovery } from "@/lib/recovery/requests";
import { EXIT, runCli } from "./cli";

const HOST = "127.0.0.1:4010";
let dir: string;
let databaseUrl: string;
let db: Kysely<Database>;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "keystep-cli-"));
  databaseUrl = `sqlite:${path.join(dir, "keystep.db")}`;
  db = connect(databaseUrl);
  await migrateToLatest(db);
});
afterAll(async () => {
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI as `npm run keystep -- …` would, with the server's settings. */
async function cli(argv: string[], settings: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCli(argv, { env: { DATABASE_URL: databaseUrl, KEYSTEP_AUTH0_DOMAINS: `http://${HOST}`, ...settings }, out: (t) => out.push(t), err: (t) => err.push(t) });
  return { status, out: out.join("\n"), err: err.join("\n") };
}

async function enrolled(sub = `auth0|${crypto.randomUUID()}`, host = HOST) {
  const user = { tenant: host, sub };
  const id = await insertAuthenticator(db, user, { factor: "otp", label: "Authenticator app", secret: "v1.never-shown" });
  await issueRecoveryCodes(db, env.keys, user);
  return { user, id };
}

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at /);

describe("keystep CLI", () => {
  it("prints help with every command, and exits 0 when asked for it", async () => {
    for (const argv of [["help"], ["--help"], ["reset", "-h"]]) {
      const r = await cli(argv);
      expect(r.status).toBe(EXIT.ok);
      for (const word of ["show <user_id>", "reset <user_id>", "disable <user_id> <authenticator_id>", "enable", "--tenant", "--json"]) expect(r.out).toContain(word);
    }
    expect((await cli([])).status).toBe(EXIT.usage);
  });

  it("shows a user as tables, without the sealed secret", async () => {
    const { user, id } = await enrolled();
    const r = await cli(["show", user.sub]);
    expect(r.status).toBe(EXIT.ok);
    expect(r.out).toContain(`User    ${user.sub}`);
    expect(r.out).toMatch(new RegExp(`${id}\\s+otp\\s+Authenticator app\\s+-\\s+active`));
    expect(r.out).toContain("Recovery codes: 10 of 10 unused");
    expect(r.out).not.toContain("never-shown");
  });

  it("gives machine output with --json", async () => {
    const { user, id } = await enrolled();
    const r = await cli(["show", user.sub, "--json"]);
    expect(JSON.parse(r.out)).toMatchObject({ tenant: HOST, sub: user.sub, factors: [{ id, factor: "otp", status: "active" }], recoveryCodes: { remaining: 10 } });
  });

  it("resets a user and records it with actor cli", async () => {
    const { user } = await enrolled();
    const r = await cli(["reset", user.sub]);
    expect(r.status).toBe(EXIT.ok);
    expect(r.out).toContain("removed 1 factor and 10 recovery codes, revoked 0 devices");
    expect(await listActive(db, user)).toEqual([]);
    const row = await db.selectFrom("audit_events").select("detail").where("sub", "=", user.sub).where("event", "=", "admin.reset").executeTakeFirstOrThrow();
    expect(JSON.parse(row.detail!)).toMatchObject({ actor: "cli" });
  });

  it("disables and enables one factor", async () => {
    const { user, id } = await enrolled();
    expect((await cli(["disable", user.sub, id])).out).toContain(`Disabled the otp factor ${id}`);
    expect(await listActive(db, user)).toEqual([]);
    expect((await cli(["disable", user.sub, id])).out).toContain("already disabled");
    const on = await cli(["enable", user.sub, id, "--json"]);
    expect(JSON.parse(on.out)).toMatchObject({ changed: true, authenticator: { id, status: "active" } });
  });

  it("names the tenant with --tenant (its id or any of its domains), and asks for it when several are configured", async () => {
    const { user } = await enrolled(undefined, "sim");
    const several = {
      KEYSTEP_AUTH0_DOMAINS: "",
      KEYSTEP_TENANTS: "sim,acme",
      KEYSTEP_TENANT_SIM_SECRET: "s".repeat(40),
      KEYSTEP_TENANT_SIM_DOMAINS: `http://${HOST}`,
      KEYSTEP_TENANT_ACME_SECRET: "a".repeat(40),
      KEYSTEP_TENANT_ACME_DOMAINS: "tenant.eu.auth0.com,login.acme.com",
    };
    const missing = await cli(["show", user.sub], several);
    expect(missing.status).toBe(EXIT.usage);
    expect(missing.err).toContain("Several Auth0 tenants are configured (sim; acme); name one with --tenant <id or domain>");
    expect((await cli(["show", user.sub, "--tenant", HOST], several)).status).toBe(EXIT.ok);
    expect((await cli(["show", user.sub, "--tenant", "sim"], several)).status).toBe(EXIT.ok);
    expect((await cli(["show", user.sub, "--tenant", "tenant.us.auth0.com"], several)).err).toContain("is not configured");
  });

  it("exits 1 with a clear message for an unknown user or authenticator", async () => {
    const { user } = await enrolled();
    const nobody = await cli(["show", "auth0|nobody"]);
    expect(nobody).toMatchObject({ status: EXIT.failed, out: "" });
    expect(nobody.err).toBe(`keystep: No Keystep record of user auth0|nobody on ${HOST}.`);
    expect(await cli(["disable", user.sub, "no-such-id"])).toMatchObject({ status: EXIT.failed, err: expect.stringContaining("has no authenticator no-such-id") });
    expect(JSON.parse((await cli(["reset", "auth0|nobody", "--json"])).err)).toEqual({ error: "user_not_found", message: expect.any(String) });
  });

  it("exits 2 on bad usage, saying what was wrong and never printing a stack", async () => {
    const cases: Array<[string[], string]> = [
      [["frob"], 'Unknown command "frob"'],
      [["show"], "show takes <user_id>; got 0 arguments"],
      [["disable", "auth0|1"], "disable takes <user_id> <authenticator_id>"],
      [["show", "auth0|1", "--bogus"], "Unknown option '--bogus'"],
      [["show", "auth0|1", "--tenant"], "argument missing"],
      [["show", " auth0|1"], "The user id must be"],
      [["enable", "auth0|1", "x'; drop table authenticators"], "The authenticator id must be"],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(argv);
      expect(r.status, argv.join(" ")).toBe(EXIT.usage);
      expect(r.err).toContain(message);
      noStack(r.err);
    }
  });

  it("refuses a missing SQLite file instead of creating an empty database", async () => {
    const file = path.join(dir, "missing", "keystep.db");
    const r = await cli(["show", "auth0|1"], { DATABASE_URL: `sqlite:${file}` });
    expect(r).toMatchObject({ status: EXIT.usage, err: expect.stringContaining(`No database at ${file}`) });
    expect(fs.existsSync(file)).toBe(false);
  });

  it("reads DATABASE_URL and KEYSTEP_SECRET from files (DATABASE_URL_FILE, KEYSTEP_SECRET_FILE) as the server does", async () => {
    const { user } = await enrolled();
    const urlFile = path.join(dir, "database_url");
    const secretFile = path.join(dir, "keystep_secret");
    fs.writeFileSync(urlFile, `${databaseUrl}\n`);
    fs.writeFileSync(secretFile, `${"s".repeat(40)}\n`);
    const r = await cli(["show", user.sub, "--json"], { DATABASE_URL: "", DATABASE_URL_FILE: urlFile, KEYSTEP_SECRET_FILE: secretFile });
    expect(r.err).toBe("");
    expect(r.status).toBe(EXIT.ok);
    expect(JSON.parse(r.out).factors).toHaveLength(1);
  });

  it("reports configuration and database errors in one line", async () => {
    expect(await cli(["show", "auth0|1"], { DATABASE_URL: "mysql://db/keystep" })).toMatchObject({ status: EXIT.usage, err: "keystep: DATABASE_URL must be sqlite:<path> or postgres://…" });
    const empty = path.join(dir, "empty.db");
    fs.writeFileSync(empty, "");
    const r = await cli(["show", "auth0|1"], { DATABASE_URL: `sqlite:${empty}` });
    expect(r).toMatchObject({ status: EXIT.failed, err: expect.stringContaining("Database error: no such table") });
    noStack(r.err);
  });

  it("copy-db copies DATABASE_URL into a new, empty PostgreSQL database, showing progress, and refuses a second run into it", async () => {
    await enrolled();
    const schema = `ks_copy_${crypto.randomUUID().slice(0, 8)}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    try {
      const target = `${PG_URL}?schema=${schema}`;
      const first = await cli(["copy-db", "--to", target]);
      expect(first.status, first.err).toBe(EXIT.ok);
      expect(first.out).toMatch(/^Copied \d+ rows into the new database:/);
      expect(first.out).toMatch(/authenticators\s+\d+/);
      expect(first.err).toContain("copying recovery_codes:");
      const copied = await admin.query(`select count(*)::int as n from ${schema}.authenticators`);
      expect(copied.rows[0].n).toBeGreaterThan(0);
      const again = await cli(["copy-db", "--to", target]);
      expect(again).toMatchObject({ status: EXIT.failed, err: expect.stringContaining("is not empty") });
      expect(await cli(["copy-db"])).toMatchObject({ status: EXIT.usage, err: expect.stringContaining("--to <database_url>") });
    } finally {
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
  });

  it("enroll-link prints a link once, refuses a factor the deployment does not offer, and revokes by id", async () => {
    const key = "1".repeat(64);
    const server = { KEYSTEP_ENCRYPTION_KEY: key, KEYSTEP_PUBLIC_URL: "https://mfa.example.com" };
    const { user } = await enrolled();
    const issued = await cli(["enroll-link", user.sub, "--factor", "webauthn-roaming", "--expires", "2d", "--return-to", "https://app.example.com/login", "--json"], server);
    expect(issued.status, issued.err).toBe(EXIT.ok);
    const link = JSON.parse(issued.out);
    expect(link).toMatchObject({ tenant: HOST, sub: user.sub, factor: "webauthn-roaming", returnTo: "https://app.example.com/login" });
    expect(link.url).toMatch(/^https:\/\/mfa\.example\.com\/enroll\/[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(link.expiresAt) - Date.now()).toBeGreaterThan(2 * 86_400_000 - 60_000);
    // The token is stored as the server's keyed hash: the server's key ring finds it.
    const { KeyRing } = await import("@/lib/security/keys");
    const { openableLink } = await import("@/lib/enrollment-links");
    const token = link.url.split("/").pop();
    expect(await openableLink(db, new KeyRing(Buffer.from(key, "hex")), token, Date.now())).toMatchObject({ id: link.id });
    expect(await openableLink(db, new KeyRing(Buffer.from("2".repeat(64), "hex")), token, Date.now())).toBeNull();

    const text = await cli(["enroll-link", user.sub], server);
    expect(text.status, text.err).toBe(EXIT.ok);
    expect(text.out).toContain(`Enrollment link for ${user.sub}`);
    expect(text.out).toContain("a factor they do not have yet");

    expect(await cli(["enroll-link", user.sub, "--factor", "whatsapp"], server)).toMatchObject({ status: EXIT.usage, err: expect.stringContaining('does not offer "whatsapp"') });
    expect(await cli(["enroll-link", user.sub, "--expires", "31d"], server)).toMatchObject({ status: EXIT.usage, err: expect.stringContaining("30 days") });
    expect(await cli(["enroll-link", user.sub, "--expires", "soon"], server)).toMatchObject({ status: EXIT.usage, err: expect.stringContaining("is not a lifetime") });
    expect(await cli(["enroll-link", user.sub])).toMatchObject({ status: EXIT.usage, err: expect.stringContaining("KEYSTEP_ENCRYPTION_KEY") });
    expect(await cli(["show", user.sub, "--factor", "otp"])).toMatchObject({ status: EXIT.usage, err: expect.stringContaining("belong to enroll-link") });

    const revoked = await cli(["enroll-link", user.sub, "--revoke", link.id]);
    expect(revoked).toMatchObject({ status: EXIT.ok, out: expect.stringContaining("Revoked 1 enrollment link") });
    expect(await cli(["enroll-link", user.sub, "--revoke", link.id])).toMatchObject({ status: EXIT.failed, err: expect.stringContaining("no unused, unrevoked enrollment link") });
    expect(await cli(["enroll-link", user.sub, "--revoke", "all"])).toMatchObject({ status: EXIT.ok, out: expect.stringContaining("Revoked 1 enrollment link") });
    const shown = await cli(["show", user.sub]);
    expect(shown.out).toMatch(/enroll_link\.issued/);
    expect(shown.out).toMatch(/enroll_link\.revoked/);
    expect(shown.out).not.toContain(token);
  });
});

describe("recovery approve / cancel", () => {
  const open = async (sub: string) => {
    const deps = {
      db,
      keys: env.keys,
      publicUrl: "https://mfa.example.com",
      budgets: { take: async () => ({ ok: true }) as const, ping: async () => true },
      notify: async () => {},
      revoke: async () => {},
    };
    const r = await requestRecovery(
      deps,
      { user: { tenant: HOST, sub }, email: "ada@example.com", deviceHash: "d", userAgent: null, ip: null, locale: "en", selfService: true, waitHours: 72 },
      Date.now(),
    );
    expect(r.ok).toBe(true);
  };

  it("approve makes the open request ready now, with the reason audited; without a reason it is refused", async () => {
    const sub = `auth0|${crypto.randomUUID()}`;
    await open(sub);
    const refused = await cli(["recovery", "approve", sub]);
    expect(refused.status).toBe(EXIT.usage);
    expect(refused.err).toMatch(/Give a reason/);
    const done = await cli(["recovery", "approve", sub, "--reason", "ID checked on a video call", "--json"]);
    expect(done.status).toBe(EXIT.ok);
    expect(JSON.parse(done.out)).toMatchObject({ status: "ready", approvedBy: "cli" });
    const events = await db.selectFrom("audit_events").select(["event", "detail"]).where("sub", "=", sub).where("event", "=", "admin.recovery_approved").execute();
    expect(JSON.parse(events[0]?.detail ?? "{}")).toMatchObject({ actor: "cli", reason: "ID checked on a video call" });
  });

  it("cancel closes the open request; a user with none gets a clear message", async () => {
    const sub = `auth0|${crypto.randomUUID()}`;
    await open(sub);
    expect((await cli(["recovery", "cancel", sub, "--reason", "user called: not them"])).status).toBe(EXIT.ok);
    expect((await db.selectFrom("recovery_requests").select("status").where("sub", "=", sub).executeTakeFirstOrThrow()).status).toBe("cancelled");
    const again = await cli(["recovery", "cancel", sub, "--reason", "again"]);
    expect(again.status).toBe(EXIT.failed);
    expect(again.err).toMatch(/has no open recovery request/);
    expect((await cli(["recovery", "revoke", sub])).status).toBe(EXIT.usage);
  });
});
