import { AuthenticatorApp, expect, latestCode, newEmail, OtpScreens, passEmailGate, SimApp, test } from "./support/fixtures";
import { expectAccessible } from "./support/axe";
import { E2E } from "./support/ports";

for (const scheme of ["light", "dark"] as const) {
  for (const locale of ["en", "ar"] as const) {
    test(`every screen passes axe (${scheme}, ${locale === "ar" ? "RTL" : "LTR"})`, async ({ page, browser }) => {
      test.setTimeout(90_000);
      await page.emulateMedia({ colorScheme: scheme });
      const app = new SimApp(page);
      const email = newEmail(`a11y-${scheme}-${locale}`);
      const query = locale === "ar" ? "?ui_locales=ar" : "";
      await app.login(email, query);
      await expect(page.locator("html")).toHaveAttribute("dir", locale === "ar" ? "rtl" : "ltr");
      await expectAccessible(page, "choose");

      const picked = Date.now();
      await page.locator('form:has(input[value="otp"][name="factor"]) button').click();
      await expect(page.getByTestId("gate-notice")).toBeVisible();
      await expectAccessible(page, "email check before a first setup");
      await passEmailGate(page, picked);
      await expect(page).toHaveURL(`${E2E.keystepUrl}/otp/setup`);
      await expectAccessible(page, "otp setup");
      const phone = new AuthenticatorApp(await new OtpScreens(page).scanQr());
      await page.getByRole("textbox").first().fill(phone.wrongCode());
      await page.locator("form:has(#code) button[type=submit]").click();
      await expect(page.locator("#code-error")).toBeVisible();
      await expectAccessible(page, "otp setup with error");
      await page.getByRole("textbox").first().fill(phone.code());
      await page.locator("form:has(#code) button[type=submit]").click();
      await expect(page).toHaveURL(`${E2E.keystepUrl}/recovery-codes`);
      await expectAccessible(page, "recovery codes");
      await page.locator('input[name="saved"]').check();
      await page.locator('form:has(input[name="saved"]) button[type=submit]').click();
      await expect(page.getByTestId("result")).toHaveText("logged-in");

      const ctx = await browser.newContext({ colorScheme: scheme });
      const other = await ctx.newPage();
      await new SimApp(other).login(email, query);
      await expect(other).toHaveURL(`${E2E.keystepUrl}/otp`);
      await expectAccessible(other, "otp challenge");
      await ctx.close();

      const ctx2 = await browser.newContext({ colorScheme: scheme });
      const mail = await ctx2.newPage();
      const email2 = newEmail(`a11y-mail-${scheme}-${locale}`);
      await new SimApp(mail).login(email2, query);
      await mail.locator('form:has(input[value="email"][name="factor"]) button').click();
      await expect(mail).toHaveURL(`${E2E.keystepUrl}/email`);
      await latestCode(email2);
      await expectAccessible(mail, "email challenge");
      await mail.goto(`${E2E.keystepUrl}/choose`);
      await mail.locator('form:has(input[value="magic-link"][name="factor"]) button').click();
      await expect(mail).toHaveURL(`${E2E.keystepUrl}/magic-link`);
      await expectAccessible(mail, "sign-in link waiting");
      await mail.goto(`${E2E.keystepUrl}/choose`);
      await expectAccessible(mail, "choose");
      // A first setup starts with the email code already sent above.
      await mail.locator('form:has(input[value="phone"][name="factor"]) button').click();
      await passEmailGate(mail, 0);
      await expect(mail).toHaveURL(`${E2E.keystepUrl}/phone/setup`);
      await expectAccessible(mail, "phone setup");
      await mail.goto(`${E2E.keystepUrl}/choose`);
      await mail.locator('form:has(input[value="webauthn-platform"][name="factor"]) button').click();
      await expect(mail).toHaveURL(`${E2E.keystepUrl}/webauthn-platform/setup`);
      await expectAccessible(mail, "passkey setup");
      await mail.goto(`${E2E.keystepUrl}/error?reason=token_expired`);
      await expectAccessible(mail, "error page");
      await mail.goto(`${E2E.keystepUrl}/`);
      await expectAccessible(mail, "home");
      await ctx2.close();

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
  }
}
