/**
 * The failure drills' stack (e2e/drills.spec.ts): the built Keystep as production runs it, started
 * and killed by the drill itself; a PostgreSQL cluster of the drill's own when the drill restarts
 * the database (the shared one at 127.0.0.1:5432 is never touched); and a driver that makes the
 * requests a browser without JavaScript makes, so the drill can time a kill between two of them.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SignJWT } from "jose";
import { Secret, TOTP } from "otpauth";
import pg from "pg";
import { encrypt } from "../../lib/security/crypto";
import { startCommand } from "../../scripts/start-command.mjs";

const offset = Number(process.env.E2E_PORT_OFFSET ?? 0) || 0;
/**
 * The first of the drills' own ports: 5000 + 10 × E2E_PORT_OFFSET (the offsets in use are 20
 * apart), plus 50 per Playwright worker, so the same drill repeated on two workers never shares one.
 */
export const drillPort = (parallelIndex: number) => 5000 + 10 * offset + 50 * parallelIndex;

export const ISS = "drill.auth0.test";
export const SECRET = "drill-shared-secret-between-auth0-and-keystep-0123";
export const KEY = crypto.createHash("sha256").update(`drill-encryption-key:${SECRET}`).digest();
export const SHARED_PG = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a PostgreSQL binary, as the `postgres` user when this process is root (initdb refuses root). */
function asPostgres(bin: string, args: string[]) {
  const root = process.getuid?.() === 0;
  const r = spawnSync(root ? "runuser" : bin, root ? ["-u", "postgres", "--", bin, ...args] : args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(" ")} failed: ${r.stderr}${r.stdout}`);
}

export interface Cluster {
  url: string;
  stop(): void;
  start(): void;
  destroy(): void;
}

/** A throwaway PostgreSQL 15 cluster on `port`, trust auth, its socket in its own directory. */
export function startCluster(port: number): Cluster {
  const bin = (fs.readdirSync("/usr/lib/postgresql").sort().reverse()[0] ?? "15") as string;
  const tool = (name: string) => `/usr/lib/postgresql/${bin}/bin/${name}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keystep-drill-pg-"));
  if (process.getuid?.() === 0) {
    const uid = Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim());
    const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
    fs.chownSync(dir, uid, gid);
  }
  asPostgres(tool("initdb"), ["-D", dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const ctl = (...args: string[]) => asPostgres(tool("pg_ctl"), ["-D", dir, "-w", "-t", "60", "-l", `${dir}/server.log`, ...args]);
  const start = () => ctl("-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, "start");
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    // Fast shutdown: PostgreSQL ends every session (their clients see the connection close), as a
    // restart by an operator or a failover does.
    stop: () => ctl("-m", "fast", "stop"),
    start,
    destroy() {
      try {
        ctl("-m", "immediate", "stop");
      } catch {}
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh schema in a PostgreSQL database, the DATABASE_URL that selects it, and queries in it. */
export async function freshSchema(url: string, name: string) {
  const run = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = [], schema?: string) => {
    const c = new pg.Client({ connectionString: url, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
    await c.connect();
    try {
      return (await c.query<R>(text, values)).rows;
    } finally {
      await c.end();
    }
  };
  await run(`drop schema if exists ${name} cascade`);
  await run(`create schema ${name}`);
  return {
    url: `${url}?schema=${name}`,
    query: <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) => run<R>(text, values, name),
    drop: async () => void (await run(`drop schema if exists ${name} cascade`)),
  };
}

export interface Keystep {
  base: string;
  child: ChildProcess;
  /** What it wrote to stdout and stderr (its JSON log lines). */
  output(): string;
  /** SIGKILL to its whole process group: no shutdown handler runs, nothing is flushed. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** The production build (`npm start`'s command line) on `databaseUrl`, waiting until it answers ready. */
export async function startKeystep(port: number, databaseUrl: string, env: Record<string, string> = {}): Promise<Keystep> {
  const base = `http://localhost:${port}`;
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(KEYSTEP_|SMTP_|SMS_|WHATSAPP_|REDIS_URL|DATABASE_URL|EMAIL_)/.test(k)));
  const child = spawn(process.execPath, startCommand(), {
    env: {
      ...inherited,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      KEYSTEP_PUBLIC_URL: base,
      KEYSTEP_SECRET: SECRET,
      KEYSTEP_AUTH0_DOMAINS: ISS,
      KEYSTEP_ENCRYPTION_KEY: KEY.toString("hex"),
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const k: Keystep = {
    base,
    child,
    output: () => out,
    async kill9() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(-child.pid!, "SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(-child.pid!, "SIGTERM");
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null && child.signalCode === null) await k.kill9();
    },
  };
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`Keystep exited with ${child.exitCode}:\n${out}`);
    try {
      if ((await fetch(`${base}/api/health/ready`)).ok) return k;
    } catch {}
    await sleep(250);
  }
  await k.kill9();
  throw new Error(`Keystep did not become ready:\n${out}`);
}

/** The session token Auth0's Action would send for `sub`. */
export async function sessionToken(sub: string, claims: Record<string, unknown> = {}) {
  const iat = Math.floor(Date.now() / 1000);
  // Auth0's token has no jti, so two for one user in the same second are the same token, which opens
  // one flow only; a claim of the drill's own keeps each login's token its own.
  return new SignJWT({ iat, iss: ISS, sub, exp: iat + 600, ip: "127.0.0.1", drill_login: crypto.randomBytes(6).toString("base64url"), ...claims })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(SECRET));
}

/** The entry from Auth0 (`/auth0/start`): the flow cookie and where Keystep sends the browser. */
export async function enter(base: string, sub: string, claims: Record<string, unknown> = {}): Promise<{ status: number; cookie: string | undefined; location: string | null }> {
  const state = crypto.randomBytes(12).toString("base64url");
  // A returning user who answered the passkey offer with "Not now", as the bench's round trip.
  const res = await fetch(`${base}/auth0/start?session_token=${await sessionToken(sub, claims)}&state=${state}`, { redirect: "manual", headers: { cookie: "__Host-keystep_passkey_later=1" } });
  await res.arrayBuffer();
  const cookie = res.headers.get("set-cookie")?.split(";")[0];
  return { status: res.status, cookie, location: res.headers.get("location") };
}

const attr = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name.replace(/\$/g, "\\$")}="([^"]*)"`).exec(tag);
  return m
    ? m[1]!
        .replace(/&quot;/g, '"')
        .replace(/&#x27;/g, "'")
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&amp;/g, "&")
    : null;
};

/** The hidden fields of the form that holds `marker` (the code field by default), as a browser without JavaScript posts them. */
export function codeForm(html: string, marker = 'name="code"'): [string, string][] {
  const at = html.indexOf(marker);
  if (at < 0) throw new Error(`no form with ${marker} in:\n${html.slice(0, 2000)}`);
  const start = html.lastIndexOf("<form", at);
  const end = html.indexOf("</form>", at);
  const fields: [string, string][] = [];
  for (const m of html.slice(start, end).matchAll(/<input\b[^>]*>/g)) {
    if (attr(m[0], "type") !== "hidden") continue;
    const name = attr(m[0], "name");
    if (name) fields.push([name, attr(m[0], "value") ?? ""]);
  }
  return fields;
}

export interface Answer {
  status: number;
  location: string | null;
  body: string;
}

async function answer(res: Response): Promise<Answer> {
  return { status: res.status, location: res.headers.get("location"), body: await res.text() };
}

export const get = async (base: string, p: string, cookie?: string, headers: Record<string, string> = {}) =>
  answer(await fetch(`${base}${p}`, { redirect: "manual", headers: { ...(cookie ? { cookie } : {}), ...headers } }));

/**
 * Posts a code on a screen's form: urlencoded to an HTML-only screen (pages/), multipart with the
 * server action's fields to a React screen, as a browser without JavaScript does.
 */
export async function postCode(base: string, p: string, html: string, cookie: string, code: string, multipart = false): Promise<Answer> {
  return postForm(base, p, html, cookie, 'name="code"', [["code", code]], multipart);
}

/** Posts the form that holds `marker`, its hidden fields plus `extra`. */
export async function postForm(base: string, p: string, html: string, cookie: string, marker: string, extra: [string, string][], multipart = false): Promise<Answer> {
  const fields = [...codeForm(html, marker), ...extra];
  let body: URLSearchParams | FormData;
  if (multipart) {
    body = new FormData();
    for (const [k, v] of fields) body.append(k, v);
  } else body = new URLSearchParams(fields);
  return answer(await fetch(`${base}${p}`, { method: "POST", body, redirect: "manual", headers: { cookie, origin: base } }));
}

/** The setup key an authenticator-app setup screen shows. */
export function shownSecret(html: string): string {
  const m = /data-testid="totp-secret"[^>]*>([^<]+)</.exec(html);
  if (!m) throw new Error("no setup key on the page");
  return m[1]!.replace(/\s/g, "");
}

/** The code for TOTP step `step` (default: now) of a base32 key. */
export function totpCode(base32: string, step = Math.floor(Date.now() / 30_000)): string {
  return new TOTP({ secret: Secret.fromBase32(base32) }).generate({ timestamp: step * 30_000 });
}

export const currentStep = () => Math.floor(Date.now() / 30_000);

/**
 * Walks a flow to Auth0 as a browser without JavaScript would, from `path`: saves recovery codes
 * when shown, declines the passkey offer, and returns the /continue page (the result form).
 */
export async function finish(base: string, cookie: string, path: string): Promise<Answer> {
  let at = path;
  for (let hop = 0; hop < 6; hop++) {
    const page = await get(base, at, cookie);
    if (page.status >= 300 && page.status < 400 && page.location) {
      at = page.location;
      continue;
    }
    if (at === "/continue") return page;
    if (at === "/recovery-codes") {
      const r = await postForm(base, at, page.body, cookie, 'name="saved"', [["saved", "on"]], true);
      at = r.location ?? at;
      continue;
    }
    throw new Error(`finish: stuck on ${at} (${page.status})`);
  }
  throw new Error(`finish: too many hops from ${path}`);
}

/**
 * Users with an authenticator app, written straight into a migrated database (as the bench seeds
 * them): `subs[i]` gets a key of its own, sealed as Keystep seals it. Returns the base32 keys.
 */
export async function seedTotpUsers(query: (text: string, values?: unknown[]) => Promise<unknown>, subs: string[]): Promise<string[]> {
  const keys: string[] = [];
  const values: unknown[] = [];
  const rows: string[] = [];
  subs.forEach((sub, i) => {
    const bytes = crypto.randomBytes(20);
    const id = `drill-${crypto.randomUUID()}`;
    keys.push(new Secret({ buffer: Uint8Array.from(bytes).buffer }).base32);
    const o = i * 5;
    rows.push(`($${o + 1}, $${o + 2}, $${o + 3}, 'otp', 'Authenticator app', $${o + 4}, 0, $${o + 5})`);
    values.push(id, ISS, sub, encrypt(KEY, bytes, `authenticator:${id}`), Date.now());
  });
  await query(`insert into authenticators (id, tenant, sub, factor, label, secret, failure_count, created_at) values ${rows.join(", ")}`, values);
  return keys;
}
