// Self-service recovery with a waiting period (#17 part 1, docs/recovery.md): a user who cannot use
// any factor asks from a challenge screen, proves the verified email, and the request waits.
import type { Page } from "@playwright/test";
import { enrollNewUser, expect, latestCode, newEmail, OtpScreens, SimApp, test } from "./support/fixtures";
import { E2E } from "./support/ports";

const STEP_UP = `?acr_values=${encodeURIComponent("http://schemas.openid.net/pape/policies/2007/06/multi-factor")}`;

/** The newest message to `to` whose text matches `pattern`, once it has arrived. */
async function message(to: string, pattern: RegExp, after = 0): Promise<string> {
  let found = "";
  await expect
    .poll(
      async () => {
        const r = await fetch(`${E2E.inboxUrl}/api/messages?to=${encodeURIComponent(to.toLowerCase())}`);
        const list = (await r.json()) as Array<{ text: string; receivedAt: number }>;
        found = list.find((m) => m.receivedAt > after && pattern.test(m.text))?.text ?? "";
        return found;
      },
      { timeout: 10_000 },
    )
    .toMatch(pattern);
  return found;
}

/** From a challenge in this browser: "I can't use any of my methods", the email code, the request. */
async function requestRecovery(page: Page, app: SimApp, email: string): Promise<void> {
  await app.loginWithSession(STEP_UP);
  await expect(page).toHaveURL(`${E2E.keystepUrl}/otp`);
  await page.getByRole("link", { name: "I can't use any of my methods" }).click();
  await expect(page).toHaveURL(`${E2E.keystepUrl}/recovery`);
  await expect(page.getByText("nothing changes for 72 hours")).toBeVisible();
  const before = Date.now();
  await page.getByRole("button", { name: "Send code" }).click();
  const code = await latestCode(email, before);
  await new OtpScreens(page).codeInput.fill(code);
  await page.getByRole("button", { name: "Request recovery" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Request received");
  await expect(page.getByRole("alert")).toContainText("You can sign in from this device after");
  await page.getByRole("link", { name: "Back to sign-in" }).click();
  // A verified request grants nothing: the app hears access_denied.
  await app.expectDenied();
}

test("a recovery request, its notices and a cancel link that stops it", async ({ page, app, otp, browser }) => {
  const email = newEmail("recover-cancel");
  await enrollNewUser(page, app, otp, email);
  const before = Date.now();
  await requestRecovery(page, app, email);

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
  await requestRecovery(page, app, email);
  await message(email, /\/recovery\/cancel\//, before);

  await app.loginWithSession(STEP_UP);
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
  await requestRecovery(page, app, email);

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
