import { type Browser, type Page } from "@playwright/test";
import { type AuthenticatorApp, Chooser, enrollNewUser, expect, newEmail, OtpScreens, SimApp, test } from "./support/fixtures";
import { keystepCli } from "./support/keystep-cli";
import { E2E } from "./support/ports";

/** The signed-in user's Auth0 user_id, as the simulated app shows it. */
async function signedInSub(page: Page): Promise<string> {
  const sub = (await page.getByTestId("sub").textContent())!.trim();
  expect(sub).toMatch(/^auth0\|/);
  return sub;
}

/** Logs `email` in from a browser with no Auth0 session or Keystep cookies, and hands back its page. */
async function loginInFreshBrowser(browser: Browser, email: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await new SimApp(page).login(email);
  return { page, close: () => context.close() };
}

const admin = (sub: string, rest = "") => `${E2E.keystepUrl}/api/admin/users/${encodeURIComponent(sub)}${rest}?tenant=sim`;
const bearer = { Authorization: `Bearer ${E2E.adminToken}` };

test("after a support reset from the CLI, the user's next login sets up a factor again", async ({ page, app, otp, browser }) => {
  const email = newEmail("reset");
  let phone!: AuthenticatorApp;
  let sub = "";

  await test.step("the user enrolls an authenticator app", async () => {
    phone = await enrollNewUser(page, app, otp, email);
    sub = await signedInSub(page);
  });

  await test.step("support looks the user up: one app, ten recovery codes, and the enrollment in the audit trail", async () => {
    const shown = await keystepCli("show", sub, "--tenant", "sim", "--json");
    expect(shown.status, shown.stderr).toBe(0);
    const view = JSON.parse(shown.stdout);
    expect(view).toMatchObject({ tenant: "sim", sub, factors: [{ factor: "otp", status: "active" }], recoveryCodes: { remaining: 10 } });
    expect(view.events.map((e: { event: string }) => e.event)).toContain("enroll.success");
  });

  await test.step("support resets the user with `keystep reset`", async () => {
    const reset = await keystepCli("reset", sub, "--tenant", "sim");
    expect(reset.status, reset.stderr).toBe(0);
    expect(reset.stdout).toContain(`Reset ${sub}`);
    expect(reset.stdout).toContain("removed 1 factor and 10 recovery codes");
    // The simulated tenant has Management API credentials: the revocation reached it.
    expect(reset.stdout).toContain("Auth0: revocation time recorded, sessions ended, refresh tokens revoked.");
  });

  await test.step("the next login is not challenged for the old app but offered setup, with a new key", async () => {
    const fresh = await loginInFreshBrowser(browser, email);
    await new Chooser(fresh.page).pick(/authenticator app/i);
    await expect(fresh.page).toHaveURL(`${E2E.keystepUrl}/otp/setup`);
    const uri = await new OtpScreens(fresh.page).scanQr();
    expect(uri.searchParams.get("secret")).not.toBe(phone.secret);
    await fresh.close();
  });

  await test.step("the reset is in the user's audit trail, made by the CLI", async () => {
    const shown = await keystepCli("show", sub, "--tenant", new URL(E2E.simCustomDomainUrl).host);
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/admin\.reset\s+-\s+success\s+-\s+actor=cli/);
  });
});

test("the admin API refuses callers without the token and serves those with it", async ({ page, app, otp, request, browser }) => {
  const email = newEmail("admin-api");
  await enrollNewUser(page, app, otp, email);
  const sub = await signedInSub(page);

  await test.step("without a token, or with a wrong one, it answers 401 JSON with a Bearer challenge", async () => {
    for (const headers of [{}, { Authorization: "Bearer wrong-token-0123456789abcdefghijklmnop" }] as Array<Record<string, string>>) {
      const res = await request.get(admin(sub), { headers });
      expect(res.status()).toBe(401);
      expect(res.headers()["www-authenticate"]).toMatch(/^Bearer realm="keystep-admin"/);
      expect(res.headers()["content-type"]).toMatch(/^application\/json/);
      expect(res.headers()["cache-control"]).toBe("no-store");
      expect(await res.json()).toMatchObject({ error: "unauthorized" });
    }
  });

  let factorId = "";
  await test.step("with the token it shows the user, found by the URL-encoded Auth0 user_id", async () => {
    const res = await request.get(admin(sub), { headers: bearer });
    expect(res.status()).toBe(200);
    expect(res.headers()["cache-control"]).toBe("no-store");
    const view = await res.json();
    expect(view).toMatchObject({ sub, factors: [{ factor: "otp", status: "active" }] });
    factorId = view.factors[0].id;
  });

  await test.step("unknown paths and users answer JSON, never an HTML page", async () => {
    const nowhere = await request.get(`${E2E.keystepUrl}/api/admin/nowhere`, { headers: bearer });
    expect(nowhere.status()).toBe(404);
    expect(await nowhere.json()).toMatchObject({ error: "not_found" });
    const nobody = await request.get(admin("auth0|nobody"), { headers: bearer });
    expect(nobody.status()).toBe(404);
    expect(await nobody.json()).toMatchObject({ error: "user_not_found" });
  });

  await test.step("a disabled app is no longer asked for; enabled again, it is", async () => {
    const off = await request.post(admin(sub, `/authenticators/${factorId}/disable`), { headers: bearer });
    expect(off.status()).toBe(200);
    expect(await off.json()).toMatchObject({ changed: true, authenticator: { status: "disabled" } });
    // Every saved factor but the recovery codes is off: that is the way in (never the email a
    // password holder may control, and never a first setup).
    const without = await loginInFreshBrowser(browser, email);
    await expect(without.page).toHaveURL(`${E2E.keystepUrl}/recovery-code`);
    await without.close();

    const on = await request.post(admin(sub, `/authenticators/${factorId}/enable`), { headers: bearer });
    expect(on.status()).toBe(200);
    const withApp = await loginInFreshBrowser(browser, email);
    await expect(withApp.page).toHaveURL(`${E2E.keystepUrl}/otp`);
    await withApp.close();
  });
});
