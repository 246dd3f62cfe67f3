// The code screens and passkey challenges are HTML-only screens (pages/, decision 0007): Pages
// Router pages without Next's runtime, with Keystep's own small script (public/assets/html-only.js,
// from client/) for the pending state, the language menu, countdowns and the timeout warning,
// plus the passkey button's (webauthn.js) on the passkey challenges.
import type { Browser, Page, Request } from "@playwright/test";
import { AuthenticatorApp, enrollNewUser, expect, latestCode, newEmail, OtpScreens, RecoveryScreen, SimApp, test } from "./support/fixtures";
import { E2E } from "./support/ports";
import { VirtualAuthenticator } from "./support/webauthn";

/**
 * A user with an authenticator app, and a second browser (no Auth0 session there, so Auth0 asks
 * for the password and Keystep for the code) that `before` may prepare before the login.
 */
async function challengedUser(browser: Browser, page: Page, tag: string, before?: (p: Page) => Promise<void>) {
  const email = newEmail(tag);
  const phone = await enrollNewUser(page, new SimApp(page), new OtpScreens(page), email);
  const second = await (await browser.newContext()).newPage();
  await before?.(second);
  const app = new SimApp(second);
  await app.login(email);
  await expect(second).toHaveURL(`${E2E.keystepUrl}/otp`);
  // A person acts on a page that has loaded: its deferred script (html-only.js, which makes the
  // language menu apply at once) has run by DOMContentLoaded. The URL alone commits earlier, and
  // under load a choice made before that point was lost (seen once in a CI preview).
  await second.waitForLoadState("domcontentloaded");
  return { phone, page: second, app, otp: new OtpScreens(second) };
}

/** Every framework chunk the page asks for while `run` goes on. */
async function chunksDuring(page: Page, run: () => Promise<void>): Promise<string[]> {
  const chunks: string[] = [];
  // By path: the URL carries the release's deployment id as a query (`?dpl=…`, next.config.mjs).
  const seen = (r: Request) => {
    const { pathname } = new URL(r.url());
    if (pathname.startsWith("/_next/static/") && pathname.endsWith(".js")) chunks.push(r.url());
  };
  page.on("request", seen);
  try {
    await run();
  } finally {
    page.off("request", seen);
  }
  return chunks;
}

test("code screens load no framework JavaScript, and the setup screens still do", async ({ browser, page, app, otp }) => {
  const email = newEmail("htmlonly");

  await test.step("the method picker and the first-setup email check: no chunk requested", async () => {
    const chunks = await chunksDuring(page, async () => {
      await app.login(email);
      await expect(page).toHaveURL(`${E2E.keystepUrl}/choose`);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await page.getByRole("button", { name: /authenticator app/i }).click();
      await expect(page).toHaveURL(`${E2E.keystepUrl}/email`);
      await expect(page.getByTestId("gate-notice")).toBeVisible();
    });
    expect(chunks).toEqual([]);
  });

  await test.step("the authenticator-app setup (QR code, copyable key) loads React", async () => {
    const chunks = await chunksDuring(page, async () => {
      await page.locator("#code").fill(await latestCode(email));
      await page.locator("form:has(#code) button[type=submit]").click();
      await expect(page).toHaveURL(`${E2E.keystepUrl}/otp/setup`);
      await page.waitForLoadState("networkidle");
    });
    expect(chunks.length).toBeGreaterThan(0);
  });

  const phone = new AuthenticatorApp(await otp.scanQr());
  await otp.submit(phone.code());
  await new RecoveryScreen(page).save();
  await app.expectLoggedIn();

  await test.step("the authenticator-app challenge (another browser): no chunk requested, no framework data, only Keystep's script", async () => {
    const second = await (await browser.newContext()).newPage();
    const [app2, otp2] = [new SimApp(second), new OtpScreens(second)];
    const response = second.waitForResponse((r) => r.url() === `${E2E.keystepUrl}/otp` && r.request().method() === "GET");
    const chunks = await chunksDuring(second, async () => {
      await app2.login(email);
      await expect(otp2.codeInput).toBeFocused();
    });
    expect(chunks).toEqual([]);
    expect(await (await response).text()).not.toContain("__NEXT_DATA__");
    expect(await second.locator('script[src*="/_next/"]').count()).toBe(0);
    expect(await second.locator("script[src]").evaluateAll((s) => s.map((e) => e.getAttribute("src")))).toEqual(["/assets/html-only.js"]);

    // A wrong code re-renders the page with the error, and the field has focus again.
    await otp2.submit(phone.wrongCode());
    await expect(otp2.error).toContainText("That code is not right");
    await expect(otp2.codeInput).toBeFocused();
    await expect(otp2.codeInput).toHaveAttribute("aria-invalid", "true");
    await otp2.submit(phone.code(1)); // the enrollment just used this period's code
    await app2.expectLoggedIn();
  });
});

test("double-submit protection: the button shows the pending label and is disabled while the code is checked", async ({ browser, page: first }) => {
  const { phone, page, app, otp } = await challengedUser(browser, first, "pending");
  // Hold the form's POST so the in-between state can be seen, then let it through.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let posts = 0;
  await page.route(`${E2E.keystepUrl}/otp`, async (route) => {
    if (route.request().method() !== "POST") return route.continue();
    posts++;
    await held;
    await route.continue();
  });
  // Playwright cannot read a page whose navigation is pending, so the page reports what it shows.
  const seen: string[][] = [];
  await page.exposeFunction("reportPending", (state: string[]) => void seen.push(state));
  await page.evaluate(() => {
    const report = (window as unknown as { reportPending: (s: string[]) => void }).reportPending;
    document.addEventListener("submit", (e) => e.defaultPrevented && report(["refused"]));
    document.addEventListener(
      "submit",
      () =>
        setTimeout(() => {
          const form = document.querySelector<HTMLFormElement>("form:has(#code)")!;
          const button = form.querySelector("button[type=submit]") as HTMLButtonElement;
          report([button.textContent ?? "", String(button.disabled), form.getAttribute("aria-busy") ?? ""]);
          // A second submission (a script, an impatient Enter) while the first one runs.
          form.requestSubmit();
        }, 50),
      { once: true },
    );
  });
  await otp.codeInput.fill(phone.code(1)); // the enrollment just used this period's code
  // Not awaited: Playwright's click waits for the navigation it starts, which is held.
  const clicked = page.locator("form:has(#code) button[type=submit]").click();
  await expect.poll(() => seen).toEqual([["Verifying…", "true", "true"], ["refused"]]);
  release();
  await clicked;
  await app.expectLoggedIn();
  expect(posts).toBe(1);
});

test("the language menu applies at once on an HTML-only screen and keeps the sign-in where it is", async ({ browser, page: first }) => {
  const { phone, page, app, otp } = await challengedUser(browser, first, "htmllang");
  await page.getByLabel("Language").selectOption("fr");
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page).toHaveURL(`${E2E.keystepUrl}/otp`);
  await otp.codeInput.fill(phone.code(1));
  await page.locator("form:has(#code) button[type=submit]").click();
  await app.expectLoggedIn();
});

test("the session-timeout warning appears in the last two minutes and 'Keep me signed in' extends the sign-in", async ({ browser, page: first }) => {
  const { phone, page, app, otp } = await challengedUser(browser, first, "timeout", (p) => p.clock.install());
  const warning = page.getByText(/Your sign-in will time out in \d+:\d\d/);
  await expect(warning).toBeHidden();
  const left = Number(await page.locator("[data-session-left]").getAttribute("data-session-left"));
  expect(left).toBeGreaterThan(120_000);
  // The page's clock runs ahead to 90 s before the end (the server's clock does not move).
  await page.clock.fastForward(left - 90_000);
  await expect(warning).toBeVisible();
  await expect(warning).toContainText(/1:[0-2]\d/);
  await page.getByRole("button", { name: "Keep me signed in" }).click();
  await expect(page).toHaveURL(`${E2E.keystepUrl}/otp`);
  await expect(warning).toBeHidden();
  await otp.submit(phone.code(1));
  await app.expectLoggedIn();
});

test("the passkey challenge runs without React: no chunk requested, a cancel is a calm note, then the passkey signs in", async ({ page, app, chooser }) => {
  const device = await VirtualAuthenticator.attach(page, "passkey");
  const email = newEmail("htmlpasskey");
  await app.login(email);
  await chooser.pick(/passkey/i);
  await page.getByRole("button", { name: "Create a passkey" }).click();
  await new RecoveryScreen(page).save();
  await app.expectLoggedIn();
  await page.goto(`${E2E.simUrl}/logout`);

  const chunks = await chunksDuring(page, async () => {
    await app.login(email);
    await expect(page).toHaveURL(`${E2E.keystepUrl}/webauthn-platform`);
    await expect(page.getByRole("button", { name: "Use passkey" })).toBeEnabled();
  });
  expect(chunks).toEqual([]);
  await device.setUserVerified(false);
  await page.getByRole("button", { name: "Use passkey" }).click();
  await expect(page.getByTestId("webauthn-note")).toContainText("cancelled or timed out");
  await expect(page.getByTestId("webauthn-note")).toHaveAttribute("role", "status");
  await device.setUserVerified(true);
  await page.getByRole("button", { name: "Use passkey" }).click();
  await app.expectLoggedIn();
  await expect(page.getByTestId("claims")).toContainText('"uv"');
});

test("threat: cross-site request forgery — the passkey API refuses another origin and non-JSON bodies", async ({ request }) => {
  const url = `${E2E.keystepUrl}/api/webauthn/webauthn-platform`;
  const evil = await request.post(url, { headers: { origin: "https://evil.example", "content-type": "application/json" }, data: { step: "options" } });
  expect(evil.status()).toBe(403);
  const none = await request.post(url, { headers: { "content-type": "application/json" }, data: { step: "options" } });
  expect(none.status()).toBe(403);
  const form = await request.post(url, { headers: { origin: E2E.keystepUrl }, form: { step: "options" } });
  expect(form.status()).toBe(415);
  // Same origin and JSON, but no sign-in in progress: told where to go, nothing else.
  const ok = await request.post(url, { headers: { origin: E2E.keystepUrl, "content-type": "application/json" }, data: { step: "options" } });
  expect(ok.status()).toBe(200);
  expect(await ok.json()).toEqual({ next: "/error?reason=no_flow" });
});

/** Every message the dev inbox holds for `to`. */
async function inboxCount(to: string): Promise<number> {
  const r = await fetch(`${E2E.inboxUrl}/api/messages?to=${encodeURIComponent(to.toLowerCase())}`);
  return ((await r.json()) as unknown[]).length;
}

test("threat: a GET with side effects — prefetches and reloads of a code screen never send a code", async ({ page, app }) => {
  // Threat: a screen that sends on render lets a link prefetcher, a reload or a scripted GET burn
  // the user's send budget and flood their inbox. Defence: the code goes out with what leads to
  // the step (lib/flow/arrive.ts: the entry, the picker's POST), never while the screen renders.
  const email = newEmail("getsend");
  await app.login(email);
  await expect(page).toHaveURL(`${E2E.keystepUrl}/choose`);
  await page.getByRole("button", { name: /authenticator app/i }).click();
  await expect(page).toHaveURL(`${E2E.keystepUrl}/email`);
  await expect.poll(() => inboxCount(email)).toBe(1);
  for (let i = 0; i < 3; i++) {
    await page.reload();
    await expect(page.locator("#code")).toBeVisible();
  }
  const prefetch = await page.request.get(`${E2E.keystepUrl}/email`);
  expect(prefetch.status()).toBe(200);
  // No waiting needed: a send finishes inside its request (lib/factors/send.ts awaits delivery) and
  // the dev inbox stores a mail before it acknowledges it over SMTP, so anything these GETs had
  // sent would already be counted.
  expect(await inboxCount(email)).toBe(1);
  // The one send the screen makes itself is a POST: "Send a new code" (after its cool-down).
  await expect(page.getByTestId("resend")).toBeVisible();
});

test("threat: a forged form on an HTML-only screen — only a small urlencoded form from this origin is read", async ({ browser, page: first }) => {
  // Threat: a body the screen was not built for (JSON, a huge form) or a cross-site form acting on
  // the user's sign-in. Defence: the proxy refuses cross-site POSTs (request-forgery.spec.ts); the
  // screens' handler (lib/pages/screen.ts) reads only application/x-www-form-urlencoded bodies of
  // at most 8 KB and sends anything else to the error page, with nothing done.
  const { phone, page, app, otp } = await challengedUser(browser, first, "forgedform");
  const origin = { origin: E2E.keystepUrl, "sec-fetch-site": "same-origin" };
  const json = await page.request.post(`${E2E.keystepUrl}/otp`, { headers: { ...origin, "content-type": "application/json" }, data: { intent: "cancel" }, maxRedirects: 0 });
  expect(json.status()).toBe(303);
  expect(json.headers().location).toContain("/error?reason=request_refused");
  const huge = await page.request.post(`${E2E.keystepUrl}/otp`, { headers: origin, form: { intent: "cancel", pad: "x".repeat(9000) }, maxRedirects: 0 });
  expect(huge.status()).toBe(303);
  expect(huge.headers().location).toContain("/error?reason=request_refused");
  // Neither ended the sign-in: the screen is still there and the code still works.
  await page.reload();
  await otp.submit(phone.code(1));
  await app.expectLoggedIn();
});
