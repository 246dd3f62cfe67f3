import { expect, newEmail, test } from "./support/fixtures";
import { expectAccessible } from "./support/axe";
import { E2E } from "./support/ports";

/** The sign-in link from the newest email to `to`. */
async function linkFor(to: string, after = 0): Promise<string> {
  let link = "";
  await expect
    .poll(async () => {
      const list = (await (await fetch(`${E2E.inboxUrl}/api/messages?to=${encodeURIComponent(to)}`)).json()) as Array<{ text: string; receivedAt: number }>;
      link = list.find((m) => m.receivedAt > after)?.text.match(new RegExp(`(${E2E.keystepUrl}/magic/[A-Za-z0-9_-]+)`))?.[1] ?? "";
      return link;
    })
    .toContain("/magic/");
  return link;
}

test("same device: opening the link asks to confirm, and a scanner's GET changes nothing", async ({ page, app, chooser, request }) => {
  const email = newEmail("link-same");
  await app.login(email);
  await chooser.pick(/sign-in link/i);
  await expect(page).toHaveURL(`${E2E.keystepUrl}/magic-link`);
  const link = await linkFor(email);

  await test.step("a mail scanner fetching the link does not sign anyone in", async () => {
    const scanned = await request.get(link);
    expect(scanned.status()).toBe(200);
    expect(await scanned.text()).toContain("Confirm sign-in");
    const status = await page.evaluate(async () => (await (await fetch("/magic-link/status")).json()) as { status: string });
    expect(status.status).toBe("waiting");
  });

  await test.step("the person confirms in the same browser and is signed in", async () => {
    await page.goto(link);
    await expect(page.getByText("Demo App", { exact: true })).toBeVisible();
    await expect(page.getByText(/Chrome on Linux|HeadlessChrome|Linux/)).toBeVisible();
    await page.getByRole("button", { name: "Confirm sign-in" }).click();
    await app.expectLoggedIn();
  });

  await test.step("a second use of the link is refused", async () => {
    const again = await page.goto(link);
    expect(again!.status()).toBe(403);
    await expect(page.getByRole("alert")).toContainText("already used");
  });
});

test("another device: typing the number shown on the waiting tab approves it, and the tab continues by itself", async ({ page, app, chooser, browser }) => {
  const email = newEmail("link-cross");
  await app.login(email);
  await chooser.pick(/sign-in link/i);
  const number = (await page.getByTestId("link-number").textContent())!.trim();
  expect(number).toMatch(/^[1-9]\d{2}$/);
  const link = await linkFor(email);

  const phone = await (await browser.newContext()).newPage();
  await phone.goto(link);
  await expect(phone.getByRole("button", { name: "Confirm sign-in" })).toHaveCount(0);
  const field = phone.getByRole("textbox", { name: "Number shown on the sign-in screen" });
  await expect(field).toHaveAttribute("inputmode", "numeric");
  await expect(field).toHaveAttribute("autocomplete", "off");
  await expectAccessible(phone, "sign-in link confirm on another device");
  await field.fill(number);
  await phone.getByRole("button", { name: "Approve sign-in" }).click();
  await expect(phone.getByRole("heading", { level: 1 })).toHaveText("You're signed in on the other device");
  // The original tab notices within a few seconds, with no reload.
  await app.expectLoggedIn();
  await phone.context().close();
});

test("threat: cross-device approval by guessing the number", async ({ page, app, chooser, browser }) => {
  // Threat: picking one of three numbers approved a password holder's sign-in 1 time in 3, and a
  // wrong pick cost nothing. Defence: the 3-digit number is typed (1 in 900); a wrong entry ends
  // the link for good and counts against the sign-in.
  const email = newEmail("link-wrong");
  await app.login(email);
  await chooser.pick(/sign-in link/i);
  const number = Number((await page.getByTestId("link-number").textContent())!.trim());
  const link = await linkFor(email);
  const wrong = String(number === 999 ? 100 : number + 1);

  const phone = await (await browser.newContext()).newPage();
  await phone.goto(link);
  await phone.getByRole("textbox", { name: "Number shown on the sign-in screen" }).fill(wrong);
  await phone.getByRole("button", { name: "Approve sign-in" }).click();
  await expect(phone.getByRole("alert")).toContainText("didn't match");
  await expect(page.getByRole("alert").filter({ hasText: "didn't match" })).toBeVisible({ timeout: 10_000 });

  await test.step("the link stays dead: the right number can no longer be typed", async () => {
    const again = await phone.goto(link);
    expect(again!.status()).toBe(403);
    await expect(phone.getByRole("alert")).toContainText("didn't match");
    await expect(phone.getByRole("textbox")).toHaveCount(0);
  });
  await phone.context().close();
});

test("another device without JavaScript: the typed number works as a plain form", async ({ page, app, chooser, browser }) => {
  const email = newEmail("link-nojs");
  await app.login(email);
  await chooser.pick(/sign-in link/i);
  const number = (await page.getByTestId("link-number").textContent())!.trim();
  const link = await linkFor(email);

  const phone = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await phone.goto(link);
  await phone.getByRole("textbox", { name: "Number shown on the sign-in screen" }).fill(number);
  await phone.getByRole("button", { name: "Approve sign-in" }).click();
  await expect(phone.getByRole("heading", { level: 1 })).toHaveText("You're signed in on the other device");
  await app.expectLoggedIn();
  await phone.context().close();
});

test("an expired link is refused with the next step", async ({ page, app, chooser, request }) => {
  test.setTimeout(120_000);
  const email = newEmail("link-expired");
  await app.login(email);
  await chooser.pick(/sign-in link/i);
  const link = await linkFor(email);
  expect((await request.get(link)).status()).toBe(200);
  // The e2e server issues links valid for 60 s: poll until the server itself says it expired.
  await expect.poll(async () => (await request.get(link)).status(), { timeout: 90_000, intervals: [5_000] }).toBe(403);
  const response = await page.goto(link);
  expect(response!.status()).toBe(403);
  await expect(page.getByRole("alert")).toContainText("expired");
  await expect(page.getByRole("alert")).toContainText("send a new link");
});
