/**
 * Threats: gaining a factor, or signing in, without the proof the policy asks for, as a person
 * holding only the victim's password would try it in a browser.
 * Defence: one decider (lib/flow/next-step.ts) asked by every page and action; finished flows are
 * final; binding needs a fresh proof of the user's tier; pacing is per factor.
 */
import type { Browser } from "@playwright/test";
import { AuthenticatorApp, Chooser, expect, latestCode, newEmail, OtpScreens, RecoveryScreen, SimApp, signInWithRecoveryCode, test } from "./support/fixtures";
import { E2E } from "./support/ports";
import { VirtualAuthenticator } from "./support/webauthn";

/** Enrolls a new user's authenticator app and keeps their recovery codes. */
async function enrolled(browser: Browser, email: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const app = new SimApp(page);
  await app.login(email);
  await new Chooser(page).pick(/authenticator app/i);
  const otp = new OtpScreens(page);
  const phone = new AuthenticatorApp(await otp.scanQr());
  await otp.submit(phone.code());
  const codes = await new RecoveryScreen(page).save();
  await app.expectLoggedIn();
  await context.close();
  return { phone, codes };
}

async function subjects(to: string): Promise<string> {
  const r = await fetch(`${E2E.inboxUrl}/api/messages?to=${encodeURIComponent(to.toLowerCase())}`);
  return ((await r.json()) as Array<{ subject?: string }>).map((m) => m.subject).join(" | ");
}

test("threat: a login that policy let through with no factor opens the passkey offer, recovery codes or management", async ({ page, app, browser }) => {
  const email = newEmail("allow");
  await enrolled(browser, email);
  await app.login(email, "?sim_roles=trusted");
  await app.expectLoggedIn();
  await expect(page.getByTestId("claims")).toContainText('"skipped": "trusted testers skip MFA"');
  // The finished flow's cookie is still in this browser: every screen sends it back to Auth0's result.
  for (const path of ["/upgrade", "/recovery-codes", "/manage", "/otp/setup", "/webauthn-platform/setup"]) {
    const r = await page.request.get(`${E2E.keystepUrl}${path}`, { maxRedirects: 0 });
    expect(r.status(), path).toBeGreaterThanOrEqual(300);
    expect(r.status(), path).toBeLessThan(400);
    expect(r.headers().location, path).toBe("/continue");
  }
});

test("threat: a password holder locks the victim out — the victim still signs in with a recovery code, and is told", async ({ page, app, otp, browser }) => {
  const email = newEmail("lockout");
  const { phone, codes } = await enrolled(browser, email);

  await test.step("ten wrong app codes from the password holder pause the app", async () => {
    const attacker = await (await browser.newContext()).newPage();
    const a = new SimApp(attacker);
    const screens = new OtpScreens(attacker);
    for (let round = 0; round < 2; round++) {
      await a.login(email);
      await expect(attacker).toHaveURL(`${E2E.keystepUrl}/otp`);
      for (let i = 0; i < 5; i++) await screens.submit(phone.wrongCode());
      await expect(attacker).toHaveURL(`${E2E.keystepUrl}/ended`);
      await attacker.goto(`${E2E.simUrl}/logout`);
    }
    await attacker.context().close();
    await expect.poll(() => subjects(email)).toContain("Sign-in paused");
  });

  await test.step("the victim's right app code is paused, but a recovery code signs them in", async () => {
    await app.login(email);
    await expect(page).toHaveURL(`${E2E.keystepUrl}/otp`);
    await otp.submit(phone.code(1));
    await expect(otp.error).toContainText("Too many wrong codes");
    await signInWithRecoveryCode(page, codes[0]!);
  });
});

test("threat: keystep_intent=manage under a 'security key required' rule asks for the key, never the app or the email", async ({ page, app, otp }) => {
  await VirtualAuthenticator.attach(page, "security-key");
  const email = newEmail("manage-key");
  await app.login(email);
  await new Chooser(page).pick(/authenticator app/i);
  const phone = new AuthenticatorApp(await otp.scanQr());
  await otp.submit(phone.code());
  await new RecoveryScreen(page).save();
  await app.expectLoggedIn();
  await page.goto(`${E2E.simUrl}/logout`);
  // The admin rule requires a key: proving the app, then adding the key.
  await app.login(email, "?sim_roles=admin");
  await otp.submit(phone.code(1));
  await expect(page).toHaveURL(`${E2E.keystepUrl}/webauthn-roaming/setup`);
  await page.getByRole("button", { name: "Use a security key" }).click();
  await app.expectLoggedIn();
  await page.goto(`${E2E.simUrl}/logout`);

  await app.login(email, "?sim_roles=admin&keystep_intent=manage");
  await expect(page).toHaveURL(`${E2E.keystepUrl}/webauthn-roaming`);
  await expect(page.getByRole("link", { name: "Try another method" })).toHaveCount(0);
  // Going to the app's or the email's challenge by hand lands back on the key.
  for (const path of ["/otp", "/email", "/manage", "/choose"]) {
    await page.goto(`${E2E.keystepUrl}${path}`);
    await expect(page, path).toHaveURL(`${E2E.keystepUrl}/webauthn-roaming`);
  }
  void latestCode;
});

test("threat: confirming a sign-in link in the same browser skips the setup the policy forces", async ({ page, app, chooser }) => {
  const email = newEmail("link-forced");
  await app.login(email, "?sim_roles=linkers");
  await chooser.pick(/sign-in link/i);
  await expect(page).toHaveURL(`${E2E.keystepUrl}/magic-link`);
  let link = "";
  await expect
    .poll(async () => {
      const list = (await (await fetch(`${E2E.inboxUrl}/api/messages?to=${encodeURIComponent(email)}`)).json()) as Array<{ text: string }>;
      link = list.map((m) => m.text.match(new RegExp(`(${E2E.keystepUrl}/magic/[A-Za-z0-9_-]+)`))?.[1]).find(Boolean) ?? "";
      return link;
    })
    .toContain("/magic/");
  await page.goto(link);
  await page.getByRole("button", { name: "Confirm sign-in" }).click();
  // The link proved the email; the security key the rule forces is still to be set up.
  await expect(page).toHaveURL(`${E2E.keystepUrl}/webauthn-roaming/setup`);
  await page.goto(`${E2E.keystepUrl}/continue`);
  await expect(page).toHaveURL(`${E2E.keystepUrl}/webauthn-roaming/setup`);
});
