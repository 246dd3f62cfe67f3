import { test as base, expect, type Page } from "@playwright/test";
import { PNG } from "pngjs";
import jsQR from "jsqr";
import { Secret, TOTP } from "otpauth";
import crypto from "node:crypto";
import { E2E } from "./ports";

/** A fresh simulated Auth0 user per test, so journeys never share state. */
export function newEmail(tag: string): string {
  return `${tag}-${crypto.randomBytes(4).toString("hex")}@example.test`;
}

/** Who last logged in on each page, so helpers can read that user's mail. */
const loginEmail = new WeakMap<Page, string>();

/** The simulated app and its Auth0 login (e2e/auth0-sim). */
export class SimApp {
  constructor(private readonly page: Page) {}

  /** Starts a login from the app and passes Auth0's password step; `base` is another domain or tenant of the simulator. */
  async login(email: string, query = "", base = E2E.simUrl) {
    loginEmail.set(this.page, email);
    await this.page.goto(`${base}/${query}`);
    await this.page.getByRole("link", { name: "Log in" }).click();
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByLabel("Password").fill("demo-password");
    await this.page.getByRole("button", { name: "Log in" }).click();
  }

  /** Starts a login in a browser that already has an Auth0 SSO session (no password step); `query` goes to /authorize as in `login`. */
  async loginWithSession(query = "") {
    await this.page.goto(`${E2E.simUrl}/${query}`);
    await this.page.getByRole("link", { name: "Log in" }).click();
  }

  async expectLoggedIn() {
    await expect(this.page.getByTestId("result")).toHaveText("logged-in");
  }

  async expectDenied() {
    await expect(this.page.getByTestId("result")).toHaveText("error");
    await expect(this.page.getByRole("alert")).toContainText("access_denied");
  }
}

/** Keystep's authenticator-app screens, driven as a person with a phone app would. */
export class OtpScreens {
  constructor(private readonly page: Page) {}

  get codeInput() {
    return this.page.getByRole("textbox", { name: /code/i });
  }

  /** The announced error (Next's route announcer also has role="alert"; it is not ours). */
  get error() {
    return this.page.locator('[role="alert"]:not(#__next-route-announcer__)');
  }

  /** Reads the QR code off the screen like a phone camera, and returns the otpauth URI. */
  async scanQr(): Promise<URL> {
    const qr = this.page.getByTestId("totp-qr");
    await expect(qr).toBeVisible();
    const png = PNG.sync.read(await qr.screenshot());
    const found = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    if (!found) throw new Error("QR code did not decode");
    return new URL(found.data);
  }

  async submit(code: string, button: RegExp = /verify|turn on/i) {
    await this.codeInput.fill(code);
    await this.page.getByRole("button", { name: button }).click();
  }
}

/** The method picker (/choose). */
export class Chooser {
  constructor(private readonly page: Page) {}
  /**
   * Picks a method. A first setup for a user whose token carries a verified email starts with a
   * code to that email (policy `firstEnrollment: "verify-email"`, the default); this enters it,
   * as the user would, unless `passGate` is false.
   */
  async pick(name: RegExp | string, { passGate = true } = {}) {
    await expect(this.page).toHaveURL(`${E2E.keystepUrl}/choose`);
    const before = Date.now();
    await this.page.getByRole("button", { name }).click();
    await expect(this.page).not.toHaveURL(`${E2E.keystepUrl}/choose`);
    if (passGate && (await this.page.getByTestId("gate-notice").count()) > 0) await passEmailGate(this.page, before);
  }
}

/** Enters the emailed code that guards a first setup. */
export async function passEmailGate(page: Page, after: number) {
  const email = loginEmail.get(page);
  if (!email) throw new Error("passEmailGate: log in with SimApp first");
  await expect(page).toHaveURL(`${E2E.keystepUrl}/email`);
  const code = await latestCode(email, after - 1);
  // By id rather than by name: the gate runs in whatever language the user reads.
  await page.locator("#code").fill(code);
  await page.locator("form:has(#code) button[type=submit]").click();
  await expect(page).not.toHaveURL(`${E2E.keystepUrl}/email`);
}

/** The recovery codes shown once after a first setup. */
export class RecoveryScreen {
  constructor(private readonly page: Page) {}
  /** Reads the codes, confirms they were saved, and continues. */
  async save(): Promise<string[]> {
    await expect(this.page).toHaveURL(`${E2E.keystepUrl}/recovery-codes`);
    await expect(this.page.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
    const codes = (await this.page.getByTestId("recovery-codes").locator("li").allTextContents()).map((c) => c.trim());
    await this.page.getByLabel("I have saved these codes").check();
    await this.page.getByRole("button", { name: "Continue" }).click();
    return codes;
  }
}

/** The dev inbox's API: what reached the user's mailbox or phone. */
export async function latestCode(to: string, after = 0): Promise<string> {
  let code = "";
  await expect
    .poll(
      async () => {
        const r = await fetch(`${E2E.inboxUrl}/api/messages?to=${encodeURIComponent(to.toLowerCase())}`);
        const list = (await r.json()) as Array<{ text: string; receivedAt: number }>;
        // The newest message that carries a code (a sign-in link email has none).
        const codes = list.filter((x) => x.receivedAt > after).map((m) => m.text.match(/#(\d{6})\s*$/)?.[1] ?? m.text.match(/\b(\d{6})\b/)?.[1] ?? "");
        code = codes.find(Boolean) ?? "";
        return code;
      },
      { timeout: 10_000 },
    )
    .toMatch(/^\d{6}$/);
  return code;
}

/** An authenticator app holding one secret, as the user's phone would. */
export class AuthenticatorApp {
  private readonly totp: TOTP;
  /** The base32 key the app was given. */
  readonly secret: string;
  constructor(uri: URL) {
    this.secret = uri.searchParams.get("secret")!;
    this.totp = new TOTP({ secret: Secret.fromBase32(this.secret), algorithm: "SHA1", digits: 6, period: 30 });
  }
  /** The code shown `offsetSteps` periods from now (apps and servers drift; Keystep allows ±1). */
  code(offsetSteps = 0): string {
    return this.totp.generate({ timestamp: Date.now() + offsetSteps * 30_000 });
  }
  /** A code that is wrong at every accepted step. */
  wrongCode(): string {
    const valid = new Set([-1, 0, 1, 2].map((o) => this.code(o)));
    for (let n = 111111; ; n++) if (!valid.has(String(n))) return String(n);
  }
}

export const test = base.extend<{ app: SimApp; otp: OtpScreens; chooser: Chooser }>({
  app: async ({ page }, use) => use(new SimApp(page)),
  otp: async ({ page }, use) => use(new OtpScreens(page)),
  chooser: async ({ page }, use) => use(new Chooser(page)),
});

export { expect };

/** Enrolls a fresh user through the UI and returns their authenticator app. */
export async function enrollNewUser(page: Page, app: SimApp, otp: OtpScreens, email: string): Promise<AuthenticatorApp> {
  await app.login(email);
  await new Chooser(page).pick(/authenticator app/i);
  await expect(page).toHaveURL(/\/otp\/setup$/);
  const phone = new AuthenticatorApp(await otp.scanQr());
  await otp.submit(phone.code());
  await new RecoveryScreen(page).save();
  await app.expectLoggedIn();
  return phone;
}

/** From a challenge screen: "Use a recovery code", the code, the remaining count, Continue, and back in the app. */
export async function signInWithRecoveryCode(page: Page, code: string) {
  await page.getByRole("button", { name: "Use a recovery code" }).click();
  await new OtpScreens(page).submit(code);
  await expect(page).toHaveURL(`${E2E.keystepUrl}/recovery-codes`);
  await page.getByRole("button", { name: "Continue" }).click();
  await new SimApp(page).expectLoggedIn();
  await expect(page.getByTestId("claims")).toContainText('"recovery-code"');
}
