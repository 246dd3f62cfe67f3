// Self-service recovery with a waiting period (#17 part 1, docs/recovery.md): a user who cannot use
// any factor asks from a challenge screen, proves the verified email, and the request waits.
import type { Page } from "@playwright/test";
import { enrollNewUser, expect, latestCode, newEmail, OtpScreens, RecoveryScreen, SimApp, test } from "./support/fixtures";
import { E2E } from "./support/ports";
import { message, requestRecoveryAt, STEP_UP } from "./support/recovery";

/** From a challenge in this browser: "I can't use any of my methods", the email code, the request. */
const requestRecovery = (page: Page, email: string) => requestRecoveryAt(page, { keystepUrl: E2E.keystepUrl, simUrl: E2E.simUrl, email });

test("a recovery request, its notices and a cancel link that stops it", async ({ page, app, otp, browser }) => {
  const email = newEmail("recover-cancel");
  await enrollNewUser(page, app, otp, email);
  const before = Date.now();
  await requestRecovery(page, email);

  const link = await test.step("the start notice reaches the email with a one-click cancel link", async () => {
    const text = await message(email, /\/recovery\/cancel\/[\w-]+/, before);
    expect(text).toContain("Someone asked to recover your account");
    return text.match(/https?:\/\/\S+\/recovery\/cancel\/[\w-]+/)?.[0] ?? "";
  });

  await test.step("another browser learns only that a request is pending", async () => {
    const other = await (await browser.newContext()).newPage();
    await other.goto(link);
    // Opening the link (as a mail scanner would) cancels nothing: it shows one button.
    await expect(other.getByRole("button", { name: "This wasn't me — cancel" })).toBeVisible();
    await other.reload();
    await expect(other.getByRole("button", { name: "This wasn't me — cancel" })).toBeVisible();
    await other.getByRole("button", { name: "This wasn't me — cancel" }).click();
    await expect(other.getByTestId("recovery-cancel-result")).toContainText("The recovery request is cancelled");
    await other.context().close();
  });

  await test.step("the user is told it was cancelled, and the account can ask again", async () => {
    await message(email, /recovery request for your account was cancelled/, before);
    await app.loginWithSession(STEP_UP);
    await page.getByRole("link", { name: "I can't use any of my methods" }).click();
    await expect(page.getByRole("button", { name: "Send code" })).toBeVisible();
  });
});

test("a sign-in with an old factor cancels a request", async ({ page, app, otp }) => {
  const email = newEmail("recover-signin");
  const phone = await enrollNewUser(page, app, otp, email);
  const before = Date.now();
  await requestRecovery(page, email);
  await message(email, /\/recovery\/cancel\//, before);

  await app.loginWithSession(STEP_UP);
  // The sign-in page tells of the open request, and that signing in cancels it.
  await expect(page.getByTestId("recovery-notice")).toContainText("Someone asked to recover this account on");
  // The next step's code: enrollment may have spent this step's (a code works once).
  await otp.submit(phone.code(1));
  await app.expectLoggedIn();
  await message(email, /recovery request for your account was cancelled/, before);
  // Nothing is pending any more: the recovery screen offers a new request.
  await app.loginWithSession(STEP_UP);
  await page.getByRole("link", { name: "I can't use any of my methods" }).click();
  await expect(page.getByRole("button", { name: "Send code" })).toBeVisible();
});

test("threat: a recovery request from another device is neither revealed nor continued in another browser", async ({ page, app, otp, browser }) => {
  const email = newEmail("recover-elsewhere");
  await enrollNewUser(page, app, otp, email);
  await requestRecovery(page, email);

  const context = await browser.newContext();
  const other = await context.newPage();
  const otherApp = new SimApp(other);
  await otherApp.login(email);
  await expect(other).toHaveURL(`${E2E.keystepUrl}/otp`);
  await other.getByRole("link", { name: "I can't use any of my methods" }).click();
  await expect(other.getByRole("alert")).toHaveText(/only be finished from the device and browser it was made on/);
  // No date, no code form: nothing to act on from here.
  await expect(other.getByRole("button", { name: "Send code" })).toHaveCount(0);
  await context.close();
});

test("the notices reach every phone the user has, by SMS, each with a cancel link that works", async ({ page, app, chooser, browser }) => {
  const email = newEmail("recover-sms");
  const n = String(100000 + Math.floor(Math.random() * 899999));
  const phone = { national: `07400 ${n}`, e164: `+447400${n}` };
  await test.step("the user's one method is a phone, by SMS", async () => {
    await app.login(email);
    await chooser.pick(/text message/i);
    await expect(page).toHaveURL(`${E2E.keystepUrl}/phone/setup`);
    await page.getByLabel("Country").selectOption("GB");
    await page.getByLabel("Mobile number").fill(phone.national);
    await page.getByRole("button", { name: "Send code" }).click();
    await new OtpScreens(page).submit(await latestCode(phone.e164));
    await new RecoveryScreen(page).save();
    await app.expectLoggedIn();
  });
  const before = Date.now();
  await requestRecoveryAt(page, { keystepUrl: E2E.keystepUrl, simUrl: E2E.simUrl, email, challenge: "/phone" });

  const link = await test.step("the text message names the request and carries a cancel link", async () => {
    const text = await message(phone.e164, /\/recovery\/cancel\/[\w-]+/, before);
    expect(text).toContain("someone asked to recover your account");
    return text.match(/https?:\/\/\S+\/recovery\/cancel\/[\w-]+/)?.[0] ?? "";
  });
  await test.step("the SMS link cancels the request, and the user is told on both channels", async () => {
    const other = await (await browser.newContext()).newPage();
    await other.goto(link);
    await other.getByRole("button", { name: "This wasn't me — cancel" }).click();
    await expect(other.getByTestId("recovery-cancel-result")).toContainText("The recovery request is cancelled");
    await other.context().close();
    await message(email, /recovery request for your account was cancelled/, before);
    await message(phone.e164, /recovery request for your account was cancelled/, before);
  });
});
