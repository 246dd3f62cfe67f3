import { expect, latestCode, newEmail, RecoveryScreen, test } from "./support/fixtures";
import { E2E } from "./support/ports";
import { VirtualAuthenticator } from "./support/webauthn";

test("a passkey is created on first login and used for the next one", async ({ page, app, chooser }) => {
  const device = await VirtualAuthenticator.attach(page, "passkey");
  const email = newEmail("passkey");
  await app.login(email);
  await chooser.pick(/passkey/i);
  await expect(page).toHaveURL(`${E2E.keystepUrl}/webauthn-platform/setup`);
  await page.getByRole("button", { name: "Create a passkey" }).click();
  await new RecoveryScreen(page).save();
  await app.expectLoggedIn();
  await expect(page.getByTestId("claims")).toContainText('"webauthn-platform"');
  await expect(page.getByTestId("claims")).toContainText('"uv"');
  const [credential] = await device.credentials();
  expect(credential!.isResidentCredential).toBe(true);

  await test.step("the next login asks for the passkey with one button", async () => {
    await page.goto(`${E2E.simUrl}/logout`);
    await app.login(email);
    await expect(page).toHaveURL(`${E2E.keystepUrl}/webauthn-platform`);
    // The virtual authenticator does not sync, and the screen says so.
    await expect(page.getByRole("list", { name: "Your passkeys and keys" })).toContainText("this device only");
    await page.getByRole("button", { name: "Use passkey" }).click();
    await app.expectLoggedIn();
  });
});

test("a security key is set up and then used", async ({ page, app, chooser }) => {
  await VirtualAuthenticator.attach(page, "security-key");
  const email = newEmail("seckey");
  await app.login(email);
  await chooser.pick(/security key/i);
  await page.getByRole("button", { name: "Use a security key" }).click();
  await new RecoveryScreen(page).save();
  await app.expectLoggedIn();
  await expect(page.getByTestId("claims")).toContainText('"webauthn-roaming"');
  await page.goto(`${E2E.simUrl}/logout`);
  await app.login(email);
  await expect(page).toHaveURL(`${E2E.keystepUrl}/webauthn-roaming`);
  await page.getByRole("button", { name: "Use security key" }).click();
  await app.expectLoggedIn();
});

test("a cancelled or failed biometric gets a calm note and a retry, not an error page", async ({ page, app, chooser }) => {
  const device = await VirtualAuthenticator.attach(page, "passkey", { userVerified: false });
  await app.login(newEmail("cancel-passkey"));
  await chooser.pick(/passkey/i);
  await page.getByRole("button", { name: "Create a passkey" }).click();
  await expect(page.getByTestId("webauthn-note")).toContainText("cancelled or timed out");
  await expect(page.getByTestId("webauthn-note")).toHaveAttribute("role", "status");
  await expect(page.getByRole("link", { name: "Try another method" })).toBeVisible();
  await device.setUserVerified(true);
  await page.getByRole("button", { name: "Create a passkey" }).click();
  await new RecoveryScreen(page).save();
  await app.expectLoggedIn();
});

test("after an email code, the passkey offer can be accepted", async ({ page, app, otp, chooser }) => {
  await VirtualAuthenticator.attach(page, "passkey");
  const email = newEmail("upgrade-yes");
  await app.login(email);
  await chooser.pick(/^email/i);
  await otp.submit(await latestCode(email));
  await expect(page).toHaveURL(`${E2E.keystepUrl}/upgrade`);
  await page.getByRole("button", { name: "Create a passkey" }).click();
  // The passkey is this user's first saved factor: it comes with recovery codes, like any first setup.
  await new RecoveryScreen(page).save();
  await app.expectLoggedIn();
  await expect(page.getByTestId("claims")).toContainText('"webauthn-platform"');
  // Next time the passkey is the default.
  await page.goto(`${E2E.simUrl}/logout`);
  await app.login(email);
  await expect(page).toHaveURL(`${E2E.keystepUrl}/webauthn-platform`);
});

test("the passkey offer can be skipped, and 'not now' is remembered on this device", async ({ page, app, otp, chooser }) => {
  await VirtualAuthenticator.attach(page, "passkey");
  const email = newEmail("upgrade-no");
  await app.login(email);
  await chooser.pick(/^email/i);
  await otp.submit(await latestCode(email));
  await expect(page).toHaveURL(`${E2E.keystepUrl}/upgrade`);
  await page.getByRole("button", { name: "Not now" }).click();
  await app.expectLoggedIn();

  await page.goto(`${E2E.simUrl}/logout`);
  const before = Date.now();
  await app.login(email);
  await chooser.pick(/^email/i);
  await otp.submit(await latestCode(email, before));
  await app.expectLoggedIn();
});
