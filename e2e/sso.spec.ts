// Auth0 keeps an SSO session for days, and the Action records Keystep's method in it. Reusing that
// session must never skip what asks for more: step-up, an intent, or an old method (#15 item 1).
import { enrollNewUser, expect, newEmail, test } from "./support/fixtures";
import { E2E } from "./support/ports";

const STEP_UP = `?acr_values=${encodeURIComponent("http://schemas.openid.net/pape/policies/2007/06/multi-factor")}`;
const onKeystep = new RegExp(`^${E2E.keystepUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/`);

test("inside an SSO session, a fresh Keystep method is reused: the app gets the user without a second MFA", async ({ page, app, otp }) => {
  await enrollNewUser(page, app, otp, newEmail("sso-reuse"));
  await app.loginWithSession();
  await app.expectLoggedIn();
});

test("step-up inside an SSO session asks again", async ({ page, app, otp }) => {
  await enrollNewUser(page, app, otp, newEmail("sso-stepup"));
  await app.loginWithSession(STEP_UP);
  await expect(page).toHaveURL(`${E2E.keystepUrl}/otp`);
  await expect(page.getByTestId("why-asked")).toHaveText("We're asking because this action needs a fresh check.");
});

test("keystep_intent=manage inside an SSO session reaches Keystep, not the app", async ({ page, app, otp }) => {
  await enrollNewUser(page, app, otp, newEmail("sso-manage"));
  await app.loginWithSession("?keystep_intent=manage");
  await expect(page).toHaveURL(onKeystep);
  await expect(page.getByTestId("result")).toHaveCount(0);
});

test("prompt=none inside an SSO session renews silently while the method is fresh, and answers interaction_required when Keystep must run", async ({ page, app, otp }) => {
  await enrollNewUser(page, app, otp, newEmail("sso-silent"));
  await app.loginWithSession("?prompt=none");
  await app.expectLoggedIn();
  await app.loginWithSession(`?prompt=none&${STEP_UP.slice(1)}`);
  await expect(page.getByTestId("result")).toHaveText("error");
  await expect(page.getByRole("alert")).toContainText("interaction_required");
});

/** The namespaced claims the Action put in the ID token the app received (#15 item 2). */
async function idTokenClaims(page: import("@playwright/test").Page): Promise<Record<string, unknown>> {
  return JSON.parse((await page.getByTestId("id-token-claims").textContent()) ?? "{}") as Record<string, unknown>;
}
const NS = `${E2E.keystepUrl}/`;

test("an app can check MFA: the ID token carries Keystep's factors and time, on the fresh path and the SSO path alike", async ({ page, app, otp }) => {
  const before = Math.floor(Date.now() / 1000) - 1;
  await enrollNewUser(page, app, otp, newEmail("sso-claims"));
  const fresh = await idTokenClaims(page);
  // A first setup proves the verified email first (policy firstEnrollment), then the new app.
  expect(fresh[`${NS}amr`]).toEqual(["email", "otp"]);
  expect(fresh[`${NS}mfa_skipped`]).toBe(false);
  expect(fresh[`${NS}mfa_at`]).toBeGreaterThanOrEqual(before);
  await expect(page.getByTestId("access-token-claims")).toContainText(`"${NS}amr"`);

  await app.loginWithSession();
  await app.expectLoggedIn();
  await expect(page.getByTestId("claims")).toHaveCount(0); // Keystep was not needed
  const reused = await idTokenClaims(page);
  expect(reused[`${NS}amr`]).toEqual(["email", "otp"]);
  expect(reused[`${NS}mfa_at`]).toBe(fresh[`${NS}mfa_at`]);
});

test("a login to another app in the SSO session goes through Keystep: that app's policy may ask for more", async ({ page, app, otp }) => {
  await enrollNewUser(page, app, otp, newEmail("sso-other-app"));
  await app.loginWithSession("?client_id=payments-app");
  await expect(page).toHaveURL(`${E2E.keystepUrl}/otp`);
});

test("a login that policy let through without a factor keeps silent renewal working, and the claims say no factor was used", async ({ page, app, otp }) => {
  const email = newEmail("sso-skip");
  await enrollNewUser(page, app, otp, email);
  await page.goto(`${E2E.simUrl}/logout`);
  await app.login(email, "?sim_roles=trusted");
  await app.expectLoggedIn();
  await expect(page.getByTestId("claims")).toContainText('"skipped": "trusted testers skip MFA"');

  await app.loginWithSession("?sim_roles=trusted&prompt=none");
  await app.expectLoggedIn();
  await expect(page.getByTestId("claims")).toHaveCount(0);
  expect(await idTokenClaims(page)).toEqual({ [`${NS}amr`]: [], [`${NS}mfa_skipped`]: true });

  // An interactive login is never skipped on the strength of a policy skip: policy runs again.
  await app.loginWithSession("?sim_roles=trusted");
  await app.expectLoggedIn();
  await expect(page.getByTestId("claims")).toContainText('"skipped": "trusted testers skip MFA"');
});

test("Back after /continue does not post the used result again: Keystep says the sign-in already went back, with Continue at hand", async ({ page, app, otp }) => {
  await enrollNewUser(page, app, otp, newEmail("back-after-continue"));
  await page.goBack();
  await expect(page).toHaveURL(`${E2E.keystepUrl}/continue`);
  await expect(page.getByText("You already went back to Demo App. If you are not signed in there, select Continue.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Continue" })).toBeVisible();
  await expect(page.getByTestId("result")).toHaveCount(0); // no bounce into the app's error page
});
