// `npm run screenshots` (with `npm run demo` running): walks the demo in headless Chromium and
// saves each screen to docs/screenshots/ for the README.
import { chromium, type Page } from "@playwright/test";
import { PNG } from "pngjs";
import jsQR from "jsqr";
import { Secret, TOTP } from "otpauth";
import crypto from "node:crypto";
import fs from "node:fs";

const SIM = process.env.SIM_URL ?? "http://127.0.0.1:4010";
const OUT = "docs/screenshots";

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${OUT}/${name}.png`, fullPage: true });
  console.log(`${OUT}/${name}.png  ${page.url()}`);
}

async function login(page: Page, email: string, query = "") {
  await page.goto(`${SIM}/${query}`);
  await page.getByRole("link", { name: "Log in" }).click();
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** A step-up sign-in in a browser with an Auth0 session: straight to Keystep's challenge. */
async function signInAgain(page: Page) {
  await page.goto(`${SIM}/?acr_values=${encodeURIComponent("http://schemas.openid.net/pape/policies/2007/06/multi-factor")}`);
  await page.getByRole("link", { name: "Log in" }).click();
  await page.waitForURL((u) => u.origin === new URL(KEYSTEP).origin);
}

const INBOX = process.env.INBOX_URL ?? "http://127.0.0.1:4020";
const KEYSTEP = process.env.KEYSTEP_URL ?? "http://localhost:3000";

/** The newest six-digit code sent to `to` since `since`, from the dev inbox. */
async function inboxCode(to: string, since: number): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const list = (await (await fetch(`${INBOX}/api/messages?to=${encodeURIComponent(to)}`)).json()) as Array<{ text: string; receivedAt: number }>;
    const code = list
      .filter((m) => m.receivedAt >= since - 5000)
      .map((m) => m.text.match(/\b(\d{6})\b/)?.[1])
      .find(Boolean);
    if (code) return code;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no code reached ${to}`);
}

/** A first setup starts with a code to the verified email (policy firstEnrollment); enter it. */
async function passGate(page: Page, to: string, since: number, name?: string) {
  await page.getByTestId("gate-notice").waitFor();
  if (name) await shot(page, name);
  await page.getByRole("textbox", { name: /code/i }).fill(await inboxCode(to, since));
  await page.getByRole("button", { name: /verify/i }).click();
  await page.getByTestId("gate-notice").waitFor({ state: "detached" });
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
  const email = `ada-${crypto.randomBytes(3).toString("hex")}@example.com`;

  const a = await (await browser.newContext(phone)).newPage();
  await login(a, email);
  await a.getByRole("heading", { name: /choose/i }).waitFor();
  await shot(a, "choose");
  let since = Date.now();
  await a.getByRole("button", { name: /authenticator app/i }).click();
  await passGate(a, email, since, "first-setup-email-check");
  await a.getByTestId("totp-qr").waitFor();
  await shot(a, "otp-setup");
  const png = PNG.sync.read(await a.getByTestId("totp-qr").screenshot());
  const uri = new URL(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)!.data);
  const totp = new TOTP({ secret: Secret.fromBase32(uri.searchParams.get("secret")!) });
  await a.getByRole("textbox", { name: /code/i }).fill("000000");
  await a.getByRole("button", { name: /turn on/i }).click();
  await a.locator("#code-error").waitFor();
  await shot(a, "otp-setup-wrong-code");
  await a.getByRole("textbox", { name: /code/i }).fill(totp.generate());
  await a.getByRole("button", { name: /turn on/i }).click();
  await a.getByLabel("I have saved these codes").check();
  await a.getByRole("button", { name: "Continue" }).click();
  await a.getByTestId("result").waitFor({ state: "attached" });
  await shot(a, "app-logged-in");

  const b = await (await browser.newContext(phone)).newPage();
  await login(b, email);
  await b.getByRole("heading", { name: /authenticator code/i }).waitFor();
  await shot(b, "otp-challenge");

  // Self-service management, opened by the app with keystep_intent=manage, after a fresh challenge.
  const g = await (await browser.newContext(phone)).newPage();
  await login(g, email, "?keystep_intent=manage");
  await g.getByRole("heading", { name: /authenticator code/i }).waitFor();
  await g.getByRole("textbox", { name: /code/i }).fill(totp.generate({ timestamp: Date.now() + 30_000 }));
  await g.getByRole("button", { name: /verify/i }).click();
  await g.getByRole("heading", { name: /sign-in methods/i }).waitFor();
  await shot(g, "manage");

  const d = await (await browser.newContext(phone)).newPage();
  await login(d, `grace-${crypto.randomBytes(3).toString("hex")}@example.com`);
  await d.getByRole("button", { name: /^email/i }).click();
  await d.getByRole("heading", { name: /check your email/i }).waitFor();
  await shot(d, "email-challenge");
  const alan = `alan-${crypto.randomBytes(3).toString("hex")}@example.com`;
  await login(d, alan);
  since = Date.now();
  await d.getByRole("button", { name: /text message/i }).click();
  await passGate(d, alan, since);
  await d.getByLabel("Mobile number").waitFor();
  await d.getByLabel("Country").selectOption("GB");
  // A fresh number each run: the per-number SMS budget (5 an hour) applies to screenshots too.
  await d.getByLabel("Mobile number").fill(`07400 ${100000 + crypto.randomInt(899999)}`);
  await shot(d, "phone-setup");
  await d.getByRole("button", { name: "Send code" }).click();
  await d.getByRole("heading", { name: /text message/i }).waitFor();
  await d.getByTestId("resend").waitFor();
  await shot(d, "phone-setup-code");
  const inbox = await (await browser.newContext({ viewport: { width: 900, height: 1100 } })).newPage();
  await inbox.goto(`${INBOX}/`);
  await shot(inbox, "dev-inbox");

  // A virtual platform authenticator, so the passkey screens render as on a phone with Face ID.
  const e = await (await browser.newContext(phone)).newPage();
  const cdp = await e.context().newCDPSession(e);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  const lin = `lin-${crypto.randomBytes(3).toString("hex")}@example.com`;
  await login(e, lin);
  since = Date.now();
  await e.getByRole("button", { name: /passkey/i }).click();
  await passGate(e, lin, since);
  await e.getByRole("button", { name: "Create a passkey" }).waitFor();
  await shot(e, "passkey-setup");
  const mail = `kat-${crypto.randomBytes(3).toString("hex")}@example.com`;
  await login(e, mail);
  await e.getByRole("button", { name: /^email/i }).click();
  const sent = Date.now();
  let code = "";
  for (let i = 0; i < 50 && !code; i++) {
    const list = (await (await fetch(`${INBOX}/api/messages?to=${mail}`)).json()) as Array<{ text: string; receivedAt: number }>;
    code = list.find((m) => m.receivedAt >= sent - 5000)?.text.match(/\b(\d{6})\b/)?.[1] ?? "";
    if (!code) await new Promise((r) => setTimeout(r, 200));
  }
  await e.getByRole("textbox", { name: /code/i }).fill(code);
  await e.getByRole("button", { name: /verify/i }).click();
  await e.getByRole("button", { name: "Not now" }).waitFor();
  await shot(e, "passkey-offer");

  // Recovery codes after a first setup (authenticator app via its QR code).
  const r = await (await browser.newContext(phone)).newPage();
  const mae = `mae-${crypto.randomBytes(3).toString("hex")}@example.com`;
  await login(r, mae);
  since = Date.now();
  await r.getByRole("button", { name: /authenticator app/i }).click();
  await passGate(r, mae, since);
  const rq = PNG.sync.read(await r.getByTestId("totp-qr").screenshot());
  const ru = new URL(jsQR(new Uint8ClampedArray(rq.data), rq.width, rq.height)!.data);
  await r.getByRole("textbox", { name: /code/i }).fill(new TOTP({ secret: Secret.fromBase32(ru.searchParams.get("secret")!) }).generate());
  await r.getByRole("button", { name: /turn on/i }).click();
  await r.getByTestId("recovery-codes").waitFor();
  await shot(r, "recovery-codes");
  await r.getByLabel("I have saved these codes").check();
  await r.getByRole("button", { name: "Continue" }).click();
  await r.getByTestId("result").waitFor({ state: "attached" });

  // Self-service recovery (docs/recovery.md): Mae lost her phone and asks from the challenge.
  await signInAgain(r);
  await r.getByRole("link", { name: "I can't use any of my methods" }).click();
  await r.getByRole("button", { name: "Send code" }).waitFor();
  await shot(r, "recovery-explain");
  since = Date.now();
  await r.getByRole("button", { name: "Send code" }).click();
  await r.getByRole("textbox", { name: /code/i }).fill(await inboxCode(mae, since));
  await r.getByRole("button", { name: "Request recovery" }).click();
  await r.getByRole("link", { name: "Back to sign-in" }).waitFor();
  await shot(r, "recovery-received");
  await r.getByRole("link", { name: "Back to sign-in" }).click();
  await r.getByTestId("result").waitFor({ state: "attached" });
  // Every challenge screen now tells of the request; signing in here would cancel it.
  await signInAgain(r);
  await r.getByTestId("recovery-notice").waitFor();
  await shot(r, "recovery-notice");

  // A sign-in link: the waiting tab, and the confirm page on another device.
  const m = await (await browser.newContext(phone)).newPage();
  const linkMail = `ola-${crypto.randomBytes(3).toString("hex")}@example.com`;
  await login(m, linkMail);
  await m.getByRole("button", { name: /sign-in link/i }).click();
  await m.getByTestId("link-number").waitFor();
  await shot(m, "magic-link-waiting");
  let url = "";
  for (let i = 0; i < 50 && !url; i++) {
    const list = (await (await fetch(`${INBOX}/api/messages?to=${linkMail}`)).json()) as Array<{ text: string }>;
    url = list[0]?.text.match(/(https?:\/\/[^\s/]+\/magic\/[A-Za-z0-9_-]+)/)?.[1] ?? "";
    if (!url) await new Promise((res) => setTimeout(res, 200));
  }
  const other = await (await browser.newContext(phone)).newPage();
  await other.goto(url);
  await shot(other, "magic-link-confirm");

  const c = await (await browser.newContext({ viewport: { width: 1024, height: 700 } })).newPage();
  await c.goto(`${KEYSTEP}/auth0/start?session_token=bad&state=abcdefgh12`);
  await shot(c, "error-page");

  // The support console (docs/console.md): an operator (the simulator gives `operator-…@` the
  // role) sets up an app, signs in to the console through Keystep's MFA, and looks the user up.
  const opEmail = `operator-${crypto.randomBytes(3).toString("hex")}@example.com`;
  const op = await (await browser.newContext({ viewport: { width: 1024, height: 900 } })).newPage();
  await login(op, opEmail);
  since = Date.now();
  await op.getByRole("button", { name: /authenticator app/i }).click();
  await passGate(op, opEmail, since);
  const opPng = PNG.sync.read(await op.getByTestId("totp-qr").screenshot());
  const opTotp = new TOTP({ secret: Secret.fromBase32(new URL(jsQR(new Uint8ClampedArray(opPng.data), opPng.width, opPng.height)!.data).searchParams.get("secret")!) });
  await op.getByRole("textbox", { name: /code/i }).fill(opTotp.generate());
  await op.getByRole("button", { name: /turn on/i }).click();
  await op.getByLabel("I have saved these codes").check();
  await op.getByRole("button", { name: "Continue" }).click();
  await op.getByTestId("result").waitFor({ state: "attached" });
  await op.goto(`${KEYSTEP}/console`);
  await op.getByRole("link", { name: "Sign in" }).click();
  await op.getByRole("textbox", { name: /code/i }).fill(opTotp.generate({ timestamp: Date.now() + 30_000 }));
  await op.getByRole("button", { name: /verify/i }).click();
  await op.getByRole("search").waitFor();
  // Mae's account, with her waiting recovery request; support approves it after a call.
  await op.getByLabel("User id or email").fill(mae);
  await op.getByRole("button", { name: "Find" }).click();
  await op.getByRole("link", { name: /^auth0\|/ }).click();
  await op.getByTestId("console-factors").waitFor();
  await shot(op, "console-user");
  await op.getByRole("link", { name: "Approve the recovery request" }).click();
  await op.getByLabel("Reason (kept in the audit trail)").fill("Identity checked on a video call");
  await op.getByLabel("I have checked who I am helping").check();
  await shot(op, "console-approve");
  await op.getByRole("button", { name: "Approve the recovery request" }).click();
  await op.getByRole("status").waitFor();
  await op.getByRole("link", { name: "Issue an enrollment link" }).click();
  await op.getByLabel("Method to set up").selectOption({ label: "Passkey" });
  await op.getByLabel("Reason (kept in the audit trail)").fill("Set up a passkey before Monday");
  await op.getByLabel("I have checked who I am helping").check();
  await op.getByRole("button", { name: "Issue the link" }).click();
  await op.getByTestId("enroll-link-url").waitFor();
  await shot(op, "console-enroll-link");

  // Approved: from the same phone, Mae proves her email again and sets up a new method.
  await signInAgain(r);
  await r.getByRole("link", { name: "I can't use any of my methods" }).click();
  await r.getByRole("button", { name: "Send code" }).waitFor();
  await shot(r, "recovery-ready");
  since = Date.now();
  await r.getByRole("button", { name: "Send code" }).click();
  await r.getByRole("textbox", { name: /code/i }).fill(await inboxCode(mae, since));
  await r.getByRole("button", { name: "Continue" }).click();
  await r.locator('form:has(input[value="otp"][name="factor"])').waitFor();
  await shot(r, "recovery-new-method");
  await op.goto(`${KEYSTEP}/console/stats`);
  await op.getByTestId("chart-mix").waitFor();
  await shot(op, "console-charts");
  const opPhone = await (await browser.newContext(phone)).newPage();
  await opPhone.context().addCookies(await op.context().cookies());
  await opPhone.goto(`${KEYSTEP}/console/stats`);
  await opPhone.getByTestId("chart-mix").waitFor();
  await shot(opPhone, "console-charts-phone");
  // The pseudo-locale shows truncation and strings that skipped the catalogue.
  const pseudo = await browser.newContext(phone);
  await pseudo.addCookies([{ name: "__Host-keystep_locale", value: "en-XA", domain: "localhost", path: "/", secure: true, httpOnly: true, sameSite: "Lax" }]);
  const ps = await pseudo.newPage();
  await login(ps, `pseudo-${crypto.randomBytes(3).toString("hex")}@example.com`);
  await ps.locator('form:has(input[value="otp"][name="factor"])').waitFor();
  await shot(ps, "pseudo-locale-choose");
  await pseudo.close();

  // Every brand × language × size for the main screens (docs/screenshots/matrix/).
  fs.mkdirSync(`${OUT}/matrix`, { recursive: true });
  for (const brand of ["default", "nightjar"]) {
    for (const lang of ["en", "ar"]) {
      for (const [size, viewport] of [
        ["phone", phone],
        ["desktop", { viewport: { width: 1280, height: 860 } }],
      ] as const) {
        const m = await (await browser.newContext({ ...viewport, locale: lang })).newPage();
        const query = new URLSearchParams({ ...(brand === "nightjar" ? { client_id: "nightjar" } : {}), ui_locales: lang });
        await m.goto(`${SIM}/?${query}`);
        await m.getByRole("link", { name: "Log in" }).click();
        const who = `m-${crypto.randomBytes(3).toString("hex")}@example.com`;
        await m.getByLabel("Email").fill(who);
        await m.getByRole("button", { name: "Log in" }).click();
        await m.locator('form:has(input[value="otp"][name="factor"])').waitFor();
        const name = `${OUT}/matrix/${brand}-${lang}-${size}`;
        await m.screenshot({ path: `${name}-choose.png`, fullPage: true });
        const sent = Date.now();
        await m.locator('form:has(input[value="email"][name="factor"]) button').click();
        await m.locator("#code").waitFor();
        const code = await inboxCode(who, sent);
        await m.screenshot({ path: `${name}-email-code.png`, fullPage: true });
        await m.goto(`${KEYSTEP}/choose`);
        await m.locator('form:has(input[value="otp"][name="factor"]) button').click();
        // The first-setup email check reuses the code sent above.
        await m.getByTestId("gate-notice").waitFor();
        await m.locator("#code").fill(code);
        await m.locator("form:has(#code) button[type=submit]").click();
        await m.getByTestId("totp-qr").waitFor();
        await m.screenshot({ path: `${name}-otp-setup.png`, fullPage: true });
        await m.goto(`${KEYSTEP}/error?reason=token_expired`);
        await m.screenshot({ path: `${name}-error.png`, fullPage: true });
        console.log(`${name}-{choose,email-code,otp-setup,error}.png`);
        await m.context().close();
      }
    }
  }
  await browser.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
