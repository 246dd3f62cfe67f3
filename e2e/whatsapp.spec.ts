import { expect, latestCode, newEmail, OtpScreens, RecoveryScreen, SimApp, test } from "./support/fixtures";
import { E2E } from "./support/ports";

/** A UK mobile number of our own for this test, so per-number budgets never collide. */
function mobile(): { national: string; e164: string } {
  const n = String(100000 + Math.floor(Math.random() * 899999));
  return { national: `07400 ${n}`, e164: `+447400${n}` };
}

/** What the dev inbox received on WhatsApp (not SMS) for a number, newest first. */
async function whatsappMessages(e164: string): Promise<Array<{ kind: string; via: string; text: string }>> {
  const r = await fetch(`${E2E.inboxUrl}/api/messages?to=${encodeURIComponent(e164)}&kind=whatsapp`);
  return (await r.json()) as Array<{ kind: string; via: string; text: string }>;
}

test("WhatsApp setup sends a code on WhatsApp, and later logins are challenged on WhatsApp", async ({ page, app, otp, chooser, browser }) => {
  const email = newEmail("whatsapp");
  const phone = mobile();
  await app.login(email);

  await test.step("the picker offers WhatsApp; its setup says numbers can be taken over and offers stronger methods", async () => {
    await chooser.pick(/^whatsapp/i);
    await expect(page).toHaveURL(`${E2E.keystepUrl}/whatsapp/setup`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Set up WhatsApp codes");
    await expect(page.getByTestId("sms-risk")).toContainText("whoever takes over the number");
    await expect(page.getByRole("button", { name: "Use Authenticator app instead" })).toBeVisible();
  });

  await test.step("the number is validated like an SMS number", async () => {
    await page.getByLabel("Country").selectOption("GB");
    await page.getByLabel("WhatsApp number").fill("12345");
    await page.getByRole("button", { name: "Send code" }).click();
    await expect(otp.error).toContainText("doesn't look like a valid phone number");
    await page.getByLabel("WhatsApp number").fill("+33 6 12 34 56 78");
    await page.getByRole("button", { name: "Send code" }).click();
    await expect(otp.error).toContainText("can't be sent to numbers in that country");
  });

  await test.step("a valid number gets its code on WhatsApp (the signed webhook, channel whatsapp), not by SMS", async () => {
    await page.getByLabel("WhatsApp number").fill(phone.national);
    await page.getByRole("button", { name: "Send code" }).click();
    await expect(page.getByText(`••••\u00a0••\u00a0${phone.e164.slice(-4)}`)).toBeVisible();
    const code = await latestCode(phone.e164);
    expect(await whatsappMessages(phone.e164)).toEqual([expect.objectContaining({ kind: "whatsapp", via: "webhook", text: expect.stringContaining(`#${code}`) })]);
    await otp.submit(code);
    await new RecoveryScreen(page).save();
    await app.expectLoggedIn();
  });

  await test.step("the dev inbox shows it, labelled as WhatsApp", async () => {
    await page.goto(`${E2E.inboxUrl}/`);
    await expect(page.getByRole("article", { name: `WhatsApp message to ${phone.e164}` })).toContainText("WhatsApp · webhook");
  });

  await test.step("a fresh browser is challenged on WhatsApp", async () => {
    const context = await browser.newContext();
    const fresh = await context.newPage();
    const freshApp = new SimApp(fresh);
    const before = Date.now();
    await freshApp.login(email);
    await expect(fresh).toHaveURL(`${E2E.keystepUrl}/whatsapp`);
    await expect(fresh.getByRole("heading", { level: 1 })).toHaveText("Check WhatsApp");
    await new OtpScreens(fresh).submit(await latestCode(phone.e164, before));
    await freshApp.expectLoggedIn();
    expect(await whatsappMessages(phone.e164)).toHaveLength(2);
    await context.close();
  });

  await test.step("the manage screen names the method in the user's language", async () => {
    const context = await browser.newContext();
    const fresh = await context.newPage();
    const freshApp = new SimApp(fresh);
    const before = Date.now();
    await freshApp.login(email, "?keystep_intent=manage&ui_locales=ar");
    await expect(fresh).toHaveURL(`${E2E.keystepUrl}/whatsapp`);
    // By id rather than by name: the screen is in Arabic.
    await fresh.locator("#code").fill(await latestCode(phone.e164, before));
    await fresh.locator("form:has(#code) button[type=submit]").click();
    await expect(fresh).toHaveURL(`${E2E.keystepUrl}/manage`);
    await expect(fresh.getByTestId("factor-row").first().locator("p").first()).toHaveText("واتساب");
    await context.close();
  });
});
