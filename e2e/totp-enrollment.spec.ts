import { AuthenticatorApp, enrollNewUser, expect, newEmail, OtpScreens, RecoveryScreen, SimApp, test } from "./support/fixtures";
import { E2E } from "./support/ports";

test("first login enrolls an authenticator app from the QR code, later logins are challenged", async ({ page, app, otp, chooser, browser }) => {
  const email = newEmail("enroll");
  let phone!: AuthenticatorApp;

  await test.step("Auth0 sends the user to Keystep, which asks them to set up an app", async () => {
    await app.login(email);
    await chooser.pick(/authenticator app/i);
    await expect(page).toHaveURL(`${E2E.keystepUrl}/otp/setup`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Set up your authenticator app");
    // The token never stays in the address bar.
    expect(page.url()).not.toContain("session_token");
  });

  await test.step("the QR code is large enough to scan and carries a standard otpauth URI", async () => {
    const box = await page.getByTestId("totp-qr").boundingBox();
    expect(box!.width).toBeGreaterThanOrEqual(160);
    expect(box!.height).toBeGreaterThanOrEqual(160);
    const uri = await otp.scanQr();
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.searchParams.get("issuer")).toBe("Keystep E2E");
    expect(decodeURIComponent(uri.pathname)).toContain(email);
    expect(uri.searchParams.get("secret")).toMatch(/^[A-Z2-7]{32}$/);
    // The same key is shown as grouped text for people who cannot scan.
    const shown = (await page.getByTestId("totp-secret").textContent())!;
    expect(shown).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
    expect(shown.replace(/ /g, "")).toBe(uri.searchParams.get("secret"));
    phone = new AuthenticatorApp(uri);
  });

  await test.step("the code input is one field the OS can autofill", async () => {
    await expect(otp.codeInput).toHaveAttribute("autocomplete", "one-time-code");
    await expect(otp.codeInput).toHaveAttribute("inputmode", "numeric");
  });

  await test.step("entering the app's code finishes enrollment, shows recovery codes once, and Auth0 logs the user in", async () => {
    await otp.submit(phone.code());
    expect(await new RecoveryScreen(page).save()).toHaveLength(10);
    await app.expectLoggedIn();
    await expect(page.getByText(email)).toBeVisible();
  });

  await test.step("a second login in the same browser is let through by the recorded method", async () => {
    await app.loginWithSession();
    await app.expectLoggedIn();
  });

  await test.step("a fresh browser is challenged, never shown the key again, and gets in", async () => {
    const context = await browser.newContext();
    const fresh = await context.newPage();
    const freshApp = new SimApp(fresh);
    const freshOtp = new OtpScreens(fresh);
    await freshApp.login(email);
    await expect(fresh).toHaveURL(`${E2E.keystepUrl}/otp`);
    await expect(fresh.getByRole("heading", { level: 1 })).toHaveText("Enter your authenticator code");
    await expect(fresh.getByTestId("totp-qr")).toHaveCount(0);
    await expect(fresh.getByTestId("totp-secret")).toHaveCount(0);
    // Enrollment used the current step; codes are single-use, so the phone's next code is used.
    await freshOtp.submit(phone.code(1));
    await freshApp.expectLoggedIn();
    await context.close();
  });
});

test("a wrong code is announced at the field, and five end the sign-in", async ({ page, app, otp, browser }) => {
  const email = newEmail("wrong");
  const phone = await enrollNewUser(page, app, otp, email);
  const context = await browser.newContext();
  const fresh = await context.newPage();
  const freshApp = new SimApp(fresh);
  const freshOtp = new OtpScreens(fresh);
  await freshApp.login(email);
  await expect(fresh).toHaveURL(`${E2E.keystepUrl}/otp`);

  await test.step("one wrong code shows an error tied to the input", async () => {
    await freshOtp.submit(phone.wrongCode());
    const alert = freshOtp.error;
    await expect(alert).toContainText("That code is not right. You have 4 more tries.");
    await expect(freshOtp.codeInput).toHaveAttribute("aria-invalid", "true");
    await expect(freshOtp.codeInput).toHaveAttribute("aria-describedby", (await alert.getAttribute("id"))!);
  });

  await test.step("the fifth wrong code ends the flow with a clear message", async () => {
    for (const left of [3, 2, 1]) {
      await freshOtp.submit(phone.wrongCode());
      await expect(freshOtp.error).toContainText(`You have ${left} more tr`);
    }
    await freshOtp.submit(phone.wrongCode());
    await expect(fresh).toHaveURL(`${E2E.keystepUrl}/ended`);
    await expect(freshOtp.error).toContainText("Too many wrong codes");
  });

  await test.step("the way back returns to the app as access_denied", async () => {
    await fresh.getByRole("link", { name: "Back to sign-in" }).click();
    await freshApp.expectDenied();
  });
  await context.close();
});
