import { expect, newEmail, passEmailGate, test } from "./support/fixtures";
import { E2E } from "./support/ports";

test("the token's ui_locales picks the language", async ({ page, app }) => {
  await app.login(newEmail("fr"), "?ui_locales=fr-CA");
  await expect(page).toHaveURL(`${E2E.keystepUrl}/choose`);
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page.getByRole("heading", { level: 1 })).not.toHaveText("Choose how to confirm it's you");
  await expect(page.getByRole("button", { name: /Application d'authentification|authentification/i })).toBeVisible();
});

test.describe("Accept-Language", () => {
  test.use({ locale: "de-DE" });
  test("picks the language when the token has none", async ({ page, app }) => {
    await app.login(newEmail("de"));
    await expect(page.locator("html")).toHaveAttribute("lang", "de");
  });
});

test("Arabic is laid out right to left", async ({ page, app }) => {
  await app.login(newEmail("ar"), "?ui_locales=ar");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  const box = await page.getByRole("heading", { level: 1 }).boundingBox();
  const card = await page.locator("main").boundingBox();
  // Right-aligned text starts nearer the card's right edge than its left.
  expect(card!.x + card!.width - (box!.x + box!.width)).toBeLessThan(box!.x - card!.x + 1);
  await page.screenshot({ path: "test-results/rtl-choose.png", fullPage: true });
});

test("the language switcher keeps the sign-in where it is", async ({ page, app }) => {
  await app.login(newEmail("switch"));
  await expect(page).toHaveURL(`${E2E.keystepUrl}/choose`);
  // The menu submits on change once hydrated; retry the pick until the page has picked it up.
  await expect(async () => {
    await page.getByLabel("Language").selectOption("es");
    await expect(page.locator("html")).toHaveAttribute("lang", "es", { timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  await expect(page).toHaveURL(`${E2E.keystepUrl}/choose`);
  const picked = Date.now();
  await page.locator('form:has(input[value="otp"][name="factor"]) button').click();
  await expect(page.getByTestId("gate-notice")).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "es");
  await passEmailGate(page, picked);
  await expect(page).toHaveURL(`${E2E.keystepUrl}/otp/setup`);
  await expect(page.locator("html")).toHaveAttribute("lang", "es");
});
