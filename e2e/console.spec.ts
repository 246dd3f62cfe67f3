/**
 * The support console (/console, docs/console.md): operators sign in with OpenID Connect through
 * the simulated Auth0 tenant, whose login runs the real Action, so every console sign-in passes
 * Keystep's MFA. The simulator gives the role `keystep-support` to `operator-…@` addresses.
 */
import type { Browser, Page } from "@playwright/test";
import { expectAccessible } from "./support/axe";
import { type AuthenticatorApp, enrollNewUser, expect, newEmail, OtpScreens, SimApp, test } from "./support/fixtures";
import { E2E } from "./support/ports";
import { proveEmailForRecovery, requestRecoveryAt, signInAgain } from "./support/recovery";

const CONSOLE = `${E2E.keystepUrl}/console`;

/** A fresh browser whose user has enrolled an authenticator app through the demo app. */
async function enrolledBrowser(browser: Browser, email: string, options: Parameters<Browser["newContext"]>[0] = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const phone = await enrollNewUser(page, new SimApp(page), new OtpScreens(page), email);
  return { page, phone, close: () => context.close() };
}

/** From the console's sign-in page through the tenant and Keystep's OTP challenge, back to /console. */
async function consoleSignIn(page: Page, phone: AuthenticatorApp) {
  await page.goto(CONSOLE);
  await page.getByRole("link", { name: "Sign in" }).click();
  // The browser has an Auth0 session from its enrollment, so no password step: the Action sends
  // the console's login (a step-up) to Keystep, which asks for the app's code.
  await expect(page).toHaveURL(`${E2E.keystepUrl}/otp`);
  await new OtpScreens(page).submit(phone.code(1)); // the enrollment just used this period's code
  await expect(page).toHaveURL(/\/console(\?.*)?$/);
}

/** On the console's user view: an action's link, its confirmation (the reason, the tick box), and its button. */
async function act(page: Page, label: string, reason: string, scope: Page | ReturnType<Page["locator"]> = page) {
  await scope.getByRole("link", { name: label, exact: true }).click();
  await page.getByLabel("Reason (kept in the audit trail)").fill(reason);
  await page.getByLabel("I have checked who I am helping").check();
  await page.getByRole("button", { name: label, exact: true }).click();
}

test("a console login through the simulated tenant plus Keystep's MFA", async ({ browser }) => {
  const email = newEmail("operator");
  const op = await enrolledBrowser(browser, email);
  await test.step("the console is a sign-in page until the operator signs in", async () => {
    await op.page.goto(CONSOLE);
    await expect(op.page.getByRole("heading", { level: 1 })).toHaveText("Support console");
    await expect(op.page.getByRole("search")).toHaveCount(0);
  });
  await test.step("sign-in: authorization code with PKCE at the tenant, Keystep's OTP challenge, the ID token checked", async () => {
    await consoleSignIn(op.page, op.phone);
    await expect(op.page.getByText(`Signed in as ${email}`)).toBeVisible();
    await expect(op.page.getByRole("search")).toBeVisible();
  });
  await test.step("the session cookie is HttpOnly, SameSite=Strict and __Host-", async () => {
    const cookie = (await op.page.context().cookies(E2E.keystepUrl)).find((c) => c.name === "__Host-keystep_console");
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict", path: "/" });
    // The sign-in transaction's cookie is single use: gone after the callback.
    expect((await op.page.context().cookies(E2E.keystepUrl)).some((c) => c.name === "__Host-keystep_console_tx")).toBe(false);
  });
  await test.step("sign-out ends the session", async () => {
    await op.page.getByRole("button", { name: "Sign out" }).click();
    await expect(op.page.getByRole("link", { name: "Sign in" })).toBeVisible();
    await op.page.goto(CONSOLE);
    await expect(op.page.getByRole("search")).toHaveCount(0);
  });
  await op.close();
});

test("a refused non-operator", async ({ browser }) => {
  const email = newEmail("helpdesk"); // no `operator-` prefix: the simulated tenant gives no role
  const user = await enrolledBrowser(browser, email);
  await consoleSignIn(user.page, user.phone);
  // Next's route announcer also has role="alert"; it is not ours.
  await expect(user.page.locator('[role="alert"]:not(#__next-route-announcer__)')).toContainText("does not have the support role");
  await expect(user.page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(user.page.getByRole("search")).toHaveCount(0);
  expect((await user.page.context().cookies(E2E.keystepUrl)).some((c) => c.name === "__Host-keystep_console")).toBe(false);
  await user.close();
});

test("a console reset", async ({ browser }) => {
  test.setTimeout(120_000); // two users set up, the reset, the charts and two axe runs
  const target = newEmail("customer");
  const customer = await enrolledBrowser(browser, target);
  await customer.close();
  const operatorEmail = newEmail("operator");
  // At phone size: the console works there too.
  const op = await enrolledBrowser(browser, operatorEmail, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await consoleSignIn(op.page, op.phone);
  const page = op.page;

  await test.step("the operator finds the user by email and sees their authenticator app", async () => {
    await page.getByLabel("User id or email").fill(target);
    await page.getByRole("button", { name: "Find" }).click();
    await page.getByRole("link", { name: /^auth0\|/ }).click();
    await expect(page.getByTestId("console-factors")).toContainText("Authenticator app");
    await expect(page.getByText("10 of 10 recovery codes left")).toBeVisible();
  });
  await test.step("reset asks for a confirmation and a reason", async () => {
    await page.getByRole("link", { name: "Reset the user" }).click();
    await expect(page.getByRole("heading", { name: /Reset: remove every factor/ })).toBeVisible();
    await expectAccessible(page, "console user view with a confirmation");
    // Nothing wider than the phone's screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.getByLabel("Reason (kept in the audit trail)").fill("Lost phone, identity checked on a call");
    await page.getByLabel("I have checked who I am helping").check();
    await page.getByRole("button", { name: "Reset the user" }).click();
  });
  await test.step("the user is reset, and the audit timeline names the operator and the reason", async () => {
    await expect(page.getByRole("status")).toContainText("The user was reset");
    await expect(page.getByTestId("console-factors").locator("li")).toHaveCount(0);
    await expect(page.getByTestId("console-audit")).toContainText(`admin.reset · success · ${operatorEmail} · “Lost phone, identity checked on a call”`);
  });
  await test.step("the charts show the deployment, each with its data as a table, axe-clean", async () => {
    await page.getByRole("link", { name: "Charts" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Deployment charts");
    // Every enrolled journey user has an authenticator app; the operator's counts at least.
    await expect(page.getByTestId("chart-mix").getByRole("table")).toContainText("Authenticator app");
    await expect(page.getByTestId("chart-mix").getByRole("img", { name: /Factor mix/ })).toBeVisible();
    await expect(page.getByTestId("chart-rates").getByRole("table")).toContainText("Authenticator app");
    await expect(page.getByTestId("chart-policy").getByRole("table")).toContainText("CHALLENGE");
    await expectAccessible(page, "console charts");
    // Another period: the same charts over the last 7 days.
    await page.getByLabel("Period").selectOption("7");
    await page.getByRole("button", { name: "Show" }).click();
    await expect(page).toHaveURL(/[?&]days=7\b/);
    await expect(page.getByText("The last 7 days (passkey adoption: all time).")).toBeVisible();
    await expect(page.getByTestId("chart-rates").getByRole("table")).toContainText("Authenticator app");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });
  await test.step("the user's next login starts with setting up a factor", async () => {
    const context = await browser.newContext();
    const fresh = await context.newPage();
    await new SimApp(fresh).login(target);
    await expect(fresh).toHaveURL(`${E2E.keystepUrl}/choose`);
    await context.close();
  });
  await op.close();
});

test("threat: CSRF on console actions: a cross-site POST to a console action is refused and changes nothing", async ({ browser }) => {
  test.setTimeout(120_000); // two users set up before the forged post
  const target = newEmail("victim");
  const customer = await enrolledBrowser(browser, target);
  const sub = (await customer.page.getByTestId("sub").textContent())!.trim();
  await customer.close();
  const op = await enrolledBrowser(browser, newEmail("operator"));
  await consoleSignIn(op.page, op.phone);
  const page = op.page;
  // The real confirmation form, as the operator's console renders it (its server action id included).
  await page.goto(`${CONSOLE}?${new URLSearchParams({ tenant: "sim", user: sub, confirm: "reset" })}`);
  const form = await page.locator("form:has(input[name=action][value=reset])").evaluate((f) => f.outerHTML);

  await test.step("another site's page posts that form to Keystep in the operator's browser", async () => {
    await page.goto(`${E2E.simUrl}/`);
    const answer = page.waitForResponse((r) => r.request().method() === "POST" && r.url().startsWith(CONSOLE));
    await page.evaluate(
      ([html, action]) => {
        const holder = document.createElement("div");
        holder.innerHTML = html;
        const f = holder.querySelector("form")!;
        f.action = action;
        f.method = "post";
        f.enctype = "multipart/form-data";
        (f.querySelector("textarea") as HTMLTextAreaElement).value = "forged";
        (f.querySelector("input[type=checkbox]") as HTMLInputElement).checked = true;
        document.body.append(holder);
        f.submit();
      },
      [form, CONSOLE] as const,
    );
    expect((await answer).status()).toBe(403);
  });
  await test.step("nothing changed: the user keeps their factor, and no reset is recorded", async () => {
    const r = await fetch(`${E2E.keystepUrl}/api/admin/users/${encodeURIComponent(sub)}?tenant=sim`, { headers: { Authorization: `Bearer ${E2E.adminToken}` } });
    const view = (await r.json()) as { factors: Array<{ factor: string }>; events: Array<{ event: string }> };
    expect(view.factors.map((f) => f.factor)).toEqual(["otp"]);
    expect(view.events.map((e) => e.event)).not.toContain("admin.reset");
  });
  await op.close();
});

test("a console approves a recovery request, and issues an enrollment link", async ({ browser }) => {
  test.setTimeout(150_000); // two users set up, a recovery request, the operator's two actions
  const target = newEmail("recovering");
  const customer = await enrolledBrowser(browser, target);
  await requestRecoveryAt(customer.page, { keystepUrl: E2E.keystepUrl, simUrl: E2E.simUrl, email: target });
  const op = await enrolledBrowser(browser, newEmail("operator"));
  await consoleSignIn(op.page, op.phone);
  const page = op.page;

  await test.step("the operator sees the waiting request", async () => {
    await page.getByLabel("User id or email").fill(target);
    await page.getByRole("button", { name: "Find" }).click();
    await page.getByRole("link", { name: /^auth0\|/ }).click();
    await expect(page.getByTestId("console-recovery")).toContainText("waiting until");
  });
  await test.step("approving asks for a confirmation and a reason, and is audited with them", async () => {
    await act(page, "Approve the recovery request", "Identity checked on a video call");
    await expect(page.getByRole("status")).toContainText("The recovery request was approved");
    await expect(page.getByTestId("console-recovery")).toContainText("ready since");
    await expect(page.getByTestId("console-audit")).toContainText("admin.recovery_approved · success");
    await expect(page.getByTestId("console-audit")).toContainText("“Identity checked on a video call”");
  });
  await test.step("the customer can finish now, from the browser the request came from", async () => {
    await signInAgain(customer.page);
    await expect(customer.page).toHaveURL(`${E2E.keystepUrl}/otp`);
    await proveEmailForRecovery(customer.page, { keystepUrl: E2E.keystepUrl, email: target, intro: "Your waiting period is over", submit: "Continue" });
    await expect(customer.page).toHaveURL(new RegExp(`${E2E.keystepUrl}/(choose|otp/setup)$`));
    await customer.close();
  });
  await test.step("an enrollment link: behind the same confirmation and reason, its URL shown once", async () => {
    await page.getByRole("link", { name: "Issue an enrollment link" }).click();
    await page.getByLabel("Method to set up").selectOption({ label: "Authenticator app" });
    await page.getByLabel("Works for").selectOption("1d");
    await page.getByLabel("Reason (kept in the audit trail)").fill("Onboarding a new phone");
    await page.getByLabel("I have checked who I am helping").check();
    await page.getByRole("button", { name: "Issue the link" }).click();
    await expect(page.getByRole("status")).toContainText("Link issued for: Authenticator app. It works once, until");
    await expect(page.getByTestId("enroll-link-url")).toHaveValue(new RegExp(`^${E2E.keystepUrl}/enroll/[\\w-]{40,}$`));
    await page.reload();
    await expect(page.getByTestId("enroll-link-url")).toHaveCount(0);
    await expect(page.getByTestId("console-audit")).toContainText("enroll_link.issued · Authenticator app · success");
  });
  await op.close();
});

test("a console disables and enables a factor, unlocks, forgets remembered devices and cancels a recovery request", async ({ browser }) => {
  test.setTimeout(150_000); // two users set up, a recovery request, five confirmed actions
  const target = newEmail("supported");
  const customer = await enrolledBrowser(browser, target);
  await requestRecoveryAt(customer.page, { keystepUrl: E2E.keystepUrl, simUrl: E2E.simUrl, email: target });
  await customer.close();
  const operatorEmail = newEmail("operator");
  const op = await enrolledBrowser(browser, operatorEmail);
  await consoleSignIn(op.page, op.phone);
  const page = op.page;
  await page.getByLabel("User id or email").fill(target);
  await page.getByRole("button", { name: "Find" }).click();
  await page.getByRole("link", { name: /^auth0\|/ }).click();
  const factor = page.getByTestId("console-factors").locator("li").first();
  const audit = page.getByTestId("console-audit");

  await test.step("disable, then enable, the authenticator app", async () => {
    await act(page, "Disable", "Phone reported stolen", factor);
    await expect(page.getByRole("status")).toContainText("The factor was disabled");
    await expect(factor).toContainText("Disabled");
    await act(page, "Enable", "Phone found again", factor);
    await expect(page.getByRole("status")).toContainText("The factor was enabled");
    await expect(factor).toContainText("Active");
    await expect(audit).toContainText(`admin.factor_disabled · Authenticator app · success · ${operatorEmail} · “Phone reported stolen”`);
  });
  await test.step("unlock and forget remembered devices", async () => {
    await act(page, "Unlock", "Locked out after typos");
    await expect(page.getByRole("status")).toContainText("The user was unlocked");
    await act(page, "Forget remembered devices", "Shared computer at a library");
    await expect(page.getByRole("status")).toContainText("Remembered devices were forgotten");
    await expect(audit).toContainText("“Shared computer at a library”");
  });
  await test.step("cancel the recovery request: it is gone, and the actions for it too", async () => {
    await act(page, "Cancel the recovery request", "The user did not ask for it");
    await expect(page.getByRole("status")).toContainText("The recovery request was cancelled");
    await expect(page.getByTestId("console-recovery")).toHaveCount(0);
    await expect(page.getByRole("link", { name: "Approve the recovery request" })).toHaveCount(0);
    await expect(audit).toContainText(`admin.recovery_cancelled · success · ${operatorEmail} · “The user did not ask for it”`);
  });
  await op.close();
});
