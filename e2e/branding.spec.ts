import { expect, newEmail, test } from "./support/fixtures";
import { E2E } from "./support/ports";

test("each application gets its own brand from keystep.config.json", async ({ page, app, browser }) => {
  await app.login(newEmail("brand"), "?client_id=brand-app");
  await expect(page).toHaveURL(`${E2E.keystepUrl}/choose`);
  await expect(page.getByRole("banner")).toContainText("Acme Pay");
  const primary = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--ks-primary").trim());
  expect(primary).toBe("#0a7d33");
  await expect(page.getByRole("link", { name: "Help" })).toHaveAttribute("href", "https://support.example.test/mfa");

  const other = await (await browser.newContext()).newPage();
  await other.goto(`${E2E.simUrl}/`);
  await other.getByRole("link", { name: "Log in" }).click();
  await other.getByLabel("Email").fill(newEmail("brand-default"));
  await other.getByRole("button", { name: "Log in" }).click();
  await expect(other.getByRole("banner")).toContainText("Keystep");
  await expect(other.getByRole("banner")).not.toContainText("Acme Pay");
  await other.context().close();
});

test("teams override strings in keystep.config.json without forking", async ({ page, app }) => {
  await app.login(newEmail("strings"));
  await expect(page.getByText("Protected by Keystep E2E")).toBeVisible();
});
