/**
 * Self-service recovery after the wait (#17, decision 0013), with an injected clock: this journey
 * runs its own Keystep (the built artefact, on SQLite) and its own simulated tenant, both started
 * with e2e/support/clock.mjs, so moving their clock 73 hours forward takes a file write, not a
 * real wait, and leaves the suite's shared servers (and every other journey) on real time.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { expect, newEmail, OtpScreens, AuthenticatorApp, test } from "./support/fixtures";
import { expectAccessible } from "./support/axe";
import { E2E } from "./support/ports";
import { enrollAt, start, stopAll, waitForOk } from "./support/processes";
import { message, proveEmailForRecovery, requestRecoveryAt, signInAgain } from "./support/recovery";
import { startCommand } from "../scripts/start-command.mjs";

test.describe.configure({ mode: "serial" });

const offset = Number(process.env.E2E_PORT_OFFSET ?? 0) || 0;
const KEYSTEP_PORT = 5007 + 10 * offset;
const SIM_PORT = 5008 + 10 * offset;
const keystepUrl = `http://localhost:${KEYSTEP_PORT}`;
const simUrl = `http://127.0.0.1:${SIM_PORT}`;
const SECRET = crypto.randomBytes(32).toString("base64url");
const CLOCK = path.resolve("e2e/support/clock.mjs");
const HOUR = 3_600_000;

let dir = "";
let clockFile = "";

/** Moves both processes' clocks to `ms` ahead of real time (each re-reads the file at most 20 ms after a write). */
async function clockAhead(ms: number): Promise<void> {
  fs.writeFileSync(clockFile, String(ms));
  await new Promise((r) => setTimeout(r, 100));
}

/** The authenticator-app steps that make `ms`: a phone's clock is real, Keystep's is ahead. */
const steps = (ms: number) => Math.round(ms / 30_000);
const AHEAD = 73 * HOUR;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  expect(fs.existsSync(".next/standalone/server.js"), "run `npm run build` first").toBe(true);
  dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "keystep-clock-"));
  clockFile = path.join(dir, "clock-offset-ms");
  fs.writeFileSync(clockFile, "0");
  const keystep = start("keystep (injected clock)", process.execPath, ["--import", CLOCK, ...startCommand()], {
    env: {
      PATH: process.env.PATH,
      E2E_CLOCK_FILE: clockFile,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(KEYSTEP_PORT),
      HOSTNAME: "127.0.0.1",
      KEYSTEP_PUBLIC_URL: keystepUrl,
      KEYSTEP_SECRET: SECRET,
      KEYSTEP_ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex"),
      KEYSTEP_AUTH0_DOMAINS: simUrl,
      DATABASE_URL: `sqlite:${path.join(dir, "keystep.db")}`,
      SMTP_URL: `smtp://127.0.0.1:${E2E.inboxSmtpPort}`,
      EMAIL_FROM: "Keystep Clock <mfa@keystep.test>",
      LOG_LEVEL: "warn",
    },
  });
  const sim = start("auth0-sim (injected clock)", process.execPath, ["--import", "tsx", "--import", CLOCK, "e2e/auth0-sim/main.ts"], {
    env: { ...process.env, E2E_CLOCK_FILE: clockFile, SIM_PORT: String(SIM_PORT), KEYSTEP_URL: keystepUrl, KEYSTEP_SECRET: SECRET },
  });
  await Promise.all([waitForOk(`http://127.0.0.1:${KEYSTEP_PORT}/api/health/ready`, keystep), waitForOk(`${simUrl}/`, sim)]);
});

test.afterAll(async () => {
  await stopAll();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("a request completes after the wait: the same browser proves the email again, sets up a new app, and the old one is off until restored", async ({ page, browser }) => {
  test.setTimeout(150_000);
  const email = newEmail("recover-wait");
  const lostPhone = await enrollAt(page, { keystepUrl, simUrl, email });
  const asked = Date.now();
  await requestRecoveryAt(page, { keystepUrl, simUrl, email });
  await message(email, /Someone asked to recover your account/, asked);

  await test.step("before the wait ends, the request cannot be finished", async () => {
    await clockAhead(71 * HOUR);
    await signInAgain(page, simUrl);
    await expect(page).toHaveURL(`${keystepUrl}/otp`);
    await expect(page.getByTestId("recovery-notice")).toContainText("Someone asked to recover this account on");
    await expectAccessible(page, "challenge with an open recovery request");
    await page.getByRole("link", { name: "I can't use any of my methods" }).click();
    await expect(page.getByRole("status")).toContainText("You can finish it from this device after");
    await expectAccessible(page, "recovery request waiting");
    await expect(page.getByRole("button", { name: "Send code" })).toHaveCount(0);
  });

  const newPhone = await test.step("73 hours later: prove the email again, then set up a new authenticator app", async () => {
    await clockAhead(AHEAD);
    await signInAgain(page, simUrl);
    await expect(page).toHaveURL(`${keystepUrl}/otp`);
    await proveEmailForRecovery(page, {
      keystepUrl,
      email,
      intro: "Your waiting period is over",
      submit: "Continue",
      onScreen: (p) => expectAccessible(p, "recovery ready to finish"),
    });
    // As a new user would: the picker of setups (or the one setup), never a challenge of the old factors.
    if (page.url() === `${keystepUrl}/choose`) await page.getByRole("button", { name: /authenticator app/i }).click();
    await expect(page).toHaveURL(`${keystepUrl}/otp/setup`);
    const otp = new OtpScreens(page);
    const phone = new AuthenticatorApp(await otp.scanQr());
    await otp.submit(phone.code(steps(AHEAD)));
    // The recovery completed: new recovery codes, then back in the app.
    await expect(page).toHaveURL(`${keystepUrl}/recovery-codes`);
    await page.getByLabel("I have saved these codes").check();
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page.getByTestId("result")).toHaveText("logged-in");
    return phone;
  });

  const restore = await test.step("the user is told, with a link to restore the old methods", async () => {
    const text = await message(email, /\/recovery\/restore\/[\w-]+/, asked);
    expect(text).toContain("your old ones were turned off");
    return text.match(/https?:\/\/\S+\/recovery\/restore\/[\w-]+/)?.[0] ?? "";
  });

  await test.step("the lost phone's codes no longer work; the new one's do", async () => {
    await signInAgain(page, simUrl);
    await expect(page).toHaveURL(`${keystepUrl}/otp`);
    const otp = new OtpScreens(page);
    await otp.submit(lostPhone.code(steps(AHEAD) + 1));
    await expect(otp.error).toBeVisible();
    await otp.submit(newPhone.code(steps(AHEAD) + 1));
    await expect(page.getByTestId("result")).toHaveText("logged-in");
  });

  await test.step("the restore link turns the old app back on and the new one off", async () => {
    const other = await (await browser.newContext()).newPage();
    await other.goto(restore);
    await other.getByRole("button", { name: "Turn my old methods back on" }).click();
    await expect(other.getByText("Your old sign-in methods are on again")).toBeVisible();
    await expectAccessible(other, "restore done");
    await other.context().close();
    await signInAgain(page, simUrl);
    await expect(page).toHaveURL(`${keystepUrl}/otp`);
    const otp = new OtpScreens(page);
    await otp.submit(newPhone.code(steps(AHEAD) + 1));
    await expect(otp.error).toBeVisible();
    // Keystep accepts one step either side of its own clock, which is AHEAD of this one.
    await otp.submit(lostPhone.code(steps(AHEAD)));
    await expect(page.getByTestId("result")).toHaveText("logged-in");
  });
});
