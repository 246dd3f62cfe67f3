// Processes a journey starts and stops itself (the artefact run, several instances, nginx):
// their output is kept for the report, and every one is stopped in afterAll.
import { type ChildProcess, spawn, type SpawnOptions } from "node:child_process";
import crypto from "node:crypto";
import pg from "pg";
import { expect, type Page } from "@playwright/test";
import { AuthenticatorApp, latestCode, OtpScreens, SimApp } from "./fixtures";

/** PostgreSQL for journeys (the same server the integration tests use). */
export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
/** Redis for journeys (shared: keys only, never flushed). */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export interface Started {
  name: string;
  child: ChildProcess;
  /** Everything it wrote, stdout and stderr. */
  output(): string;
}

const running: Started[] = [];

/** Starts a process and records its output; `stop()` ends it. */
export function start(name: string, command: string, args: string[], options: SpawnOptions): Started {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const started = { name, child, output: () => out };
  running.push(started);
  return started;
}

/** Stops every process `start` began, and waits for them to exit. */
export async function stopAll(): Promise<void> {
  await Promise.all(
    running.splice(0).map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
          p.child.once("exit", () => resolve());
          p.child.kill("SIGTERM");
          setTimeout(() => p.child.kill("SIGKILL"), 5_000).unref();
        }),
    ),
  );
}

/** Waits until `url` answers 200, failing early when `proc` exits. */
export async function waitForOk(url: string, proc?: Started, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (proc && proc.child.exitCode !== null) throw new Error(`${proc.name} exited (${proc.child.exitCode}) before ${url} answered:\n${proc.output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms${proc ? `:\n${proc.output()}` : ""}`);
}

/** A fresh, empty PostgreSQL database; `drop()` removes it. */
export async function freshDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${crypto.randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/**
 * A new user's first login through the simulator at `simUrl` to the Keystep at `keystepUrl` (the
 * copied artefact, or nginx before two instances): authenticator app, recovery codes, back in the app.
 */
export async function enrollAt(page: Page, o: { keystepUrl: string; simUrl: string; email: string }): Promise<AuthenticatorApp> {
  await new SimApp(page).login(o.email, "", o.simUrl);
  await expect(page).toHaveURL(`${o.keystepUrl}/choose`);
  const before = Date.now();
  await page.getByRole("button", { name: /authenticator app/i }).click();
  await passEmailGateAt(page, o.keystepUrl, o.email, before);
  await expect(page).toHaveURL(`${o.keystepUrl}/otp/setup`);
  const otp = new OtpScreens(page);
  const phone = new AuthenticatorApp(await otp.scanQr());
  await otp.submit(phone.code());
  await expect(page).toHaveURL(`${o.keystepUrl}/recovery-codes`);
  await page.getByLabel("I have saved these codes").check();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL(new RegExp(`^${o.simUrl.replace(/[.]/g, "\\.")}/callback`));
  await expect(page.getByTestId("result")).toHaveText("logged-in");
  return phone;
}

/** Enters the emailed code that guards a first setup, on any Keystep origin. */
export async function passEmailGateAt(page: Page, keystepUrl: string, email: string, after: number): Promise<void> {
  await expect(page).toHaveURL(`${keystepUrl}/email`);
  const code = await latestCode(email, after - 1);
  await page.locator("#code").fill(code);
  await page.locator("form:has(#code) button[type=submit]").click();
  await expect(page).not.toHaveURL(`${keystepUrl}/email`);
}
