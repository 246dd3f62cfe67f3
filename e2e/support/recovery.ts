// Self-service recovery's browser steps (#17, docs/recovery.md), shared by the journeys against the
// suite's Keystep and against one with its own clock (e2e/self-recovery-wait.spec.ts).
import { expect, type Page } from "@playwright/test";
import { latestCode, OtpScreens } from "./fixtures";
import { E2E } from "./ports";

export const STEP_UP = `?acr_values=${encodeURIComponent("http://schemas.openid.net/pape/policies/2007/06/multi-factor")}`;

/** The newest message to `to` whose text matches `pattern`, once it has arrived. */
export async function message(to: string, pattern: RegExp, after = 0): Promise<string> {
  let found = "";
  await expect
    .poll(
      async () => {
        const r = await fetch(`${E2E.inboxUrl}/api/messages?to=${encodeURIComponent(to.toLowerCase())}`);
        const list = (await r.json()) as Array<{ text: string; receivedAt: number }>;
        found = list.find((m) => m.receivedAt > after && pattern.test(m.text))?.text ?? "";
        return found;
      },
      { timeout: 10_000 },
    )
    .toMatch(pattern);
  return found;
}

/** A step-up login in a browser with an Auth0 session at the simulator `simUrl`: straight to Keystep's challenge. */
export async function signInAgain(page: Page, simUrl = E2E.simUrl): Promise<void> {
  await page.goto(`${simUrl}/${STEP_UP}`);
  await page.getByRole("link", { name: "Log in" }).click();
}

/**
 * On a challenge: "I can't use any of my methods", the recovery screen saying `intro`, then the
 * emailed code; `submit` names the button.
 */
export async function proveEmailForRecovery(page: Page, o: { keystepUrl: string; email: string; intro: string; submit: string; onScreen?: (page: Page) => Promise<void> }): Promise<void> {
  await page.getByRole("link", { name: "I can't use any of my methods" }).click();
  await expect(page).toHaveURL(`${o.keystepUrl}/recovery`);
  await expect(page.getByText(o.intro)).toBeVisible();
  await o.onScreen?.(page);
  const before = Date.now();
  await page.getByRole("button", { name: "Send code" }).click();
  const code = await latestCode(o.email, before);
  await new OtpScreens(page).codeInput.fill(code);
  await page.getByRole("button", { name: o.submit }).click();
}

/** From a challenge in this browser (`challenge`, the authenticator app's unless given): the request opens, and the sign-in ends denied (the app hears access_denied). */
export async function requestRecoveryAt(page: Page, o: { keystepUrl: string; simUrl: string; email: string; challenge?: string }): Promise<void> {
  await signInAgain(page, o.simUrl);
  await expect(page).toHaveURL(`${o.keystepUrl}${o.challenge ?? "/otp"}`);
  await proveEmailForRecovery(page, { ...o, intro: "nothing changes for 72 hours", submit: "Request recovery" });
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Request received");
  await expect(page.getByRole("status")).toContainText("You can sign in from this device after");
  await page.getByRole("link", { name: "Back to sign-in" }).click();
  await expect(page.getByTestId("result")).toHaveText("error");
  await expect(page.getByRole("alert")).toContainText("access_denied");
}
