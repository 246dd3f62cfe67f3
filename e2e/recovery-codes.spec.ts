import type { Browser, Page } from "@playwright/test";
import { AuthenticatorApp, Chooser, expect, newEmail, OtpScreens, RecoveryScreen, SimApp, test } from "./support/fixtures";
import { E2E } from "./support/ports";

/** A user who set up an authenticator app and saved their ten codes. */
async function enrolledWithCodes(page: Page, email: string): Promise<string[]> {
  const app = new SimApp(page);
  await app.login(email);
  await new Chooser(page).pick(/authenticator app/i);
  const otp = new OtpScreens(page);
  await otp.submit(new AuthenticatorApp(await otp.scanQr()).code());
  const codes = await new RecoveryScreen(page).save();
  await app.expectLoggedIn();
  return codes;
}

/** A fresh browser logs in and picks "Use a recovery code". */
async function freshLogin(browser: Browser, email: string) {
  const fresh = await (await browser.newContext()).newPage();
  const a = new SimApp(fresh);
  await a.login(email);
  await expect(fresh).toHaveURL(`${E2E.keystepUrl}/otp`);
  await fresh.getByRole("button", { name: "Use a recovery code" }).click();
  await expect(fresh).toHaveURL(`${E2E.keystepUrl}/recovery-code`);
  return { fresh, a, screens: new OtpScreens(fresh) };
}

test("recovery codes are issued after enrollment, work once, and the user is told", async ({ page, app, otp, chooser, browser }) => {
  const email = newEmail("recovery");
  let codes: string[] = [];

  await test.step("enrolling an authenticator app shows ten codes once", async () => {
    await app.login(email);
    await chooser.pick(/authenticator app/i);
    const phone = new AuthenticatorApp(await otp.scanQr());
    await otp.submit(phone.code());
    await expect(page).toHaveURL(`${E2E.keystepUrl}/recovery-codes`);
    await expect(page.getByRole("link", { name: "Download" })).toHaveAttribute("download", "recovery-codes.txt");
    await page.getByRole("button", { name: "Continue" }).click();
    // Continuing without confirming is refused.
    await expect(page.getByRole("checkbox", { name: "I have saved these codes" })).toBeVisible();
    codes = await new RecoveryScreen(page).save();
    expect(codes).toHaveLength(10);
    await app.expectLoggedIn();
  });

  await test.step("a lost phone: sign in with a recovery code, told how many remain", async () => {
    const { fresh, a, screens } = await freshLogin(browser, email);
    await screens.submit(codes[0]!.toLowerCase());
    await expect(fresh).toHaveURL(`${E2E.keystepUrl}/recovery-codes`);
    await expect(fresh.getByText("You have 9 recovery codes left.")).toBeVisible();
    // The user is told by email that a recovery code was used.
    await expect
      .poll(async () => ((await (await fetch(`${E2E.inboxUrl}/api/messages?to=${encodeURIComponent(email)}`)).json()) as Array<{ subject?: string }>).map((m) => m.subject).join())
      .toContain("A recovery code was used");
    await fresh.getByRole("button", { name: "Continue" }).click();
    await a.expectLoggedIn();
    await fresh.context().close();
  });

  await test.step("the same code is refused the second time", async () => {
    const { fresh, screens } = await freshLogin(browser, email);
    await screens.submit(codes[0]!);
    await expect(screens.error).toContainText("That code is not right");
    await fresh.context().close();
  });
});

test("regenerating recovery codes replaces the set", async ({ page, browser }) => {
  const email = newEmail("recovery-new");
  const codes = await enrolledWithCodes(page, email);
  await test.step("regenerating replaces the set", async () => {
    const { fresh, a, screens } = await freshLogin(browser, email);
    await screens.submit(codes[1]!);
    await fresh.getByRole("button", { name: "Generate new codes" }).click();
    const fresh2 = await new RecoveryScreen(fresh).save();
    expect(fresh2).toHaveLength(10);
    expect(fresh2).not.toContain(codes[2]);
    await a.expectLoggedIn();
    await fresh.context().close();
    const again = await freshLogin(browser, email);
    await again.screens.submit(codes[2]!);
    await expect(again.screens.error).toContainText("That code is not right");
    await again.fresh.context().close();
  });
});
