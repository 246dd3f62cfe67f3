import { AuthenticatorApp, Chooser, enrollNewUser, expect, newEmail, RecoveryScreen, SimApp, signInWithRecoveryCode, test } from "./support/fixtures";
import { E2E } from "./support/ports";
import { VirtualAuthenticator } from "./support/webauthn";

const STEP_UP = `?acr_values=${encodeURIComponent("http://schemas.openid.net/pape/policies/2007/06/multi-factor")}`;

test("a remembered device skips MFA on the next login, and step-up ignores it", async ({ page, app, otp }) => {
  const email = newEmail("remember");
  await app.login(email);
  await new Chooser(page).pick(/authenticator app/i);
  const phone = new AuthenticatorApp(await otp.scanQr());
  await otp.submit(phone.code());
  const codes = await new RecoveryScreen(page).save();
  await app.expectLoggedIn();

  await test.step("a challenge offers 'Don't ask again on this device' and says why it asks", async () => {
    await page.goto(`${E2E.simUrl}/logout`);
    await app.login(email);
    await expect(page).toHaveURL(`${E2E.keystepUrl}/otp`);
    await page.getByLabel("Don't ask again on this device for 30 days").check();
    await otp.submit(phone.code(1));
    await app.expectLoggedIn();
  });

  await test.step("the next login on this device goes straight through, and the result says MFA was skipped", async () => {
    await page.goto(`${E2E.simUrl}/logout`);
    await app.login(email);
    await app.expectLoggedIn();
    await expect(page.getByTestId("claims")).toContainText('"skipped": "remembered device"');
    await expect(page.getByTestId("claims")).toContainText('"amr": []');
  });

  await test.step("step-up (acr_values with the MFA policy) asks again, without offering to remember", async () => {
    await page.goto(`${E2E.simUrl}/logout`);
    await app.login(email, STEP_UP);
    await expect(page).toHaveURL(`${E2E.keystepUrl}/otp`);
    await expect(page.getByTestId("why-asked")).toHaveText("We're asking because this action needs a fresh check.");
    await expect(page.getByLabel(/Don't ask again/)).toHaveCount(0);
    // The app's codes up to the next step were used already; the user answers with a recovery code.
    await signInWithRecoveryCode(page, codes[0]!);
    await expect(page.getByTestId("claims")).not.toContainText("skipped");
  });

  await test.step("another browser is still a new device", async () => {
    const other = await page.context().browser()!.newContext();
    const p2 = await other.newPage();
    await new SimApp(p2).login(email);
    await expect(p2).toHaveURL(`${E2E.keystepUrl}/otp`);
    await expect(p2.getByTestId("why-asked")).toHaveText("We're asking because this is a new device.");
    await other.close();
  });
});

test("threat: a planted device_id skips MFA", async ({ page, app, otp, browser }) => {
  // Threat: device_id is part of the /authorize URL, which anyone can write. A victim lured through
  // a link with device_id=K who ticks "Don't ask again" let any browser sending K skip MFA.
  // Defence: only the HttpOnly device cookie can match a remembered device; device_id only narrows.
  const email = newEmail("planted-device");
  const planted = "?device_id=planted-K";
  const phone = await enrollNewUser(page, app, otp, email);

  await test.step("the victim signs in through a link carrying device_id=K and asks not to be asked again", async () => {
    await page.goto(`${E2E.simUrl}/logout`);
    await app.login(email, planted);
    await expect(page).toHaveURL(`${E2E.keystepUrl}/otp`);
    await page.getByLabel("Don't ask again on this device for 30 days").check();
    await otp.submit(phone.code(1));
    await app.expectLoggedIn();
  });

  await test.step("another browser sending the same device_id, without the victim's cookie, is challenged", async () => {
    const other = await browser.newContext();
    const p2 = await other.newPage();
    await new SimApp(p2).login(email, planted);
    await expect(p2).toHaveURL(`${E2E.keystepUrl}/otp`);
    await expect(p2.getByTestId("why-asked")).toHaveText("We're asking because this is a new device.");
    await other.close();
  });

  await test.step("the victim's own browser is still remembered", async () => {
    await page.goto(`${E2E.simUrl}/logout`);
    await app.login(email, planted);
    await app.expectLoggedIn();
    await expect(page.getByTestId("claims")).toContainText('"skipped": "remembered device"');
  });
});

test("the picker: 'Try another method' lists the user's methods at their tier, never the weaker email", async ({ page, app, otp, chooser }) => {
  const email = newEmail("picker");
  const phone = await enrollNewUser(page, app, otp, email);
  await page.goto(`${E2E.simUrl}/logout`);
  await app.login(email);
  await expect(page).toHaveURL(`${E2E.keystepUrl}/otp`);
  await page.getByRole("link", { name: "Try another method" }).click();
  await expect(page.getByRole("button", { name: /authenticator app/i })).toBeVisible();
  await expect(page.getByRole("button", { name: /recovery code/i })).toBeVisible();
  // Password plus mailbox never beats the app (README → Policy → Strength tiers).
  await expect(page.getByRole("button", { name: /^email/i })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /sign-in link/i })).toHaveCount(0);
  await chooser.pick(/authenticator app/i);
  await otp.submit(phone.code(1));
  await app.expectLoggedIn();
  await expect(page.getByTestId("claims")).toContainText('"otp"');
});

test("'This wasn't me' ends the sign-in as denied and emails the user", async ({ page, app, otp }) => {
  const email = newEmail("notme");
  await enrollNewUser(page, app, otp, email);
  await page.goto(`${E2E.simUrl}/logout`);
  await app.login(email);
  const before = Date.now();
  await page.getByRole("button", { name: "This wasn't me" }).click();
  await expect(page).toHaveURL(`${E2E.keystepUrl}/ended`);
  await expect(otp.error).toContainText("Change your password now");
  await page.getByRole("link", { name: "Back to sign-in" }).click();
  await app.expectDenied();
  await expect
    .poll(async () => {
      const list = (await (await fetch(`${E2E.inboxUrl}/api/messages?to=${encodeURIComponent(email)}`)).json()) as Array<{ subject: string; receivedAt: number }>;
      return list.filter((m) => m.receivedAt >= before - 1).map((m) => m.subject);
    })
    .toContain("You reported a sign-in to your Keystep E2E account");
});

test("policy: a denied country ends the sign-in before any challenge", async ({ page, app, otp }) => {
  await app.login(newEmail("country"), "?sim_country=KP");
  await expect(page).toHaveURL(`${E2E.keystepUrl}/ended`);
  await expect(otp.error).toContainText("Your organisation doesn't allow this sign-in");
  await page.getByRole("link", { name: "Back to sign-in" }).click();
  await app.expectDenied();
});

test("policy: an admin without a security key proves their app, then must add a key", async ({ page, app, otp }) => {
  await VirtualAuthenticator.attach(page, "security-key");
  const email = newEmail("admin");
  const phone = await enrollNewUser(page, app, otp, email);
  await page.goto(`${E2E.simUrl}/logout`);
  await app.login(email, "?sim_roles=admin");
  await expect(page).toHaveURL(`${E2E.keystepUrl}/otp`);
  await expect(page.getByTestId("why-asked")).toHaveText("We're asking because your role needs an extra check.");
  // The rule says rememberDevice: false.
  await expect(page.getByLabel(/Don't ask again/)).toHaveCount(0);
  await otp.submit(phone.code(1));
  await expect(page).toHaveURL(`${E2E.keystepUrl}/webauthn-roaming/setup`);
  await page.getByRole("button", { name: "Use a security key" }).click();
  await app.expectLoggedIn();
  await expect(page.getByTestId("claims")).toContainText('"otp"');
  await expect(page.getByTestId("claims")).toContainText('"webauthn-roaming"');

  await test.step("the next admin login is challenged with the key only", async () => {
    await page.goto(`${E2E.simUrl}/logout`);
    await app.login(email, "?sim_roles=admin");
    await expect(page).toHaveURL(`${E2E.keystepUrl}/webauthn-roaming`);
    await expect(page.getByRole("link", { name: "Try another method" })).toHaveCount(0);
  });
});

test("policy commands: a rule challenging twice asks for the app, then the security key, and Auth0 sees both in amr", async ({ page, app, otp, chooser }) => {
  // Auth0 runs each challengeWith as its own step; the rule (e2e/support/keystep.config.json) ports
  // `api.authentication.challengeWith({ type: "otp" }); api.authentication.challengeWith({ type: "webauthn-roaming" })`.
  await VirtualAuthenticator.attach(page, "security-key");
  const email = newEmail("twice");
  let phone: AuthenticatorApp | undefined;

  await test.step("the user has a security key, and adds an authenticator app in management", async () => {
    await app.login(email);
    await chooser.pick(/security key/i);
    await page.getByRole("button", { name: "Use a security key" }).click();
    await new RecoveryScreen(page).save();
    await app.expectLoggedIn();
    await page.goto(`${E2E.simUrl}/logout`);
    await app.login(email, "?keystep_intent=manage");
    await expect(page).toHaveURL(`${E2E.keystepUrl}/webauthn-roaming`);
    await page.getByRole("button", { name: "Use security key" }).click();
    await expect(page).toHaveURL(`${E2E.keystepUrl}/manage`);
    await page.getByRole("link", { name: "Add a sign-in method" }).click();
    await chooser.pick(/authenticator app/i);
    phone = new AuthenticatorApp(await otp.scanQr());
    await otp.submit(phone.code());
    await expect(page).toHaveURL(`${E2E.keystepUrl}/manage`);
    await page.getByRole("button", { name: "Done" }).click();
    await app.expectLoggedIn();
  });

  await test.step("the first command challenges with the app, though the key is stronger", async () => {
    await page.goto(`${E2E.simUrl}/logout`);
    await app.login(email, "?sim_roles=twice");
    await expect(page).toHaveURL(`${E2E.keystepUrl}/otp`);
    await expect(page.getByLabel(/Don't ask again/)).toHaveCount(0);
    await otp.submit(phone!.code(1));
  });

  await test.step("threat: the app's proof does not answer the second command; the key is asked for", async () => {
    await expect(page).toHaveURL(`${E2E.keystepUrl}/webauthn-roaming`);
    // Going back to the app's screen, or straight to the way out, leads to the key again.
    await page.goto(`${E2E.keystepUrl}/otp`);
    await expect(page).toHaveURL(`${E2E.keystepUrl}/webauthn-roaming`);
    await page.goto(`${E2E.keystepUrl}/continue`);
    await expect(page).toHaveURL(`${E2E.keystepUrl}/webauthn-roaming`);
    await expect(page.getByRole("link", { name: "Try another method" })).toHaveCount(0);
  });

  await test.step("the key completes the login, and the result names both factors", async () => {
    await page.getByRole("button", { name: "Use security key" }).click();
    await app.expectLoggedIn();
    await expect(page.getByTestId("claims")).toContainText('"otp"');
    await expect(page.getByTestId("claims")).toContainText('"webauthn-roaming"');
  });
});

test("manage flow: after a fresh challenge the user adds and renames a passkey and removes their app", async ({ page, app, otp, chooser }) => {
  const email = newEmail("manage");
  const phone = await enrollNewUser(page, app, otp, email);
  // Attached after enrollment, so the passkey offer after the first login does not appear.
  await VirtualAuthenticator.attach(page, "passkey");
  await page.goto(`${E2E.simUrl}/logout`);
  await app.login(email, "?keystep_intent=manage");
  await expect(page).toHaveURL(`${E2E.keystepUrl}/otp`);
  await otp.submit(phone.code(1));
  await expect(page).toHaveURL(`${E2E.keystepUrl}/manage`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your sign-in methods");
  await expect(page.getByTestId("factor-row")).toHaveCount(1);
  await expect(page.getByText("Your only method: add another before removing it.")).toBeVisible();

  await test.step("add a passkey", async () => {
    await page.getByRole("link", { name: "Add a sign-in method" }).click();
    await chooser.pick(/passkey/i);
    await expect(page).toHaveURL(`${E2E.keystepUrl}/webauthn-platform/setup`);
    await page.getByRole("button", { name: "Create a passkey" }).click();
    await expect(page).toHaveURL(`${E2E.keystepUrl}/manage`);
    await expect(page.getByTestId("factor-row")).toHaveCount(2);
  });

  await test.step("rename the passkey", async () => {
    const row = page.getByTestId("factor-row").filter({ hasText: "Passkey" });
    await row.getByText("Rename").click();
    await row.getByLabel("Name").fill("Work laptop");
    await row.getByRole("button", { name: "Save name" }).click();
    await expect(page.getByRole("status")).toHaveText("Name saved.");
    await expect(page.getByTestId("factor-row").filter({ hasText: "Work laptop" })).toHaveCount(1);
  });

  await test.step("new recovery codes are shown once, then it is back to the list", async () => {
    await page.getByRole("button", { name: "Generate new recovery codes" }).click();
    expect(await new RecoveryScreen(page).save()).toHaveLength(10);
    await expect(page).toHaveURL(`${E2E.keystepUrl}/manage`);
    await expect(page.getByText("You have 10 unused recovery codes.")).toBeVisible();
  });

  await test.step("forget all devices", async () => {
    await page.getByRole("button", { name: "Forget all devices" }).click();
    await expect(page.getByRole("status")).toContainText("Devices forgotten.");
  });

  await test.step("remove the authenticator app", async () => {
    const row = page.getByTestId("factor-row").filter({ hasText: "Authenticator app" });
    await row.getByRole("button", { name: /^Remove/ }).click();
    await expect(page.getByRole("status")).toContainText("Method removed.");
    await expect(page.getByTestId("factor-row")).toHaveCount(1);
  });

  await test.step("done returns to the app, and the next login asks for the passkey", async () => {
    await page.getByRole("button", { name: "Done" }).click();
    await app.expectLoggedIn();
    await page.goto(`${E2E.simUrl}/logout`);
    await app.login(email);
    await expect(page).toHaveURL(`${E2E.keystepUrl}/webauthn-platform`);
    await expect(page.getByRole("list", { name: "Your passkeys and keys" })).toContainText("Work laptop");
  });
});
