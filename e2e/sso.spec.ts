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
