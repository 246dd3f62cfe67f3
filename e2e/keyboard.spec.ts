import { enrollNewUser, expect, latestCode, newEmail, SimApp, test } from "./support/fixtures";
import { E2E } from "./support/ports";

test("the TOTP challenge can be completed with the keyboard only", async ({ page, app, otp, browser }) => {
  const email = newEmail("kbd-totp");
  const phone = await enrollNewUser(page, app, otp, email);
  const fresh = await (await browser.newContext()).newPage();
  await new SimApp(fresh).login(email);
  await expect(fresh).toHaveURL(`${E2E.keystepUrl}/otp`);
  // The field has focus on arrival; a wrong code keeps it there for the next try.
  await expect(fresh.getByRole("textbox", { name: /code/i })).toBeFocused();
  await fresh.keyboard.type(phone.wrongCode());
  await fresh.keyboard.press("Enter");
  await expect(fresh.locator("#code-error")).toBeVisible();
  await expect(fresh.getByRole("textbox", { name: /code/i })).toBeFocused();
  await fresh.keyboard.type(phone.code(1));
  await fresh.keyboard.press("Enter");
  await expect(fresh.getByTestId("result")).toHaveText("logged-in");
  await fresh.context().close();
});

test("the email-code journey can be completed with the keyboard only", async ({ page, app }) => {
  const email = newEmail("kbd-mail");
  await app.login(email);
  await expect(page).toHaveURL(`${E2E.keystepUrl}/choose`);
  // Tab to the "Email" option and press Enter.
  const target = page.getByRole("button", { name: /^email/i });
  for (let i = 0; i < 20 && !(await target.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
  await expect(target).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(`${E2E.keystepUrl}/email`);
  await expect(page.getByRole("textbox", { name: /code/i })).toBeFocused();
  await page.keyboard.type(await latestCode(email));
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("result")).toHaveText("logged-in");
});
