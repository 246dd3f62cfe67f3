// `npm run bench`: Keystep's MFA round trip against the framework floor, in the same run, on
// SQLite and PostgreSQL; page weight; memory; and flat cost as users grow. Prints a table and
// writes bench/results.json. BENCH_SMOKE=1 runs a few-second version (used by .ci/run).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import zlib from "node:zlib";
import pg from "pg";
import { SignJWT } from "jose";
import { Secret, TOTP } from "otpauth";
import autocannon from "autocannon";
import { sql } from "kysely";
import { connect, migrateToLatest } from "../lib/db/connect";
import { encrypt } from "../lib/security/crypto";

const SMOKE = process.env.BENCH_SMOKE === "1";
const PORT = 3300;
const BASE = `http://localhost:${PORT}`;
const SECRET = "bench-shared-secret-between-auth0-and-keystep-000";
const ISS = "bench.auth0.test";
const KEY = crypto.randomBytes(32);
const PG_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const PHASE_MS = SMOKE ? 1500 : 8000;
const CONCURRENCY = SMOKE ? [1, 10] : [1, 10, 50];
const USERS_SMALL = SMOKE ? 300 : 1000;
const USERS_LARGE = SMOKE ? 3000 : Number(process.env.BENCH_USERS_LARGE ?? 1_000_000);
const AUDIT_LARGE = SMOKE ? 10_000 : Number(process.env.BENCH_AUDIT_LARGE ?? 10_000_000);
const STEPS = ["entry", "challenge page", "verify", "continue"] as const;

type Backend = { name: "sqlite" | "postgres"; url: string; reset(): Promise<void>; cleanup(): Promise<void> };

const SECRET_BYTES = crypto.randomBytes(20); // one TOTP key for every seeded user keeps seeding cheap
const totp = new TOTP({ secret: new Secret({ buffer: Uint8Array.from(SECRET_BYTES).buffer }) });

function percentile(xs: number[], p: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function seedUsers(url: string, from: number, to: number, auditEvents = 0) {
  const db = connect(url);
  await migrateToLatest(db);
  const now = Date.now();
  for (let start = from; start < to; start += 2000) {
    const rows = [];
    for (let i = start; i < Math.min(to, start + 2000); i++) {
      const id = `bench-${i}`;
      rows.push({ id, auth0_host: ISS, sub: `auth0|bench${i}`, factor: "otp", label: "Authenticator app", secret: encrypt(KEY, SECRET_BYTES, `authenticator:${id}`), destination: null, last_used_step: null, failure_count: 0, disabled_at: null, created_at: now, last_used_at: null });
    }
    await db.insertInto("authenticators").values(rows).execute();
  }
  if (auditEvents > 0) {
    // Generated inside the database: ten million rows through bind parameters would take minutes.
    const series = url.startsWith("sqlite:")
      ? sql`with recursive c(x) as (select 1 union all select x + 1 from c where x < ${auditEvents}) insert into audit_events (at, auth0_host, sub, event, factor, outcome) select cast(${now} as bigint) - x, ${ISS}, 'auth0|bench' || (x % ${to}), 'challenge.success', 'otp', 'success' from c`
      : sql`insert into audit_events (at, auth0_host, sub, event, factor, outcome) select cast(${now} as bigint) - x, ${ISS}, 'auth0|bench' || (x % ${to}), 'challenge.success', 'otp', 'success' from generate_series(1, ${auditEvents}) as x`;
    await series.execute(db);
  }
  await db.destroy();
}

async function startServer(b: Backend): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(PORT)], {
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", KEYSTEP_BENCH: "1", PORT: String(PORT), KEYSTEP_PUBLIC_URL: `http://localhost:${PORT}`, KEYSTEP_SECRET: SECRET, KEYSTEP_AUTH0_DOMAINS: ISS, KEYSTEP_ENCRYPTION_KEY: KEY.toString("hex"), DATABASE_URL: b.url, LOG_LEVEL: "error" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${BASE}/api/health`)).ok) return child;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("server did not start");
}

function rssMb(pid: number): number {
  // next start serves from a child process on some versions: sum the tree.
  const pids = [pid, ...spawnSync("pgrep", ["-P", String(pid)]).stdout.toString().split(/\s+/).filter(Boolean).map(Number)];
  return pids.reduce((sum, p) => {
    const m = fs.existsSync(`/proc/${p}/status`) ? fs.readFileSync(`/proc/${p}/status`, "utf8").match(/VmRSS:\s+(\d+)/) : null;
    return sum + (m ? Number(m[1]) / 1024 : 0);
  }, 0);
}

async function floor(path: string) {
  const r = await autocannon({ url: `${BASE}${path}`, connections: 50, duration: Math.max(1, Math.round(PHASE_MS / 1000)) });
  return { reqPerSec: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

async function token(sub: string) {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({ iat, iss: ISS, sub, exp: iat + 600, ip: "127.0.0.1" }).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(SECRET));
}

/**
 * One complete MFA round trip as a browser without JavaScript makes it: 4 requests. Each TOTP
 * code works once, and steps T−1, T and T+1 are accepted, so a user can do `pass` 0, 1, 2 within
 * one 30 s window with increasing steps.
 */
async function roundTrip(user: number, times: number[][], pass = 1): Promise<boolean> {
  const t0 = performance.now();
  const state = crypto.randomBytes(12).toString("base64url");
  const start = await fetch(`${BASE}/auth0/start?session_token=${await token(`auth0|bench${user}`)}&state=${state}`, { redirect: "manual" });
  const cookie = start.headers.get("set-cookie")?.split(";")[0];
  const t1 = performance.now();
  if (start.status !== 303 || !cookie || start.headers.get("location") !== "/otp") return false;
  const page = await fetch(`${BASE}/otp`, { headers: { cookie } });
  const html = await page.text();
  const t2 = performance.now();
  const form = new FormData();
  const formHtml = html.slice(html.indexOf("<form"), html.indexOf('name="code"'));
  for (const m of formHtml.matchAll(/<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?/g)) form.append(m[1]!, (m[2] ?? "").replace(/&quot;/g, '"').replace(/&amp;/g, "&"));
  form.append("code", totp.generate({ timestamp: Date.now() + (pass - 1) * 30_000 }));
  const verify = await fetch(`${BASE}/otp`, { method: "POST", body: form, headers: { cookie, origin: BASE }, redirect: "manual" });
  await verify.arrayBuffer();
  const t3 = performance.now();
  if (verify.status !== 303) return false;
  const cont = await fetch(`${BASE}/continue`, { headers: { cookie } });
  const done = (await cont.text()).includes('name="session_token"');
  const t4 = performance.now();
  [t1 - t0, t2 - t1, t3 - t2, t4 - t3].forEach((d, i) => times[i]!.push(d));
  return done;
}

async function trips(concurrency: number, users: { next: number; from: number; max: number }) {
  const times: number[][] = STEPS.map(() => []);
  let ok = 0;
  let failed = 0;
  const until = performance.now() + PHASE_MS;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const span = users.max - users.from;
      while (performance.now() < until && users.next < users.from + 3 * span) {
        const n = users.next++ - users.from;
        (await roundTrip(users.from + (n % span), times, Math.floor(n / span)).catch(() => false)) ? ok++ : failed++;
      }
    }),
  );
  const seconds = PHASE_MS / 1000;
  const steps: Record<string, { p50: number; p99: number }> = Object.fromEntries(STEPS.map((s, i) => [s, { p50: percentile(times[i]!, 50), p99: percentile(times[i]!, 99) }]));
  return { concurrency, tripsPerSec: ok / seconds, failed, steps };
}

async function gzippedJs(path: string, cookie?: string) {
  const html = await (await fetch(`${BASE}${path}`, { headers: cookie ? { cookie } : {} })).text();
  const srcs = [...new Set([...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!))];
  let js = 0;
  for (const src of srcs) js += zlib.gzipSync(Buffer.from(await (await fetch(`${BASE}${src}`)).arrayBuffer())).length;
  return { jsKb: js / 1024, pageKb: (js + zlib.gzipSync(html).length) / 1024 };
}

async function pageWeights() {
  const cookieFor = async (sub: string) => (await fetch(`${BASE}/auth0/start?session_token=${await token(sub)}&state=${crypto.randomBytes(12).toString("base64url")}`, { redirect: "manual" })).headers.get("set-cookie")!.split(";")[0];
  const blank = await gzippedJs("/bench/floor");
  const otp = await gzippedJs("/otp", await cookieFor("auth0|bench0"));
  const choose = await gzippedJs("/choose", await cookieFor(`auth0|new-${crypto.randomUUID()}`));
  const error = await gzippedJs("/error?reason=token_expired");
  return { blank, otp, choose, error };
}

async function runBackend(b: Backend) {
  await b.reset();
  await seedUsers(b.url, 0, USERS_SMALL);
  let server = await startServer(b);
  for (let i = 0; i < 20; i++) await roundTrip(USERS_SMALL - 1 - i, STEPS.map(() => [])).catch(() => {});
  const idleRss = rssMb(server.pid!);
  const floorPage = await floor("/bench/floor");
  const floorApi = await floor("/bench/floor-api");
  const users = { next: 0, from: 0, max: USERS_SMALL - 20 };
  const runs = [];
  for (const c of CONCURRENCY) runs.push(await trips(c, users));
  const loadedRss = rssMb(server.pid!);
  const weights = await pageWeights();
  server.kill("SIGTERM");

  // Growth: the same measurements with many more users and audit events in the tables.
  await seedUsers(b.url, USERS_SMALL, USERS_LARGE, AUDIT_LARGE);
  server = await startServer(b);
  // Fresh users from the large set, so the 1,000-user run's used steps do not interfere.
  const growthUsers = { next: USERS_SMALL, from: USERS_SMALL, max: USERS_LARGE };
  for (let i = 0; i < 10; i++) await roundTrip(growthUsers.next++, STEPS.map(() => []), 2).catch(() => {});
  const small = runs.find((r) => r.concurrency === 10)!;
  const large = await trips(10, growthUsers);
  server.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 500));
  await b.cleanup();
  return { backend: b.name, floor: { page: floorPage, routeHandler: floorApi }, runs, memory: { idleMb: idleRss, after50Mb: loadedRss }, weights, growth: { users: [USERS_SMALL, USERS_LARGE], auditEvents: AUDIT_LARGE, small: { tripsPerSec: small.tripsPerSec, verifyP50: small.steps.verify!.p50 }, large: { tripsPerSec: large.tripsPerSec, verifyP50: large.steps.verify!.p50 } } };
}

const backends: Backend[] = [
  {
    name: "sqlite",
    url: "sqlite:./data/bench/keystep.db",
    async reset() {
      fs.rmSync("data/bench", { recursive: true, force: true });
      fs.mkdirSync("data/bench", { recursive: true });
    },
    async cleanup() {
      fs.rmSync("data/bench", { recursive: true, force: true });
    },
  },
  (() => {
    const schema = `bench_${crypto.randomBytes(4).toString("hex")}`;
    return {
      name: "postgres" as const,
      url: `${PG_URL}?schema=${schema}`,
      async reset() {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`drop schema if exists ${schema} cascade; create schema ${schema}`);
        await c.end();
      },
      async cleanup() {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`drop schema if exists ${schema} cascade`);
        await c.end();
      },
    };
  })(),
];

async function main() {
  if (!fs.existsSync(".next/BUILD_ID")) spawnSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  const results = [];
  for (const b of backends) {
    console.log(`\n## ${b.name}${SMOKE ? " (smoke)" : ""}`);
    const r = await runBackend(b);
    results.push(r);
    const floorReq = r.floor.page.reqPerSec;
    const rows = r.runs.map((run) => {
      const reqPerSec = run.tripsPerSec * STEPS.length;
      return `| ${run.concurrency} | ${run.tripsPerSec.toFixed(1)} | ${reqPerSec.toFixed(0)} | ${((reqPerSec / floorReq) * 100).toFixed(0)}% | ${STEPS.map((s) => `${run.steps[s]!.p50.toFixed(0)}/${run.steps[s]!.p99.toFixed(0)}`).join(" | ")} | ${run.failed} |`;
    });
    console.log(`Floor: dynamic page ${floorReq.toFixed(0)} req/s (p99 ${r.floor.page.p99} ms), route handler ${r.floor.routeHandler.reqPerSec.toFixed(0)} req/s (p99 ${r.floor.routeHandler.p99} ms), 50 connections`);
    console.log(`| users | trips/s | req/s | vs floor | ${STEPS.map((s) => `${s} p50/p99 ms`).join(" | ")} | failed |`);
    console.log(`|${"---|".repeat(5 + STEPS.length)}`);
    rows.forEach((row) => console.log(row));
    console.log(`Page weight (gzipped JS / whole page, KB): blank ${r.weights.blank.jsKb.toFixed(1)}/${r.weights.blank.pageKb.toFixed(1)}, /otp ${r.weights.otp.jsKb.toFixed(1)}/${r.weights.otp.pageKb.toFixed(1)} (+${(r.weights.otp.jsKb - r.weights.blank.jsKb).toFixed(1)} JS), /choose ${r.weights.choose.jsKb.toFixed(1)}/${r.weights.choose.pageKb.toFixed(1)}, /error ${r.weights.error.jsKb.toFixed(1)}/${r.weights.error.pageKb.toFixed(1)}`);
    console.log(`Memory RSS: idle ${r.memory.idleMb.toFixed(0)} MB, after the load ${r.memory.after50Mb.toFixed(0)} MB`);
    const g = r.growth;
    console.log(`Growth ${g.users[0]} → ${g.users[1]} users, ${g.auditEvents} audit events: trips/s ${g.small.tripsPerSec.toFixed(1)} → ${g.large.tripsPerSec.toFixed(1)}, verify p50 ${g.small.verifyP50.toFixed(1)} → ${g.large.verifyP50.toFixed(1)} ms`);
  }
  fs.mkdirSync("bench", { recursive: true });
  fs.writeFileSync("bench/results.json", JSON.stringify({ at: new Date().toISOString(), smoke: SMOKE, node: process.version, cpus: (await import("node:os")).cpus().length, results }, null, 2) + "\n");
  console.log("\nwrote bench/results.json");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
