import { AuthenticatorApp, expect, latestCode, newEmail, OtpScreens, passEmailGate, SimApp, test } from "./support/fixtures";
import { expectAccessible } from "./support/axe";
import { E2E } from "./support/ports";

for (const scheme of ["light", "dark"] as const) {
  for (const locale of ["en", "ar"] as const) {
    const label = `${scheme}, ${locale === "ar" ? "RTL" : "LTR"}`;
    const query = locale === "ar" ? "?ui_locales=ar" : "";

    /** A user who set up an authenticator app (with the axe checks of that walk when `check`). */
    async function enrolled(page: import("@playwright/test").Page, email: string, check: boolean) {
      const app = new SimApp(page);
      await app.login(email, query);
      await expect(page.locator("html")).toHaveAttribute("dir", locale === "ar" ? "rtl" : "ltr");
      if (check) await expectAccessible(page, "choose");
      const picked = Date.now();
      await page.locator('form:has(input[value="otp"][name="factor"]) button').click();
      await expect(page.getByTestId("gate-notice")).toBeVisible();
      if (check) await expectAccessible(page, "email check before a first setup");
      await passEmailGate(page, picked);
      await expect(page).toHaveURL(`${E2E.keystepUrl}/otp/setup`);
      if (check) await expectAccessible(page, "otp setup");
      const phone = new AuthenticatorApp(await new OtpScreens(page).scanQr());
      if (check) {
        await page.getByRole("textbox").first().fill(phone.wrongCode());
        await page.locator("form:has(#code) button[type=submit]").click();
        await expect(page.locator("#code-error")).toBeVisible();
        await expectAccessible(page, "otp setup with error");
      }
      await page.getByRole("textbox").first().fill(phone.code());
      await page.locator("form:has(#code) button[type=submit]").click();
      await expect(page).toHaveURL(`${E2E.keystepUrl}/recovery-codes`);
      if (check) await expectAccessible(page, "recovery codes");
      await page.locator('input[name="saved"]').check();
      await page.locator('form:has(input[name="saved"]) button[type=submit]').click();
      await expect(page.getByTestId("result")).toHaveText("logged-in");
    }

    // One test per screen group, so each stays well under its timeout on a busy machine.
    test(`first-setup screens pass axe (${label})`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await enrolled(page, newEmail(`a11y-setup-${scheme}-${locale}`), true);
    });

    test(`challenge screens pass axe (${label})`, async ({ page, browser }) => {
      await page.emulateMedia({ colorScheme: scheme });
      const email = newEmail(`a11y-${scheme}-${locale}`);
      await enrolled(page, email, false);

      const ctx = await browser.newContext({ colorScheme: scheme });
      const other = await ctx.newPage();
      await new SimApp(other).login(email, query);
      await expect(other).toHaveURL(`${E2E.keystepUrl}/otp`);
      await expectAccessible(other, "otp challenge");
      await ctx.close();

      const ctx3 = await browser.newContext({ colorScheme: scheme });
      const rec = await ctx3.newPage();
      await new SimApp(rec).login(email, query);
      await rec.locator('form:has(input[value="recovery-code"][name="factor"]) button').click();
      await expect(rec).toHaveURL(`${E2E.keystepUrl}/recovery-code`);
      await expectAccessible(rec, "recovery-code challenge");
      for (let i = 0; i < 5; i++) {
        await rec.locator("#code").fill("AAAA-BBBB-CCCC-DDDD");
        await rec.locator("form:has(#code) button[type=submit]").click();
        if (i < 4) await expect(rec.locator("#code-error")).toBeVisible();
      }
      await expect(rec).toHaveURL(`${E2E.keystepUrl}/ended`);
      await expectAccessible(rec, "ended");
      await ctx3.close();
    });

    /** A new user at the picker, with the first-setup email code already sent (the gate). */
    async function newUserAtEmail(browser: import("@playwright/test").Browser, tag: string) {
      const ctx = await browser.newContext({ colorScheme: scheme });
      const page = await ctx.newPage();
      const email = newEmail(`a11y-${tag}-${scheme}-${locale}`);
      await new SimApp(page).login(email, query);
      await page.locator('form:has(input[value="email"][name="factor"]) button').click();
      await expect(page).toHaveURL(`${E2E.keystepUrl}/email`);
      await latestCode(email);
      return { ctx, page };
    }

    test(`email and sign-in-link screens pass axe (${label})`, async ({ browser }) => {
      const { ctx, page: mail } = await newUserAtEmail(browser, "mail");
      await expectAccessible(mail, "email challenge");
      await mail.goto(`${E2E.keystepUrl}/choose`);
      await mail.locator('form:has(input[value="magic-link"][name="factor"]) button').click();
      await expect(mail).toHaveURL(`${E2E.keystepUrl}/magic-link`);
      await expectAccessible(mail, "sign-in link waiting");
      await mail.goto(`${E2E.keystepUrl}/choose`);
      await expectAccessible(mail, "choose");
      await ctx.close();
    });

    test(`phone and passkey setup screens pass axe (${label})`, async ({ browser }) => {
      const { ctx, page: mail } = await newUserAtEmail(browser, "setup2");
      await mail.goto(`${E2E.keystepUrl}/choose`);
      // A first setup starts with the email code already sent above.
      await mail.locator('form:has(input[value="phone"][name="factor"]) button').click();
      await passEmailGate(mail, 0);
      await expect(mail).toHaveURL(`${E2E.keystepUrl}/phone/setup`);
      await expectAccessible(mail, "phone setup");
      await mail.goto(`${E2E.keystepUrl}/choose`);
      await mail.locator('form:has(input[value="webauthn-platform"][name="factor"]) button').click();
      await expect(mail).toHaveURL(`${E2E.keystepUrl}/webauthn-platform/setup`);
      await expectAccessible(mail, "passkey setup");
      await ctx.close();
    });

    test(`error and home pages pass axe (${label})`, async ({ browser }) => {
      const ctx = await browser.newContext({ colorScheme: scheme, locale: locale === "ar" ? "ar" : "en-US" });
      const page = await ctx.newPage();
      await page.goto(`${E2E.keystepUrl}/error?reason=token_expired`);
      await expectAccessible(page, "error page");
      await page.goto(`${E2E.keystepUrl}/`);
      await expectAccessible(page, "home");
      await ctx.close();
    });
  }
}
