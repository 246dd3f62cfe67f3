/**
 * Tenants are tenants, not hostnames (#15 items 3 and 4), through the product's own Action in the
 * simulator: the e2e Keystep serves two tenants, "sim" (canonical domain 127.0.0.1, custom domain
 * localhost, Management API credentials) and "sim-dev" (a secret of its own).
 */
import { type Page } from "@playwright/test";
import { decodeJwt, SignJWT } from "jose";
import { AuthenticatorApp, Chooser, enrollNewUser, expect, newEmail, OtpScreens, RecoveryScreen, SimApp, test } from "./support/fixtures";
import { E2E } from "./support/ports";

/** Auth0's password step on a given domain of a tenant (the canonical one, a custom one, another tenant). */
const loginAt = (page: Page, base: string, email: string) => new SimApp(page).login(email, "", base);

test("a custom domain and the canonical domain on one tenant are one user: a login through either is challenged for the same factor", async ({ page, app, otp }) => {
  const email = newEmail("custom-domain");
  const phone = await enrollNewUser(page, app, otp, email);
  await page.context().clearCookies();
  await loginAt(page, E2E.simCustomDomainUrl, email);
  // Not a first setup (which anyone holding the password could complete): the app the user has.
  await expect(page).toHaveURL(`${E2E.keystepUrl}/otp`);
  await otp.submit(phone.code(1));
  await expect(page).toHaveURL(new RegExp(`^${E2E.simCustomDomainUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/callback`));
  await expect(page.getByTestId("result")).toHaveText("logged-in");
});

test("two tenants with different secrets: each tenant's logins work, and a token or result minted with one tenant's secret is refused by the other", async ({ page, otp }) => {
  await test.step("a login through the second tenant goes through Keystep and back, signed with that tenant's secret both ways", async () => {
    await loginAt(page, E2E.devSimUrl, newEmail("dev-tenant"));
    await new Chooser(page).pick(/authenticator app/i);
    await expect(page).toHaveURL(/\/otp\/setup$/);
    const phone = new AuthenticatorApp(await new OtpScreens(page).scanQr());
    await otp.submit(phone.code());
    await new RecoveryScreen(page).save();
    await expect(page).toHaveURL(new RegExp(`^${E2E.devSimUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/callback`));
    await expect(page.getByTestId("result")).toHaveText("logged-in");
  });

  await test.step("Keystep refuses a session token for the first tenant's domain signed with the second tenant's secret", async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ iat: now, exp: now + 600, iss: new URL(E2E.simUrl).host, sub: "auth0|victim", ip: "127.0.0.1", email: "victim@keystep.test" })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(new TextEncoder().encode(E2E.devSecret));
    await page.goto(`${E2E.keystepUrl}/auth0/start?session_token=${forged}&state=forged-state-0123456789`);
    await expect(page.getByRole("alert")).toBeVisible();
    await expect(page).not.toHaveURL(/\/(otp|choose|email)/);
  });

  await test.step("the first tenant's Action refuses a success result minted with the second tenant's secret", async () => {
    await page.context().clearCookies();
    const entry = page.waitForRequest((r) => r.url().startsWith(`${E2E.keystepUrl}/auth0/start`));
    await loginAt(page, E2E.simUrl, newEmail("cross-tenant"));
    const url = new URL((await entry).url());
    const state = url.searchParams.get("state") ?? "";
    const { iss, sub } = decodeJwt(url.searchParams.get("session_token") ?? "");
    const now = Math.floor(Date.now() / 1000);
    const result = await new SignJWT({ state, outcome: "success", amr: ["otp"], iss, sub, iat: now, exp: now + 120, jti: "cross-tenant" })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(new TextEncoder().encode(E2E.devSecret));
    const res = await page.request.post(`${E2E.simUrl}/continue?state=${encodeURIComponent(state)}`, { form: { state, session_token: result }, maxRedirects: 0 });
    const location = new URL(res.headers().location ?? "", E2E.simUrl);
    expect(location.pathname).toBe("/callback");
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.searchParams.get("error_description")).toContain("Keystep result could not be verified");
    expect(location.searchParams.get("code")).toBeNull();
  });
});

test("revocation reaches Auth0: after a support reset the user's SSO session is gone, so the next login asks for the password and then for a new factor", async ({ page, app, otp, request }) => {
  const email = newEmail("revoked");
  await enrollNewUser(page, app, otp, email);
  const sub = (await page.getByTestId("sub").textContent())?.trim() ?? "";
  // Inside the session, before the reset, the app gets the user straight away.
  await app.loginWithSession();
  await app.expectLoggedIn();

  const reset = await request.post(`${E2E.keystepUrl}/api/admin/users/${encodeURIComponent(sub)}/reset?tenant=sim`, { headers: { Authorization: `Bearer ${E2E.adminToken}` } });
  expect(reset.status()).toBe(200);
  expect((await reset.json()).auth0Revoked).toEqual(["revocation_time", "sessions", "refresh_tokens"]);

  await app.loginWithSession();
  await expect(page.getByLabel("Password")).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("demo-password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(new RegExp(`^${E2E.keystepUrl}/(choose|email|otp/setup)`));
});
