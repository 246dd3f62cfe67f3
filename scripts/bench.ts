// `npm run bench`: Keystep's MFA round trip against the framework floor, in the same run, on
// SQLite and PostgreSQL; page weight; memory; flat cost as users grow; Lighthouse scores. Prints a
// table and writes bench/results.json. BENCH_SMOKE=1 runs a quick version (under a minute; it
// writes bench/results.smoke.json and is one of `npm test`'s runners). BENCH_PORT (default 3300)
// and BENCH_PORT+1 are the ports it listens on; BENCH_DATABASES=sqlite|postgres runs one database.
// `npm run bench -- --soak[=minutes]` (or BENCH_SOAK=<minutes>) runs the soak instead: 50 users
// doing round trips for 10 minutes (by default) on one database (PostgreSQL unless BENCH_DATABASES
// says sqlite), sampling Keystep's memory every 10 s, then checking the rows against the
// retention; it writes bench/results.soak.json (docs/operations.md, "Failure drills").
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import pg from "pg";
import { SignJWT } from "jose";
import { Secret, TOTP } from "otpauth";
import autocannon from "autocannon";
import { sql } from "kysely";
import { connect, migrateToLatest } from "../lib/db/connect";
import { encrypt } from "../lib/security/crypto";
import { purgeExpired } from "../lib/retention";
import { startCommand } from "./start-command.mjs";

const SMOKE = process.env.BENCH_SMOKE === "1";
const PORT = Number(process.env.BENCH_PORT ?? 3300);
const SECRET = "bench-shared-secret-between-auth0-and-keystep-000";
const ISS = "bench.auth0.test";
const KEY = crypto.randomBytes(32);
const PG_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const PHASE_MS = SMOKE ? 1500 : 8000;
/**
 * Each load level (and each floor) first runs this long unmeasured, so p99 is the steady state's.
 * Without it the first wave dominated the tail: at 50 users the top entry times (2.7–3.5 s) were
 * all trips started within 4 ms of the phase's start, 50 logins arriving at once on cold
 * connections, a burst a real login stream does not make.
 */
const RAMP_MS = SMOKE ? 300 : 2000;
const CONCURRENCY = SMOKE ? [1, 10] : [1, 10, 50];
const USERS_SMALL = SMOKE ? 300 : 1000;
const USERS_LARGE = SMOKE ? 3000 : Number(process.env.BENCH_USERS_LARGE ?? 1_000_000);
const AUDIT_LARGE = SMOKE ? 10_000 : Number(process.env.BENCH_AUDIT_LARGE ?? 10_000_000);
/** Growth: small and large are measured in alternation (ABBA…), this many rounds each. */
const GROWTH_ROUNDS = SMOKE ? 1 : 4;
const GROWTH_PHASE_MS = SMOKE ? 1000 : 4000;
const GROWTH_WARMUP_MS = SMOKE ? 500 : 3000;
/** Lighthouse runs in full benches (once, on SQLite: the pages do not depend on the database). */
const LIGHTHOUSE = process.env.BENCH_LIGHTHOUSE ? process.env.BENCH_LIGHTHOUSE === "1" : !SMOKE;
/** Lighthouse runs per page, the median reported (Lighthouse's advice on variability): BENCH_LIGHTHOUSE_RUNS, 5 by default, 1 in smoke runs. */
const LIGHTHOUSE_RUNS = Math.max(1, Number(process.env.BENCH_LIGHTHOUSE_RUNS ?? (SMOKE ? 1 : 5)));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Soak length in minutes (0: no soak): `--soak` alone is 10, `--soak=N` or BENCH_SOAK=N is N (fractions allowed). */
const SOAK_MINUTES = (() => {
  const arg = process.argv.slice(2).find((a) => a === "--soak" || a.startsWith("--soak="));
  const raw = arg ? (arg.split("=")[1] ?? "10") : process.env.BENCH_SOAK;
  const n = raw === undefined ? 0 : Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`soak: "${raw}" is not a number of minutes`);
  return n;
})();
const SOAK_CONCURRENCY = Number(process.env.BENCH_SOAK_USERS ?? 50);
/** The soak's verdict on memory: RSS may rise by at most this many MB per minute over its last half (a least-squares slope). */
const SOAK_MAX_SLOPE_MB_PER_MIN = 2;
const STEPS = ["entry", "challenge page", "verify", "continue"] as const;

type Backend = { name: "sqlite" | "postgres"; url(db: string): string; reset(): Promise<void>; prepare(db: string): Promise<void>; cleanup(): Promise<void> };
type Server = { child: ChildProcess; base: string };

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
      rows.push({
        id,
        tenant: ISS,
        sub: `auth0|bench${i}`,
        factor: "otp",
        label: "Authenticator app",
        secret: encrypt(KEY, SECRET_BYTES, `authenticator:${id}`),
        destination: null,
        last_used_step: null,
        failure_count: 0,
        disabled_at: null,
        created_at: now,
        last_used_at: null,
      });
    }
    await db.insertInto("authenticators").values(rows).execute();
  }
  if (auditEvents > 0) {
    // Generated inside the database: ten million rows through bind parameters would take minutes.
    const series = url.startsWith("sqlite:")
      ? sql`with recursive c(x) as (select 1 union all select x + 1 from c where x < ${auditEvents}) insert into audit_events (at, tenant, sub, event, factor, outcome) select cast(${now} as bigint) - x, ${ISS}, 'auth0|bench' || (x % ${to}), 'challenge.success', 'otp', 'success' from c`
      : sql`insert into audit_events (at, tenant, sub, event, factor, outcome) select cast(${now} as bigint) - x, ${ISS}, 'auth0|bench' || (x % ${to}), 'challenge.success', 'otp', 'success' from generate_series(1, ${auditEvents}) as x`;
    await series.execute(db);
  }
  await db.destroy();
}

/** A user with one passkey, whose login opens the passkey challenge (weighed and scored; no ceremony runs). */
async function seedPasskeyUser(url: string) {
  const db = connect(url);
  await db
    .insertInto("authenticators")
    .values({
      id: "bench-passkey",
      tenant: ISS,
      sub: "auth0|bench-passkey",
      factor: "webauthn-platform",
      label: "Passkey",
      secret: null,
      destination: null,
      last_used_step: null,
      failure_count: 0,
      disabled_at: null,
      created_at: Date.now(),
      last_used_at: null,
      credential_id: "AAAA",
      public_key: "AAAA",
      counter: 0,
      transports: '["internal"]',
      aaguid: null,
      backed_up: 1,
      user_verified: 1,
    })
    .execute();
  await db.destroy();
}

async function startServer(url: string, port: number): Promise<Server> {
  const base = `http://localhost:${port}`;
  const child = spawn(process.execPath, startCommand(), {
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      KEYSTEP_BENCH: "1",
      PORT: String(port),
      KEYSTEP_PUBLIC_URL: base,
      KEYSTEP_SECRET: SECRET,
      KEYSTEP_AUTH0_DOMAINS: ISS,
      KEYSTEP_ENCRYPTION_KEY: KEY.toString("hex"),
      DATABASE_URL: url,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/api/health`)).ok) return { child, base };
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("server did not start");
}

async function stopServer(s: Server) {
  if (s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once("exit", r));
  s.child.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
}

/** RSS and peak RSS (VmHWM) in MB, summed over the server and any children it started. */
function memoryMb(pid: number): { rss: number; peak: number } {
  const pids = [
    pid,
    ...spawnSync("pgrep", ["-P", String(pid)])
      .stdout.toString()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number),
  ];
  const read = (field: string) =>
    pids.reduce((sum, p) => {
      const m = fs.existsSync(`/proc/${p}/status`) ? fs.readFileSync(`/proc/${p}/status`, "utf8").match(new RegExp(`${field}:\\s+(\\d+)`)) : null;
      return sum + (m ? Number(m[1]) / 1024 : 0);
    }, 0);
  return { rss: read("VmRSS"), peak: read("VmHWM") };
}

async function floor(base: string, path: string) {
  // The same ramp-up as the round trips (see RAMP_MS), unmeasured.
  await autocannon({ url: `${base}${path}`, connections: 50, duration: Math.max(1, Math.round(RAMP_MS / 1000)) });
  const r = await autocannon({ url: `${base}${path}`, connections: 50, duration: Math.max(1, Math.round(PHASE_MS / 1000)) });
  return { reqPerSec: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

async function token(sub: string) {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({ iat, iss: ISS, sub, exp: iat + 600, ip: "127.0.0.1" }).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(SECRET));
}

async function flowCookie(base: string, sub: string): Promise<string> {
  const res = await fetch(`${base}/auth0/start?session_token=${await token(sub)}&state=${crypto.randomBytes(12).toString("base64url")}`, { redirect: "manual" });
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

/**
 * One complete MFA round trip as a browser without JavaScript makes it: 4 requests, answering
 * with the TOTP code of time step `step` (Keystep accepts T−1, T and T+1, each once per user).
 */
async function roundTrip(base: string, user: number, times: number[][], step = currentStep()): Promise<boolean> {
  const t0 = performance.now();
  const state = crypto.randomBytes(12).toString("base64url");
  // A returning user who answered the passkey offer with "Not now" (the cookie, read at entry): the
  // trip is challenge → Auth0, as most logins are.
  const start = await fetch(`${base}/auth0/start?session_token=${await token(`auth0|bench${user}`)}&state=${state}`, { redirect: "manual", headers: { cookie: "__Host-keystep_passkey_later=1" } });
  const cookie = start.headers.get("set-cookie")?.split(";")[0];
  const t1 = performance.now();
  if (start.status !== 303 || !cookie || start.headers.get("location") !== "/otp") return false;
  const page = await fetch(`${base}/otp`, { headers: { cookie } });
  const html = await page.text();
  const t2 = performance.now();
  // The form as a browser posts it (application/x-www-form-urlencoded), hidden fields included.
  const form = new URLSearchParams();
  const formHtml = html.slice(html.indexOf("<form"), html.indexOf('name="code"'));
  for (const m of formHtml.matchAll(/<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?/g)) form.append(m[1]!, (m[2] ?? "").replace(/&quot;/g, '"').replace(/&amp;/g, "&"));
  form.append("code", totp.generate({ timestamp: step * 30_000 }));
  const verify = await fetch(`${base}/otp`, { method: "POST", body: form, headers: { cookie, origin: base }, redirect: "manual" });
  await verify.arrayBuffer();
  const t3 = performance.now();
  if (verify.status !== 303) return false;
  const cont = await fetch(`${base}/continue`, { headers: { cookie } });
  const done = (await cont.text()).includes('name="session_token"');
  const t4 = performance.now();
  [t1 - t0, t2 - t1, t3 - t2, t4 - t3].forEach((d, i) => times[i]!.push(d));
  return done;
}

const currentStep = () => Math.floor(Date.now() / 30_000);

/** Users to log in, `from`…`max` in turn, with the last TOTP step each one used. */
type Users = { next: number; from: number; max: number; last: Map<number, number> };
const userSet = (from: number, max: number): Users => ({ next: from, from, max, last: new Map() });

/**
 * The next user and the step to answer with: the oldest step still accepted that this user has
 * not used, but T rather than T−1 in a window's last 5 s (T−1 would expire in flight). Null when
 * the users have run out for now (each can log in about three times a window).
 */
function nextLogin(users: Users): { user: number; step: number } | null {
  const user = users.from + ((users.next - users.from) % (users.max - users.from));
  const t = currentStep();
  const late = Date.now() % 30_000 > 25_000;
  const step = Math.max((users.last.get(user) ?? -Infinity) + 1, late ? t : t - 1);
  if (step > t + 1) return null;
  users.next++;
  users.last.set(user, step);
  return { user, step };
}

async function trips(base: string, concurrency: number, users: Users, ms = PHASE_MS) {
  const times: number[][] = STEPS.map(() => []);
  let ok = 0;
  let failed = 0;
  const t0 = performance.now();
  const until = t0 + ms;
  let exhausted = false;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const login = nextLogin(users);
        if (!login) {
          exhausted = true;
          break;
        }
        (await roundTrip(base, login.user, times, login.step).catch(() => false)) ? ok++ : failed++;
      }
    }),
  );
  // Throughput over the time actually measured (shorter if the users ran out).
  const seconds = (performance.now() - t0) / 1000;
  const steps: Record<string, { p50: number; p99: number }> = Object.fromEntries(STEPS.map((s, i) => [s, { p50: percentile(times[i]!, 50), p99: percentile(times[i]!, 99) }]));
  return { concurrency, tripsPerSec: ok / seconds, ok, failed, seconds, exhausted, steps, times };
}

async function gzippedJs(base: string, path: string, cookie?: string) {
  const html = await (await fetch(`${base}${path}`, { headers: cookie ? { cookie } : {} })).text();
  const srcs = [...new Set([...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!))];
  let external = 0;
  for (const src of srcs) external += zlib.gzipSync(Buffer.from(await (await fetch(`${base}${src}`)).arrayBuffer())).length;
  // Inline scripts are JavaScript too (the RSC payload, the probe, the HTML-only enhancement);
  // the page's own weight (its HTML) already holds them.
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!).join("\n");
  const inlineGz = inline ? zlib.gzipSync(inline).length : 0;
  return { jsKb: (external + inlineGz) / 1024, pageKb: (external + zlib.gzipSync(html).length) / 1024 };
}

async function pageWeights(base: string) {
  const blank = await gzippedJs(base, "/bench/floor");
  const otp = await gzippedJs(base, "/otp", await flowCookie(base, "auth0|bench0"));
  const choose = await gzippedJs(base, "/choose", await flowCookie(base, `auth0|new-${crypto.randomUUID()}`));
  const error = await gzippedJs(base, "/error?reason=token_expired");
  const passkey = await gzippedJs(base, "/webauthn-platform", await flowCookie(base, "auth0|bench-passkey"));
  return { blank, otp, choose, error, passkey };
}

type Scores = Record<string, { performance: number; accessibility: number; bestPractices: number; runs?: number[] }>;

/**
 * Lighthouse 12 (default config: mobile, simulated throttling) on the challenge screens, in
 * Debian's Chromium. Returns why it was skipped when it cannot run.
 */
async function lighthouseScores(base: string): Promise<Scores | { skipped: string }> {
  if (!fs.existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM} (apt-get install chromium)` };
  let lighthouse: typeof import("lighthouse").default;
  let launch: typeof import("chrome-launcher").launch;
  try {
    lighthouse = (await import("lighthouse")).default;
    launch = (await import("chrome-launcher")).launch;
  } catch (e) {
    return { skipped: `lighthouse not installed (${(e as Error).message.split("\n")[0]})` };
  }
  const chrome = await launch({
    chromePath: CHROMIUM,
    chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const pages: Record<string, () => Promise<string | undefined>> = {
      "/otp": () => flowCookie(base, "auth0|bench1"),
      "/choose": () => flowCookie(base, `auth0|new-${crypto.randomUUID()}`),
      "/webauthn-platform": () => flowCookie(base, "auth0|bench-passkey"),
      // The framework floor from the same build, for comparison on this (noisy, shared) machine.
      "/bench/floor": async () => undefined,
    };
    const scores: Scores = {};
    for (const [path, cookie] of Object.entries(pages)) {
      const runs: Scores[string][] = [];
      for (let i = 0; i < LIGHTHOUSE_RUNS; i++) {
        const once = (cookie?: string) =>
          lighthouse(`${base}${path}`, {
            port: chrome.port,
            logLevel: "error",
            output: "json",
            onlyCategories: ["performance", "accessibility", "best-practices"],
            ...(cookie ? { extraHeaders: { Cookie: cookie } } : {}),
          });
        let r = await once(await cookie());
        // A run Lighthouse could not complete (its own trace recording failing, e.g. NO_NAVSTART)
        // scores null: say why, and try that run again, twice at most, rather than print a 0.
        for (let retry = 0; r!.lhr.runtimeError && retry < 2; retry++) {
          console.error(`Lighthouse on ${path}: ${r!.lhr.runtimeError.code}; running it again`);
          r = await once(await cookie());
        }
        if (r!.lhr.runtimeError) throw new Error(`Lighthouse on ${path}: ${r!.lhr.runtimeError.code} ${r!.lhr.runtimeError.message}`);
        const cat = r!.lhr.categories;
        for (const [id, a] of Object.entries(r!.lhr.audits)) if (a.errorMessage) console.error(`lighthouse ${path} ${id}: ${a.errorMessage}`);
        // A lost flow cookie would score the error page instead: fail loudly rather than mislead.
        const landed = new URL(r!.lhr.finalDisplayedUrl).pathname;
        if (landed !== path) throw new Error(`Lighthouse: ${path} ended on ${landed}`);
        // The report and the trace behind it (open it in DevTools' Performance panel), to see why.
        fs.mkdirSync("bench/lighthouse", { recursive: true });
        const name = `${path.replace(/^\//, "").replace(/\//g, "-")}.${i + 1}`;
        fs.writeFileSync(`bench/lighthouse/${name}.json`, JSON.stringify(r!.lhr));
        fs.writeFileSync(`bench/lighthouse/${name}.trace.json`, JSON.stringify(r!.artifacts.Trace));
        const metric = (id: string) => Math.round(r!.lhr.audits[id]?.numericValue ?? NaN);
        const run = {
          performance: Math.round((cat.performance?.score ?? 0) * 100),
          accessibility: Math.round((cat.accessibility?.score ?? 0) * 100),
          bestPractices: Math.round((cat["best-practices"]?.score ?? 0) * 100),
        };
        console.log(
          `Lighthouse ${path} run ${i + 1}: ${run.performance}/${run.accessibility}/${run.bestPractices}; FCP ${metric("first-contentful-paint")} ms, LCP ${metric("largest-contentful-paint")} ms, TBT ${metric("total-blocking-time")} ms, CLS ${r!.lhr.audits["cumulative-layout-shift"]?.numericValue?.toFixed(3)}`,
        );
        runs.push(run);
      }
      // The median run, as Lighthouse's own guidance on variability advises (by performance).
      const median = [...runs].sort((a, b) => a.performance - b.performance)[Math.floor(runs.length / 2)]!;
      scores[path] = { ...median, runs: runs.map((r) => r.performance) };
    }
    return scores;
  } finally {
    await chrome.kill();
  }
}

/**
 * Flat cost as users grow: a database with USERS_SMALL users and one with USERS_LARGE users and
 * AUDIT_LARGE audit events, both seeded then analysed (as a production database is, by autovacuum
 * or `PRAGMA optimize`), served side by side by two identical servers warmed up alike, and
 * measured in alternation (small, large, large, small, …) so machine noise and drift hit both.
 * Large-side users are each logged in once, so their rows are cold, as most users' are.
 */
async function growth(b: Backend) {
  await seedUsers(b.url("growth-small"), 0, USERS_SMALL);
  await seedUsers(b.url("growth-large"), 0, USERS_LARGE, AUDIT_LARGE);
  await b.prepare("growth-small");
  await b.prepare("growth-large");
  const small = await startServer(b.url("growth-small"), PORT);
  const large = await startServer(b.url("growth-large"), PORT + 1);
  try {
    const smallUsers = userSet(0, USERS_SMALL);
    const largeUsers = userSet(0, USERS_LARGE);
    // The same warm-up for both (JIT, Next's lazily loaded chunks, database caches).
    await trips(small.base, 10, smallUsers, GROWTH_WARMUP_MS);
    await trips(large.base, 10, largeUsers, GROWTH_WARMUP_MS);
    const sides = { small: [] as Awaited<ReturnType<typeof trips>>[], large: [] as Awaited<ReturnType<typeof trips>>[] };
    for (let r = 0; r < GROWTH_ROUNDS; r++) {
      const order = r % 2 === 0 ? (["small", "large"] as const) : (["large", "small"] as const);
      for (const side of order) sides[side].push(await trips(side === "small" ? small.base : large.base, 10, side === "small" ? smallUsers : largeUsers, GROWTH_PHASE_MS));
    }
    const summary = (runs: Awaited<ReturnType<typeof trips>>[]) => ({
      tripsPerSec: runs.reduce((s, r) => s + r.ok, 0) / runs.reduce((s, r) => s + r.seconds, 0),
      verifyP50: percentile(
        runs.flatMap((r) => r.times[2]!),
        50,
      ),
      rounds: runs.map((r) => Number(r.tripsPerSec.toFixed(1))),
      failed: runs.reduce((s, r) => s + r.failed, 0),
      exhausted: runs.some((r) => r.exhausted),
    });
    return { users: [USERS_SMALL, USERS_LARGE], auditEvents: AUDIT_LARGE, concurrency: 10, rounds: GROWTH_ROUNDS, small: summary(sides.small), large: summary(sides.large) };
  } finally {
    await stopServer(small);
    await stopServer(large);
  }
}

async function runBackend(b: Backend, withLighthouse: boolean) {
  await b.reset();
  await seedUsers(b.url("main"), 0, USERS_SMALL);
  await seedPasskeyUser(b.url("main"));
  await b.prepare("main");
  const server = await startServer(b.url("main"), PORT);
  let main;
  try {
    for (let i = 0; i < 20; i++)
      await roundTrip(
        server.base,
        USERS_SMALL - 1 - i,
        STEPS.map(() => []),
      ).catch(() => {});
    const idle = memoryMb(server.child.pid!);
    const floorPage = await floor(server.base, "/bench/floor");
    const floorApi = await floor(server.base, "/bench/floor-api");
    // The same server after the floor alone: what the framework itself takes under this load.
    const afterFloor = memoryMb(server.child.pid!);
    const users = userSet(0, USERS_SMALL - 20);
    const runs = [];
    for (const c of CONCURRENCY) {
      await trips(server.base, c, users, RAMP_MS); // unmeasured: see RAMP_MS
      runs.push(await trips(server.base, c, users));
    }
    const loaded = memoryMb(server.child.pid!);
    const weights = await pageWeights(server.base);
    const lighthouse = withLighthouse ? await lighthouseScores(server.base).catch((e: Error) => ({ skipped: e.message })) : undefined;
    main = {
      floor: { page: floorPage, routeHandler: floorApi },
      runs: runs.map(({ times: _t, ...r }) => r),
      memory: { nodeFlags: startCommand().filter((a) => a.startsWith("--")), idleMb: idle.rss, afterFloorMb: afterFloor.rss, after50Mb: loaded.rss, peakMb: loaded.peak },
      weights,
      ...(lighthouse ? { lighthouse } : {}),
    };
  } finally {
    await stopServer(server);
  }
  const g = await growth(b);
  await b.cleanup();
  return { backend: b.name, ...main, growth: g };
}

const backends: Backend[] = [
  {
    name: "sqlite",
    // Absolute: the standalone server runs in its own folder (.next/standalone).
    url: (db) => `sqlite:${path.resolve("data/bench", `${db}.db`)}`,
    async reset() {
      fs.rmSync("data/bench", { recursive: true, force: true });
      fs.mkdirSync("data/bench", { recursive: true });
    },
    async prepare(db) {
      // Statistics for the planner, and the WAL folded into the database file.
      const c = connect(`sqlite:./data/bench/${db}.db`);
      await sql`analyze`.execute(c);
      await sql`pragma wal_checkpoint(truncate)`.execute(c);
      await c.destroy();
    },
    async cleanup() {
      fs.rmSync("data/bench", { recursive: true, force: true });
    },
  },
  (() => {
    const prefix = `bench_${crypto.randomBytes(4).toString("hex")}`;
    const dbs = ["main", "growth_small", "growth_large"];
    const schema = (db: string) => `${prefix}_${db.replace("-", "_")}`;
    const admin = async (queries: string[]) => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        for (const q of queries) await c.query(q);
      } finally {
        await c.end();
      }
    };
    return {
      name: "postgres" as const,
      url: (db: string) => `${PG_URL}?schema=${schema(db)}`,
      async reset() {
        await admin(dbs.flatMap((d) => [`drop schema if exists ${schema(d)} cascade`, `create schema ${schema(d)}`]));
      },
      async prepare(db: string) {
        // A bulk load leaves no statistics, no visibility map and unset hint bits; autovacuum
        // fixes that in production (it may be off on a test server), so do it before measuring.
        const tables = ["authenticators", "audit_events", "flows", "attempts", "recovery_codes", "devices"];
        await admin(tables.map((t) => `vacuum (analyze) ${schema(db)}.${t}`));
        await admin(["checkpoint"]).catch(() => {}); // needs superuser or pg_checkpoint
      },
      async cleanup() {
        await admin(dbs.map((d) => `drop schema if exists ${schema(d)} cascade`));
      },
    };
  })(),
];

/**
 * The soak: SOAK_CONCURRENCY users doing complete round trips for `minutes`, with no pause between
 * trips, on one database. Every 10 s (or a sixth of a short run) it samples the server's RSS. At
 * the end: no trip may have failed; RSS over the last half must be flat (slope at most
 * SOAK_MAX_SLOPE_MB_PER_MIN); and the rows must be within the retention: none past its window now
 * (a purge as of now deletes nothing), and every row the soak wrote has an end (a purge as of the
 * day after the audit retention leaves no flow, code, link, spend, audit event or device).
 */
async function soak(minutes: number) {
  const t0 = performance.now();
  const only = process.env.BENCH_DATABASES?.split(",").map((d) => d.trim());
  const b = backends.find((x) => x.name === (only?.[0] ?? "postgres"))!;
  // Enough users that none runs out of TOTP steps (each logs in at most three times a window).
  const userCount = Number(process.env.BENCH_SOAK_ACCOUNTS ?? 5000);
  await b.reset();
  await seedUsers(b.url("main"), 0, userCount);
  await b.prepare("main");
  const server = await startServer(b.url("main"), PORT);
  const pid = server.child.pid!;
  const users = userSet(0, userCount);
  const durationMs = minutes * 60_000;
  const sampleMs = Math.min(10_000, Math.max(1000, durationMs / 6));
  let ok = 0;
  let warm = 0;
  let failed = 0;
  const errors: string[] = [];
  const times: number[][] = STEPS.map(() => []);
  const samples: { s: number; rssMb: number; peakMb: number; trips: number }[] = [];
  let measuredFrom = 0;
  const drive = async (ms: number, measure: boolean) => {
    const until = performance.now() + ms;
    await Promise.all(
      Array.from({ length: SOAK_CONCURRENCY }, async () => {
        while (performance.now() < until) {
          const login = nextLogin(users);
          if (!login) {
            await new Promise((r) => setTimeout(r, 250));
            continue;
          }
          let done = false;
          try {
            done = await roundTrip(server.base, login.user, measure ? times : STEPS.map(() => []), login.step);
          } catch (e) {
            if (measure && errors.length < 10) errors.push((e as Error).message);
          }
          if (!measure) {
            if (done) warm++;
            continue;
          }
          if (done) ok++;
          else {
            failed++;
            if (errors.length < 10) errors.push(`user ${login.user} step ${login.step}: the round trip did not reach the result`);
          }
        }
      }),
    );
  };
  let rows: Record<string, number> = {};
  let purgedNow: Awaited<ReturnType<typeof purgeExpired>>;
  let purgedLater: Awaited<ReturnType<typeof purgeExpired>>;
  let rowsAfterPurge: Record<string, number> = {};
  const tables = ["flows", "challenges", "magic_links", "attempts", "audit_events", "devices", "recovery_codes", "authenticators"] as const;
  try {
    console.log(`soak: ${SOAK_CONCURRENCY} users, ${minutes} min on ${b.name}, ${userCount} accounts; warming up 10 s`);
    await drive(10_000, false);
    measuredFrom = performance.now();
    const sample = () => {
      const m = memoryMb(pid);
      const point = { s: Math.round((performance.now() - measuredFrom) / 1000), rssMb: Math.round(m.rss * 10) / 10, peakMb: Math.round(m.peak * 10) / 10, trips: ok };
      samples.push(point);
      console.log(`soak: ${point.s} s  RSS ${point.rssMb.toFixed(0)} MB  peak ${point.peakMb.toFixed(0)} MB  trips ${ok}  failed ${failed}`);
    };
    sample();
    const timer = setInterval(sample, sampleMs);
    await drive(durationMs, true);
    clearInterval(timer);
    sample();
  } finally {
    await stopServer(server);
  }
  const db = connect(b.url("main"));
  try {
    const count = async () =>
      Object.fromEntries(await Promise.all(tables.map(async (t) => [t, Number((await db.selectFrom(t).select(db.fn.countAll().as("n")).executeTakeFirstOrThrow()).n)] as const)));
    rows = await count();
    // What the server's own purge (every 15 min) would delete now: nothing may be past its window.
    purgedNow = await purgeExpired(db, { auditRetentionDays: 400 });
    // Every row written has an end: the day after the default audit retention, only users' factors remain.
    purgedLater = await purgeExpired(db, { auditRetentionDays: 400, now: Date.now() + 401 * 86_400_000 });
    rowsAfterPurge = await count();
  } finally {
    await db.destroy();
  }
  await b.cleanup();

  const seconds = samples.length ? samples.at(-1)!.s : 0;
  const half = samples.filter((p) => p.s >= seconds / 2);
  const slope = (() => {
    if (half.length < 2) return 0;
    const mx = half.reduce((a, p) => a + p.s, 0) / half.length;
    const my = half.reduce((a, p) => a + p.rssMb, 0) / half.length;
    const num = half.reduce((a, p) => a + (p.s - mx) * (p.rssMb - my), 0);
    const den = half.reduce((a, p) => a + (p.s - mx) ** 2, 0);
    return den ? (num / den) * 60 : 0; // MB per minute
  })();
  const leftover = (["flows", "challenges", "magic_links", "attempts", "audit_events", "devices"] as const).filter((t) => rowsAfterPurge[t] !== 0);
  const pastWindow = Object.values(purgedNow!).reduce((a, n) => a + n, 0);
  const verdict = {
    noError: failed === 0 && errors.length === 0 && ok > 0,
    memoryFlat: slope <= SOAK_MAX_SLOPE_MB_PER_MIN,
    rowsWithinRetention: pastWindow === 0 && leftover.length === 0,
  };
  // Rows each round trip leaves (the warm-up's trips included; the seeded factors are not the trips').
  const perTrip = Object.fromEntries(
    Object.entries(rows)
      .filter(([t]) => t !== "authenticators")
      .map(([t, n]) => [t, ok + warm ? Math.round((n / (ok + warm)) * 100) / 100 : 0]),
  );
  const result = {
    at: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    loadAverage: os.loadavg(),
    backend: b.name,
    minutes,
    concurrency: SOAK_CONCURRENCY,
    accounts: userCount,
    nodeFlags: startCommand().filter((a) => a.startsWith("--")),
    trips: { ok, warmUp: warm, failed, perSecond: seconds ? Math.round((ok / seconds) * 10) / 10 : 0, errors },
    steps: Object.fromEntries(STEPS.map((st, i) => [st, { p50: Math.round(percentile(times[i]!, 50)), p99: Math.round(percentile(times[i]!, 99)) }])),
    memory: {
      samples,
      startMb: samples[0]?.rssMb,
      midMb: half[0]?.rssMb,
      endMb: samples.at(-1)?.rssMb,
      peakMb: samples.at(-1)?.peakMb,
      lastHalfSlopeMbPerMin: Math.round(slope * 100) / 100,
      boundMbPerMin: SOAK_MAX_SLOPE_MB_PER_MIN,
    },
    rows: { atEnd: rows, perTrip, purgedAsOfNow: purgedNow!, purgedAfterRetention: purgedLater!, leftAfterRetention: rowsAfterPurge },
    verdict,
    seconds: Math.round((performance.now() - t0) / 1000),
  };
  fs.mkdirSync("bench", { recursive: true });
  fs.writeFileSync("bench/results.soak.json", `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nsoak on ${b.name}: ${ok} round trips in ${seconds} s (${result.trips.perSecond}/s), ${failed} failed${errors.length ? `; first errors: ${errors.slice(0, 3).join(" | ")}` : ""}`);
  console.log(`step latency p50/p99 ms: ${STEPS.map((st) => `${st} ${result.steps[st]!.p50}/${result.steps[st]!.p99}`).join(", ")}`);
  console.log(`memory RSS (MB) every ${Math.round(sampleMs / 1000)} s: ${samples.map((p) => p.rssMb.toFixed(0)).join(" ")}`);
  console.log(
    `memory: start ${result.memory.startMb} MB, mid ${result.memory.midMb} MB, end ${result.memory.endMb} MB, peak ${result.memory.peakMb} MB; last-half slope ${result.memory.lastHalfSlopeMbPerMin} MB/min (bound ${SOAK_MAX_SLOPE_MB_PER_MIN})`,
  );
  console.log(
    `rows at the end (${ok + warm} trips with the warm-up): ${Object.entries(rows)
      .map(([t, n]) => `${t} ${n}${t in perTrip ? ` (${perTrip[t]}/trip)` : ""}`)
      .join(", ")}`,
  );
  console.log(
    `retention: past their window now ${pastWindow}; after the retention ${leftover.length ? `still there: ${leftover.map((t) => `${t} ${rowsAfterPurge[t]}`).join(", ")}` : "none left but factors and recovery codes"}`,
  );
  console.log(`verdict: no error ${verdict.noError ? "yes" : "NO"}, memory flat ${verdict.memoryFlat ? "yes" : "NO"}, rows within retention ${verdict.rowsWithinRetention ? "yes" : "NO"}`);
  console.log("wrote bench/results.soak.json");
  if (!Object.values(verdict).every(Boolean)) process.exitCode = 1;
}

const signed = (n: number) => `${n >= 0 ? "+" : "−"}${Math.abs(n).toFixed(1)}`;
const pct = (from: number, to: number) => `${to >= from ? "+" : ""}${(((to - from) / from) * 100).toFixed(0)}%`;

async function main() {
  const t0 = performance.now();
  if (SOAK_MINUTES > 0 && !SMOKE) {
    if (!fs.existsSync(".next/BUILD_ID") || !fs.existsSync("public/assets/html-only.js")) throw new Error("soak: build first (npm run build)");
    return soak(SOAK_MINUTES);
  }
  if (!fs.existsSync(".next/BUILD_ID") || !fs.existsSync("public/assets/html-only.js")) {
    // `npm run build`: the browser assets (scripts/build-assets.mjs), then `next build`.
    const r = spawnSync("npm", ["run", "build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (r.status !== 0) throw new Error("next build failed");
  }
  const results = [];
  const only = process.env.BENCH_DATABASES?.split(",").map((d) => d.trim());
  for (const [i, b] of backends.filter((b) => !only || only.includes(b.name)).entries()) {
    console.log(`\n## ${b.name}${SMOKE ? " (smoke)" : ""}`);
    const r = await runBackend(b, LIGHTHOUSE && i === 0);
    results.push(r);
    const floorReq = r.floor.page.reqPerSec;
    const rows = r.runs.map((run) => {
      const reqPerSec = run.tripsPerSec * STEPS.length;
      return `| ${run.concurrency} | ${run.tripsPerSec.toFixed(1)} | ${reqPerSec.toFixed(0)} | ${((reqPerSec / floorReq) * 100).toFixed(0)}% | ${STEPS.map((s) => `${run.steps[s]!.p50.toFixed(0)}/${run.steps[s]!.p99.toFixed(0)}`).join(" | ")} | ${run.failed} |`;
    });
    console.log(
      `Floor: dynamic page ${floorReq.toFixed(0)} req/s (p99 ${r.floor.page.p99} ms), route handler ${r.floor.routeHandler.reqPerSec.toFixed(0)} req/s (p99 ${r.floor.routeHandler.p99} ms), 50 connections`,
    );
    console.log(`| users | trips/s | req/s | vs floor | ${STEPS.map((s) => `${s} p50/p99 ms`).join(" | ")} | failed |`);
    console.log(`|${"---|".repeat(5 + STEPS.length)}`);
    rows.forEach((row) => console.log(row));
    console.log(
      `Page weight (gzipped JS / whole page, KB): blank ${r.weights.blank.jsKb.toFixed(1)}/${r.weights.blank.pageKb.toFixed(1)}, /otp ${r.weights.otp.jsKb.toFixed(1)}/${r.weights.otp.pageKb.toFixed(1)} (${signed(r.weights.otp.jsKb - r.weights.blank.jsKb)} JS vs blank), /choose ${r.weights.choose.jsKb.toFixed(1)}/${r.weights.choose.pageKb.toFixed(1)}, /webauthn-platform ${r.weights.passkey.jsKb.toFixed(1)}/${r.weights.passkey.pageKb.toFixed(1)}, /error ${r.weights.error.jsKb.toFixed(1)}/${r.weights.error.pageKb.toFixed(1)}`,
    );
    const m = r.memory;
    console.log(
      `Memory RSS (${m.nodeFlags.join(" ")}): idle ${m.idleMb.toFixed(0)} MB, after the floor ${m.afterFloorMb.toFixed(0)} MB, after the round trips ${m.after50Mb.toFixed(0)} MB, peak ${m.peakMb.toFixed(0)} MB`,
    );
    const g = r.growth;
    console.log(
      `Growth ${g.users[0]} → ${g.users[1]} users + ${g.auditEvents} audit events (10 users, ${g.rounds} alternating rounds): trips/s ${g.small.tripsPerSec.toFixed(1)} → ${g.large.tripsPerSec.toFixed(1)} (${pct(g.small.tripsPerSec, g.large.tripsPerSec)}; rounds ${g.small.rounds.join("/")} vs ${g.large.rounds.join("/")}), verify p50 ${g.small.verifyP50.toFixed(1)} → ${g.large.verifyP50.toFixed(1)} ms (${pct(g.small.verifyP50, g.large.verifyP50)})`,
    );
    if ("lighthouse" in r && r.lighthouse) {
      const lh = r.lighthouse;
      console.log(
        "skipped" in lh
          ? `Lighthouse: skipped, ${lh.skipped}`
          : `Lighthouse (mobile, median of ${LIGHTHOUSE_RUNS}) performance/accessibility/best practices: ${Object.entries(lh)
              .map(([p, s]) => `${p} ${s.performance}/${s.accessibility}/${s.bestPractices}${s.runs && s.runs.length > 1 ? ` (performance runs ${s.runs.join("/")})` : ""}`)
              .join(", ")}`,
      );
    }
  }
  const failed = results.reduce((n, r) => n + r.runs.reduce((m, run) => m + run.failed, 0) + r.growth.small.failed + r.growth.large.failed, 0);
  fs.mkdirSync("bench", { recursive: true });
  const file = SMOKE ? "bench/results.smoke.json" : "bench/results.json";
  fs.writeFileSync(
    file,
    JSON.stringify(
      { at: new Date().toISOString(), smoke: SMOKE, node: process.version, cpus: os.cpus().length, loadAverage: os.loadavg(), seconds: Math.round((performance.now() - t0) / 1000), results },
      null,
      2,
    ) + "\n",
  );
  console.log(`\nwrote ${file} in ${Math.round((performance.now() - t0) / 1000)} s`);
  // A plain closing line, so scripts/test.mjs can count the smoke run: one check per backend,
  // passed when every round trip completed (speed is reported, never judged here).
  const perBackend = results.map((r) => r.runs.every((run) => run.failed === 0 && run.tripsPerSec > 0) && r.growth.small.failed + r.growth.large.failed === 0);
  console.log(`bench: ${perBackend.filter(Boolean).length} passed, ${perBackend.filter((ok) => !ok).length} failed`);
  if (failed > 0) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
