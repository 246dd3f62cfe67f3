import { expect, latestCode, newEmail, OtpScreens, RecoveryScreen, SimApp, Chooser, test } from "./support/fixtures";
import { E2E } from "./support/ports";

/** A UK mobile number of our own for this test, so per-number budgets never collide. */
function mobile(): { national: string; e164: string } {
  const n = String(100000 + Math.floor(Math.random() * 899999));
  return { national: `07400 ${n}`, e164: `+447400${n}` };
}

test("a verified email needs no setup: the code arrives over real SMTP", async ({ page, app, otp, chooser }) => {
  const email = newEmail("mail");
  await app.login(email);
  await test.step("the picker offers the verified address, masked", async () => {
    await expect(page.getByRole("button", { name: /^email/i })).toContainText(`${email[0]}•••@example.test`);
    await chooser.pick(/^email/i);
  });
  await test.step("the challenge says where the code went and a wrong code is refused", async () => {
    await expect(page).toHaveURL(`${E2E.keystepUrl}/email`);
    await expect(page.getByText(`${email[0]}•••@example.test`)).toBeVisible();
    const code = await latestCode(email);
    await otp.submit(String((Number(code) + 1) % 1_000_000).padStart(6, "0"));
    await expect(otp.error).toContainText("That code is not right");
    await otp.submit(code);
    await app.expectLoggedIn();
  });
});

test("SMS setup offers a stronger method, one tap away", async ({ page, app, chooser }) => {
  await app.login(newEmail("sms-stronger"));
  await chooser.pick(/text message/i);
  await expect(page).toHaveURL(`${E2E.keystepUrl}/phone/setup`);
  await page.getByRole("button", { name: "Use Authenticator app instead" }).click();
  await expect(page).toHaveURL(`${E2E.keystepUrl}/otp/setup`);
});

test("SMS setup validates the number, texts a code, and later logins are challenged by SMS", async ({ page, app, otp, chooser, browser }) => {
  const email = newEmail("sms");
  const phone = mobile();
  await app.login(email);
  await chooser.pick(/text message/i);
  await expect(page).toHaveURL(`${E2E.keystepUrl}/phone/setup`);

  await test.step("the screen says SMS is the weakest method and offers stronger ones", async () => {
    await expect(page.getByTestId("sms-risk")).toContainText("least secure");
    await expect(page.getByRole("button", { name: "Use Authenticator app instead" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Use Passkey instead" })).toBeVisible();
  });

  await test.step("an invalid or disallowed number gets a clear message", async () => {
    await page.getByLabel("Country").selectOption("GB");
    await page.getByLabel("Mobile number").fill("12345");
    await page.getByRole("button", { name: "Send code" }).click();
    await expect(otp.error).toContainText("doesn't look like a valid phone number");
    await page.getByLabel("Mobile number").fill("+33 6 12 34 56 78");
    await page.getByRole("button", { name: "Send code" }).click();
    await expect(otp.error).toContainText("can't be sent to numbers in that country");
  });

  await test.step("a valid number gets a code through the signed webhook", async () => {
    await page.getByLabel("Mobile number").fill(phone.national);
    await page.getByRole("button", { name: "Send code" }).click();
    await expect(page.getByText(`••••\u00a0••\u00a0${phone.e164.slice(-4)}`)).toBeVisible();
    const sms = await latestCode(phone.e164);
    await otp.submit(sms);
    await new RecoveryScreen(page).save();
    await app.expectLoggedIn();
  });

  await test.step("a fresh browser is challenged by SMS, and can try another method", async () => {
    const context = await browser.newContext();
    const fresh = await context.newPage();
    const freshApp = new SimApp(fresh);
    const freshOtp = new OtpScreens(fresh);
    const before = Date.now();
    await freshApp.login(email);
    await expect(fresh).toHaveURL(`${E2E.keystepUrl}/phone`);
    await latestCode(phone.e164, before);
    await fresh.getByRole("link", { name: "Try another method" }).click();
    // SMS is a possession factor: the weaker email is no longer offered to this user.
    await expect(fresh.getByRole("button", { name: /recovery code/i })).toBeVisible();
    await expect(fresh.getByRole("button", { name: /^email/i })).toHaveCount(0);
    await new Chooser(fresh).pick(/text message/i);
    await expect(fresh).toHaveURL(`${E2E.keystepUrl}/phone`);
    await freshOtp.submit(await latestCode(phone.e164, before));
    await freshApp.expectLoggedIn();
    await context.close();
  });
});

test("resend shows a countdown, then sends a new code that replaces the old one", async ({ page, app, otp, chooser }) => {
  test.setTimeout(90_000);
  const email = newEmail("resend");
  await app.login(email);
  await chooser.pick(/^email/i);
  const first = await latestCode(email);
  const resend = page.getByTestId("resend");
  await expect(resend).toBeDisabled();
  await expect(resend).toContainText(/Send a new code in \d+s/);
  // The cool-down is 30 s; wait for the button to come back rather than for a fixed time.
  await expect(resend).toBeEnabled({ timeout: 40_000 });
  const sentAt = Date.now();
  await resend.click();
  const second = await latestCode(email, sentAt);
  await otp.submit(first);
  await expect(otp.error).toBeVisible();
  await otp.submit(second);
  await app.expectLoggedIn();
});
