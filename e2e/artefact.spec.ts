/**
 * The artefact, as the image runs it (#16 item 1), without a container daemon: the built
 * .next/standalone folder copied alone into an empty directory (nothing else from the
 * repository, no dev packages), read-only except its data directory, run as an unprivileged user
 * (nobody, through setpriv) against a fresh PostgreSQL database and Redis: migrations, the server,
 * readiness, a login round trip, and the support CLI, all from the copy.
 */
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, newEmail, test } from "./support/fixtures";
import { E2E } from "./support/ports";
import { enrollAt, freshDatabase, REDIS_URL, start, stopAll, waitForOk } from "./support/processes";
import { startCommand } from "../scripts/start-command.mjs";

test.describe.configure({ mode: "serial" });

const offset = Number(process.env.E2E_PORT_OFFSET ?? 0) || 0;
const KEYSTEP_PORT = 5001 + 10 * offset;
const SIM_PORT = 5002 + 10 * offset;
const keystepUrl = `http://localhost:${KEYSTEP_PORT}`;
const simUrl = `http://127.0.0.1:${SIM_PORT}`;
const SECRET = crypto.randomBytes(32).toString("base64url");
const NOBODY = 65534;

let root = "";
let app = "";
let data = "";
let database: Awaited<ReturnType<typeof freshDatabase>>;
let server: ReturnType<typeof start>;
let copiedAt = 0;

/** The environment of the copy: nothing inherited from this checkout's process but PATH. */
function artefactEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: data,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: String(KEYSTEP_PORT),
    HOSTNAME: "127.0.0.1",
    KEYSTEP_PUBLIC_URL: keystepUrl,
    // Secrets from files, as Docker secrets mount them (compose.yaml).
    KEYSTEP_SECRET_FILE: path.join(root, "secrets", "keystep_secret"),
    KEYSTEP_ENCRYPTION_KEY_FILE: path.join(root, "secrets", "keystep_encryption_key"),
    DATABASE_URL_FILE: path.join(root, "secrets", "database_url"),
    KEYSTEP_AUTH0_DOMAINS: simUrl,
    REDIS_URL,
    SMTP_URL: `smtp://127.0.0.1:${E2E.inboxSmtpPort}`,
    EMAIL_FROM: "Keystep Artefact <mfa@keystep.test>",
    LOG_LEVEL: "warn",
  };
}

/** Runs a command of the copy as nobody, in the copy's folder. */
function asNobody(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("setpriv", [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", process.execPath, ...args], { cwd: app, env: artefactEnv(), timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: typeof error?.code === "number" ? error.code : error ? 1 : 0, stdout, stderr });
    });
  });
}

/** Every file under `dir` changed after `since` (ms), data directory excluded. */
function writtenSince(dir: string, since: number): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (p === data) continue;
      const st = fs.lstatSync(p);
      if (st.mtimeMs > since || st.ctimeMs > since) out.push(path.relative(dir, p));
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  const built = path.resolve(".next/standalone");
  expect(fs.existsSync(path.join(built, "server.js")), "run `npm run build` first").toBe(true);

  // An empty directory that nobody can reach, holding the copy, its data folder and the secrets.
  root = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "keystep-artefact-"));
  fs.chmodSync(root, 0o755);
  app = path.join(root, "app");
  fs.cpSync(built, app, { recursive: true, verbatimSymlinks: true });
  data = path.join(app, "data");
  // A data/ folder may already be there: Next traces an empty data/ of the checkout into the output.
  fs.mkdirSync(data, { recursive: true });
  database = await freshDatabase("keystep_artefact");
  const secrets = path.join(root, "secrets");
  fs.mkdirSync(secrets);
  fs.writeFileSync(path.join(secrets, "keystep_secret"), `${SECRET}\n`);
  fs.writeFileSync(path.join(secrets, "keystep_encryption_key"), `${crypto.randomBytes(32).toString("hex")}\n`);
  fs.writeFileSync(path.join(secrets, "database_url"), `${database.url}\n`);
  for (const f of fs.readdirSync(secrets)) fs.chownSync(path.join(secrets, f), NOBODY, NOBODY);
  // Read-only for everyone (root owns the copy), except the data directory, which nobody owns.
  fs.chmodSync(app, 0o555);
  for (const e of fs.readdirSync(app, { recursive: true, withFileTypes: true })) {
    const p = path.join(e.parentPath, e.name);
    if (p === data || p.startsWith(`${data}${path.sep}`) || e.isSymbolicLink()) continue;
    fs.chmodSync(p, e.isDirectory() ? 0o555 : fs.statSync(p).mode & 0o555);
  }
  for (const e of fs.readdirSync(data, { recursive: true, withFileTypes: true })) fs.chownSync(path.join(e.parentPath, e.name), NOBODY, NOBODY);
  fs.chownSync(data, NOBODY, NOBODY);
  fs.chmodSync(data, 0o700);
  copiedAt = Date.now();
  await new Promise((r) => setTimeout(r, 20));

  const sim = start("auth0-sim", process.execPath, ["--import", "tsx", "e2e/auth0-sim/main.ts"], {
    env: { ...process.env, SIM_PORT: String(SIM_PORT), KEYSTEP_URL: keystepUrl, KEYSTEP_SECRET: SECRET },
  });
  await waitForOk(`${simUrl}/`, sim);
});

test.afterAll(async () => {
  await stopAll();
  await database?.drop();
  if (root) {
    fs.chmodSync(root, 0o755);
    for (const e of fs.readdirSync(root, { recursive: true, withFileTypes: true })) if (e.isDirectory()) fs.chmodSync(path.join(e.parentPath, e.name), 0o755);
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("the copied artefact alone migrates a fresh PostgreSQL database, as nobody, with production packages only", async () => {
  // No tsx, no source: nothing of the checkout but the copy.
  for (const absent of ["node_modules/tsx", "node_modules/typescript", "node_modules/esbuild", "node_modules/@playwright", "node_modules/vitest", "lib", "app", "scripts"]) {
    expect(fs.existsSync(path.join(app, absent)), absent).toBe(false);
  }
  const migrate = await asNobody(["dist/cli/migrate.cjs"]);
  expect(migrate.stderr).toBe("");
  expect(migrate.stdout).toMatch(/^applied: 0001_initial, .*0011_users_are_keyed_by_tenant/);
  expect(migrate.status).toBe(0);
  expect((await asNobody(["dist/cli/migrate.cjs"])).stdout.trim()).toBe("database is up to date");
});

test("the server of the copy runs as nobody, is ready against PostgreSQL and Redis, and completes a login", async ({ page }) => {
  test.setTimeout(120_000);
  // package.json's start script (its V8 flags), with the server as the copy has it.
  const flags = startCommand().filter((a) => a.startsWith("--"));
  server = start("artefact", "setpriv", [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", process.execPath, ...flags, "server.js"], { cwd: app, env: artefactEnv() });
  await waitForOk(`${keystepUrl}/api/health/ready`, server);

  const status = fs.readFileSync(`/proc/${server.child.pid}/status`, "utf8");
  // setpriv execs node: the server's process is nobody's.
  expect(status).toMatch(new RegExp(`^Uid:\\s+${NOBODY}\\s+${NOBODY}\\s+${NOBODY}\\s+${NOBODY}$`, "m"));
  const ready = await fetch(`${keystepUrl}/api/health/ready`);
  expect(await ready.json()).toEqual({ status: "ok", checks: { database: "ok", migrations: "ok", redis: "ok" } });

  const email = newEmail("artefact");
  await enrollAt(page, { keystepUrl, simUrl, email });
  const sub = (await page.getByTestId("sub").textContent())?.trim() ?? "";

  // The support CLI of the copy sees the factor the login set up.
  const show = await asNobody(["dist/cli/keystep.cjs", "show", sub, "--json"]);
  expect(show.status, show.stderr).toBe(0);
  expect(JSON.parse(show.stdout).factors).toEqual([expect.objectContaining({ factor: "otp" })]);
});

test("nothing was written outside the data directory, and nothing was refused a write", async () => {
  expect(server, "the server test ran").toBeDefined();
  expect(writtenSince(app, copiedAt)).toEqual([]);
  expect(fs.readdirSync(data).length).toBeGreaterThanOrEqual(0);
  expect(server.output()).not.toMatch(/EACCES|EROFS|EPERM|permission denied/i);
  const size = Number.parseInt(await new Promise<string>((resolve) => execFile("du", ["-sk", app], (_e, out) => resolve(out))), 10);
  console.log(`artefact: ${Math.round(size / 1024)} MB (du -sk of the copied .next/standalone)`);
});
