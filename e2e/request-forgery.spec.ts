/**
 * Threats: request forgery against the screens' state-changing POSTs (server actions and plain
 * form posts). A forged Host / X-Forwarded-Host / Forwarded header (cache poisoning, link
 * injection) or a POST from another origin (CSRF) is refused by the proxy with the localised
 * error page and a 4xx, before any action runs: no mail goes out, and never a 500.
 */
import type { Page } from "@playwright/test";
import { expect, newEmail, test } from "./support/fixtures";
import { E2E } from "./support/ports";

async function mailsTo(to: string): Promise<number> {
  const r = await fetch(`${E2E.inboxUrl}/api/messages?to=${encodeURIComponent(to.toLowerCase())}`);
  return ((await r.json()) as unknown[]).length;
}

/** Rewrites the headers of the next POST to `path` as an attacker in the middle would. */
async function tamperNextPost(page: Page, path: string, headers: Record<string, string>) {
  await page.route(`${E2E.keystepUrl}${path}`, (route) => {
    if (route.request().method() !== "POST") return route.continue();
    return route.continue({ headers: { ...route.request().headers(), ...headers } });
  });
}

for (const [name, headers] of [
  ["X-Forwarded-Host", { "x-forwarded-host": "evil.example" }],
  ["Forwarded: host=", { forwarded: "for=203.0.113.9;host=evil.example;proto=https" }],
] as const) {
  test(`threat: a tampered ${name} header on the sign-in-link request gets the error page and sends no mail`, async ({ page, app }) => {
    const email = newEmail("host");
    await app.login(email);
    await expect(page).toHaveURL(`${E2E.keystepUrl}/choose`);
    await tamperNextPost(page, "/choose", headers);
    const answer = page.waitForResponse((r) => r.request().method() === "POST" && r.url().startsWith(`${E2E.keystepUrl}/choose`));
    await page.getByRole("button", { name: /sign-in link/i }).click();
    const status = (await answer).status();
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    await expect(page.getByRole("alert")).toContainText("did not come from this sign-in page");
    // Control: the same request untampered sends exactly one link. A send completes before its
    // action answers, so once this mail is in, a mail from the refused request would be too.
    await page.goBack();
    await expect(page).toHaveURL(`${E2E.keystepUrl}/choose`);
    await page.unrouteAll();
    await page.getByRole("button", { name: /sign-in link/i }).click();
    await expect(page).toHaveURL(`${E2E.keystepUrl}/magic-link`);
    await expect.poll(() => mailsTo(email)).toBe(1);
  });
}

test("threat: cross-site request forgery — a POST from another origin, with Origin: null, or with neither Origin nor Sec-Fetch-Site gets 403 and the error page", async ({ page, app, request }) => {
  await app.login(newEmail("csrf"));
  await expect(page).toHaveURL(`${E2E.keystepUrl}/choose`);
  const cookie = (await page.context().cookies(E2E.keystepUrl)).map((c) => `${c.name}=${c.value}`).join("; ");
  const cases: Array<Record<string, string>> = [
    { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    { origin: "null", "sec-fetch-site": "cross-site" },
    {},
    { "sec-fetch-site": "same-site" },
  ];
  for (const headers of cases) {
    const r = await request.post(`${E2E.keystepUrl}/choose`, { headers: { cookie, "content-type": "application/x-www-form-urlencoded", ...headers }, data: "factor=magic-link", maxRedirects: 0 });
    expect(r.status(), JSON.stringify(headers)).toBe(403);
    expect(await r.text(), JSON.stringify(headers)).toContain('data-reason="request_refused"');
  }
  // The same flow still works in the real page afterwards: nothing was spent or ended.
  await page.getByRole("button", { name: /authenticator app/i }).click();
  await expect(page).not.toHaveURL(`${E2E.keystepUrl}/choose`);
});
