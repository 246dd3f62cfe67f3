import type { Page } from "@playwright/test";
import { expectAccessible } from "./support/axe";
import { AuthenticatorApp, Chooser, enrollNewUser, expect, newEmail, OtpScreens, RecoveryScreen, SimApp, test } from "./support/fixtures";
import { keystepCli } from "./support/keystep-cli";
import { E2E } from "./support/ports";
import { VirtualAuthenticator } from "./support/webauthn";

/** The signed-in user's Auth0 user_id, as the simulated app shows it. */
async function signedInSub(page: Page): Promise<string> {
  const sub = (await page.getByTestId("sub").textContent())!.trim();
  expect(sub).toMatch(/^auth0\|/);
  return sub;
}

/** Support issues a link with the CLI, as an operator would; returns its URL and id. */
async function issueLink(sub: string, ...options: string[]): Promise<{ url: string; id: string }> {
  const r = await keystepCli("enroll-link", sub, "--tenant", "sim", ...options, "--json");
  expect(r.status, r.stderr).toBe(0);
  const link = JSON.parse(r.stdout) as { url: string; id: string };
  expect(link.url).toMatch(new RegExp(`^${E2E.keystepUrl}/enroll/[A-Za-z0-9_-]{43}$`));
  return link;
}

/** The user's audit trail (newest first), as support sees it. */
async function events(sub: string): Promise<Array<{ event: string; outcome: string | null; detail: Record<string, unknown> | null }>> {
  const shown = await keystepCli("show", sub, "--tenant", "sim", "--json");
  expect(shown.status, shown.stderr).toBe(0);
  return JSON.parse(shown.stdout).events;
}

test("an enrollment link used once, then refused", async ({ page, app, otp, browser }) => {
  // Two sign-ins, a setup each, two browsers and three accessibility checks.
  test.setTimeout(150_000);
  const email = newEmail("enroll-link");
  let sub = "";
  let link!: { url: string; id: string };
  let phone!: AuthenticatorApp;

  await test.step("a user with an authenticator app; support issues a security-key link for them", async () => {
    phone = await enrollNewUser(page, app, otp, email);
    sub = await signedInSub(page);
    link = await issueLink(sub, "--factor", "webauthn-roaming", "--expires", "3d", "--return-to", `${E2E.simUrl}/`);
  });

  // The user opens the link in their own browser, which has no session anywhere.
  const context = await browser.newContext();
  const user = await context.newPage();
  await VirtualAuthenticator.attach(user, "security-key");

  await test.step("opening the link changes nothing: it says what it does and offers one button", async () => {
    const res = await user.goto(link.url);
    expect(res?.status()).toBe(200);
    await expect(user.getByRole("heading", { level: 1 })).toHaveText("Set up a sign-in method");
    await expect(user.getByTestId("enroll-link-what")).toContainText("Security key");
    await expectAccessible(user, "enrollment link page");
    // A second GET (a mail scanner's prefetch, a reload) still shows it: nothing was claimed.
    expect((await user.goto(link.url))?.status()).toBe(200);
    expect((await events(sub)).map((e) => e.event)).not.toContain("enroll_link.claimed");
  });

  await test.step("the button claims it for this browser and says to sign in to the app", async () => {
    await user.getByRole("button", { name: "Continue" }).click();
    await expect(user.getByRole("heading", { level: 1 })).toHaveText("Now sign in");
    const cookie = (await context.cookies()).find((c) => c.name === "__Host-keystep_enroll_link");
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax", path: "/" });
    expect(link.url).not.toContain(cookie!.value);
    await expectAccessible(user, "enrollment link claimed");
    await user.getByRole("link", { name: /^Sign in to / }).click();
    await expect(user).toHaveURL(new RegExp(`^${E2E.simUrl}/`));
  });

  await test.step("the next sign-in asks for the app first, then goes straight to the security key, and back to the app", async () => {
    await new SimApp(user).login(email);
    await expect(user).toHaveURL(`${E2E.keystepUrl}/otp`);
    await new OtpScreens(user).submit(phone.code(1)); // the enrollment just used this period's code
    await expect(user).toHaveURL(`${E2E.keystepUrl}/webauthn-roaming/setup`);
    await user.getByRole("button", { name: "Use a security key" }).click();
    await new SimApp(user).expectLoggedIn();
    expect(await signedInSub(user)).toBe(sub);
  });

  await test.step("the link is used up: opening it again shows the refusal, and the trail has every step", async () => {
    const again = await user.goto(link.url);
    expect(again?.status()).toBe(404);
    await expect(user.getByRole("alert")).toContainText("not valid, has expired, or was already used");
    await expectAccessible(user, "enrollment link refused");
    const trail = (await events(sub)).map((e) => `${e.event}:${e.outcome}`);
    for (const step of ["enroll_link.issued:success", "enroll_link.claimed:success", "enroll_link.taken:success", "enroll_link.used:success"]) expect(trail).toContain(step);
    const shown = await keystepCli("show", sub, "--tenant", "sim", "--json");
    expect(
      JSON.parse(shown.stdout)
        .factors.map((f: { factor: string }) => f.factor)
        .sort(),
    ).toEqual(["otp", "webauthn-roaming"]);
  });

  await test.step("the next sign-in in that browser is an ordinary one", async () => {
    await user.goto(`${E2E.simUrl}/logout`);
    await new SimApp(user).login(email);
    await expect(user).toHaveURL(`${E2E.keystepUrl}/webauthn-roaming`);
  });
  await context.close();
});

test("a link for another user does nothing", async ({ page, app, otp, browser }) => {
  // Two users set up an app, then one more sign-in.
  test.setTimeout(150_000);
  const owner = newEmail("link-owner");
  const other = newEmail("link-other");
  await enrollNewUser(page, app, otp, owner);
  const ownerSub = await signedInSub(page);
  const link = await issueLink(ownerSub, "--factor", "webauthn-roaming");

  // Another person, with an app of their own, signs in in the browser that claimed the owner's link.
  const context = await browser.newContext();
  const shared = await context.newPage();
  const otherPhone = await enrollNewUser(shared, new SimApp(shared), new OtpScreens(shared), other);
  await shared.goto(`${E2E.simUrl}/logout`);
  await shared.goto(link.url);
  await shared.getByRole("button", { name: "Continue" }).click();
  await expect(shared.getByRole("heading", { level: 1 })).toHaveText("Now sign in");

  await new SimApp(shared).login(other);
  await expect(shared).toHaveURL(`${E2E.keystepUrl}/otp`);
  await new OtpScreens(shared).submit(otherPhone.code(1)); // the enrollment just used this period's code
  // Straight back to the app: no security-key setup for someone the link is not for.
  await new SimApp(shared).expectLoggedIn();
  const trail = await events(ownerSub);
  expect(trail.map((e) => `${e.event}:${e.outcome}`)).toContain("enroll_link.other_user:ignored");
  expect(trail.map((e) => e.event)).not.toContain("enroll_link.used");
  await context.close();
});

test("the link page works without JavaScript, in the reader's language, and a forged link gets the same refusal", async ({ browser }) => {
  // A user Keystep has not seen yet (onboarding): the link needs no prior record.
  const link = await issueLink(`auth0|onboarding-${Date.now()}`);
  const context = await browser.newContext({ javaScriptEnabled: false, locale: "de-DE" });
  const page = await context.newPage();
  const res = await page.goto(link.url);
  expect(res?.status()).toBe(200);
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Anmeldemethode einrichten");
  await expect(page.getByTestId("enroll-link-what")).toContainText("eine Methode, die Sie noch nicht haben");
  await page.getByRole("button", { name: "Weiter" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Melden Sie sich jetzt an");
  expect((await context.cookies()).map((c) => c.name)).toContain("__Host-keystep_enroll_link");

  // Claimed, forged and malformed links: one page, one status, nothing that tells them apart.
  const forged = `${E2E.keystepUrl}/enroll/${"A".repeat(43)}`;
  const texts = new Set<string>();
  for (const url of [link.url, forged, `${E2E.keystepUrl}/enroll/x`]) {
    for (const method of ["GET", "POST"] as const) {
      const r = method === "GET" ? await page.goto(url) : await page.request.post(url, { headers: { Origin: E2E.keystepUrl, "Accept-Language": "de" } });
      expect(r?.status(), `${method} ${url}`).toBe(404);
      if (method === "GET") texts.add((await page.getByRole("alert").textContent()) ?? "");
    }
  }
  expect([...texts]).toEqual(["Dieser Einrichtungslink ist ungültig, abgelaufen oder wurde bereits verwendet. Bitten Sie Ihr Support-Team um einen neuen."]);
  await context.close();
});

test("a device remembered with 'Don't ask again' still gets the link's setup, after a proof", async ({ page, app, otp }) => {
  test.setTimeout(150_000);
  const email = newEmail("link-remembered");
  await app.login(email);
  await new Chooser(page).pick(/authenticator app/i);
  const phone = new AuthenticatorApp(await otp.scanQr());
  await otp.submit(phone.code());
  const codes = await new RecoveryScreen(page).save();
  await app.expectLoggedIn();
  const sub = await signedInSub(page);

  await page.goto(`${E2E.simUrl}/logout`);
  await app.login(email);
  await page.getByLabel("Don't ask again on this device for 30 days").check();
  await otp.submit(phone.code(1)); // the enrollment just used this period's code
  await app.expectLoggedIn();

  const link = await issueLink(sub, "--factor", "webauthn-roaming");
  await VirtualAuthenticator.attach(page, "security-key");
  await page.goto(link.url);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Now sign in");

  await page.goto(`${E2E.simUrl}/logout`);
  await app.login(email);
  // Not skipped: the user proves a factor (the app's codes up to the next period are used, so a recovery code), then sets up the key.
  await expect(page).toHaveURL(`${E2E.keystepUrl}/otp`);
  await page.getByRole("button", { name: "Use a recovery code" }).click();
  await otp.submit(codes[0]!);
  await expect(page).toHaveURL(`${E2E.keystepUrl}/webauthn-roaming/setup`);
  await page.getByRole("button", { name: "Use a security key" }).click();
  await expect(page).not.toHaveURL(`${E2E.keystepUrl}/webauthn-roaming/setup`);
  if (page.url() === `${E2E.keystepUrl}/recovery-codes`) await page.getByRole("button", { name: "Continue" }).click();
  await app.expectLoggedIn();
  await expect(page.getByTestId("claims")).not.toContainText("skipped");
  expect((await events(sub)).map((e) => `${e.event}:${e.outcome}`)).toContain("enroll_link.used:success");
});
