import { AuthenticatorApp, Chooser, expect, newEmail, OtpScreens, RecoveryScreen, SimApp, test } from "./support/fixtures";
import { E2E } from "./support/ports";

test.use({ javaScriptEnabled: false });

test("enrollment and the return to Auth0 work without JavaScript", async ({ page }) => {
  const app = new SimApp(page);
  const otp = new OtpScreens(page);
  await app.login(newEmail("nojs"));
  await new Chooser(page).pick(/authenticator app/i);
  await expect(page).toHaveURL(`${E2E.keystepUrl}/otp/setup`);
  const phone = new AuthenticatorApp(await otp.scanQr());

  await test.step("a wrong code re-renders the page with the error", async () => {
    await otp.submit(phone.wrongCode());
    await expect(otp.error).toContainText("That code is not right");
  });

  await test.step("the right code leads to recovery codes, then the Continue button, which posts to Auth0", async () => {
    await otp.submit(phone.code());
    await new RecoveryScreen(page).save();
    // The passkey offer needs JavaScript: without it the page offers only "Continue" (a POST).
    await expect(page).toHaveURL(`${E2E.keystepUrl}/upgrade`);
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page).toHaveURL(`${E2E.keystepUrl}/continue`);
    await page.getByRole("button", { name: "Continue" }).click();
    await app.expectLoggedIn();
  });
});
