import { expect, newEmail, test } from "./support/fixtures";
import { E2E } from "./support/ports";

test("threat: framing, injection and referrer leaks are blocked by the headers on every page", async ({ page, app, chooser }) => {
  const seen = new Map<string, Record<string, string>>();
  page.on("response", (r) => {
    const path = new URL(r.url()).pathname;
    if (r.url().startsWith(E2E.keystepUrl) && !path.startsWith("/_next") && !path.startsWith("/icon")) seen.set(path, r.headers());
  });
  await app.login(newEmail("headers"));
  await chooser.pick(/authenticator app/i);
  await expect(page).toHaveURL(`${E2E.keystepUrl}/otp/setup`);
  await page.getByRole("button", { name: "Cancel sign-in" }).click();
  await app.expectDenied();

  for (const path of ["/auth0/start", "/choose", "/otp/setup", "/continue"]) {
    const h = seen.get(path);
    expect(h, path).toBeDefined();
    const csp = h!["content-security-policy"]!;
    expect(csp, path).toMatch(/script-src [^;]*'nonce-[^']+'/);
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(csp, path).toContain("object-src 'none'");
    expect(csp, path).toContain("base-uri 'none'");
    expect(h!["cache-control"], path).toContain("no-store");
    expect(h!["strict-transport-security"], path).toContain("max-age=");
    expect(["no-referrer", "same-origin"], path).toContain(h!["referrer-policy"]);
  }
  // The entry URL carries the token: it must never be sent as a referrer.
  expect(seen.get("/auth0/start")!["referrer-policy"]).toBe("no-referrer");
  expect(seen.get("/continue")!["referrer-policy"]).toBe("no-referrer");
  // Only the page that posts to Auth0 widens form-action; screens allow only themselves.
  expect(seen.get("/otp/setup")!["content-security-policy"]).toMatch(/form-action 'self'(;|$)/);
  expect(seen.get("/continue")!["content-security-policy"]).toContain(`form-action 'self' ${E2E.simUrl}`);
});

test("threat: session fixation — the flow cookie is __Host-, HttpOnly, Secure and SameSite=Lax", async ({ page, app, context }) => {
  await app.login(newEmail("cookie"));
  await expect(page).toHaveURL(`${E2E.keystepUrl}/choose`);
  const cookies = await context.cookies(E2E.keystepUrl);
  const flow = cookies.find((c) => c.name.startsWith("__Host-"));
  expect(flow).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax", path: "/" });
  expect(flow!.domain).toBe("localhost");
});

test("threat: MIME sniffing and https downgrade on /api answers — every /api response carries nosniff and HSTS", async ({ request }) => {
  const api = `${E2E.keystepUrl}/api`;
  const answers = {
    health: await request.get(`${api}/health`),
    "admin without a token": await request.get(`${api}/admin/users/${encodeURIComponent("auth0|x")}`),
    "admin with the token": await request.get(`${api}/admin/nowhere`, { headers: { authorization: `Bearer ${E2E.adminToken}` } }),
    "passkey API, forged origin": await request.post(`${api}/webauthn/webauthn-platform`, {
      headers: { origin: "https://evil.example", "content-type": "application/json" },
      data: { step: "options" },
    }),
    "passkey API, same origin": await request.post(`${api}/webauthn/webauthn-platform`, { headers: { origin: E2E.keystepUrl, "content-type": "application/json" }, data: { step: "options" } }),
    "unknown /api path": await request.get(`${api}/no-such-route`),
  };
  expect(answers.health.status()).toBe(200);
  for (const [name, r] of Object.entries(answers)) {
    const h = r.headers();
    expect(h["x-content-type-options"], `${name} (${r.status()})`).toBe("nosniff");
    expect(h["strict-transport-security"], `${name} (${r.status()})`).toBe("max-age=63072000; includeSubDomains");
  }
});
