/**
 * Drill (#16): the database fails during a WebAuthn ceremony. The JSON endpoint answers 503 with
 * the "unavailable" page to go to (decision 0011), never a bare 500; the browser client follows it
 * (client/client.test.ts). Next's own redirects (no flow → the error page) still pass through.
 */
import { redirect } from "next/navigation";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { UNAVAILABLE_PATH } from "@/lib/errors";

const ceremony = vi.hoisted(() => ({ options: vi.fn(), finish: vi.fn() }));
vi.mock("@/lib/flow/webauthn-ceremony", () => ({
  isWebAuthnFactor: (f: string) => f === "webauthn-platform",
  webauthnOptions: ceremony.options,
  webauthnFinish: ceremony.finish,
}));
vi.mock("@/lib/env", () => ({ env: () => ({ publicUrl: new URL("https://mfa.example.com") }) }));

const { POST } = await import("./route");

const call = (step: string) =>
  POST(
    new Request("https://mfa.example.com/api/webauthn/webauthn-platform", {
      method: "POST",
      headers: { origin: "https://mfa.example.com", "content-type": "application/json" },
      body: JSON.stringify({ step }),
    }),
    {
      params: Promise.resolve({ factor: "webauthn-platform" }),
    },
  );

describe("the WebAuthn endpoint when a dependency fails", () => {
  beforeEach(() => vi.resetAllMocks());

  it("drill: the database throws while making options or verifying — 503 naming the unavailable page, not a 500", async () => {
    ceremony.options.mockRejectedValue(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }));
    ceremony.finish.mockRejectedValue(new Error("Connection terminated unexpectedly"));
    for (const step of ["options", "finish"]) {
      const res = await call(step);
      expect(res.status, step).toBe(503);
      expect(await res.json(), step).toEqual({ next: UNAVAILABLE_PATH });
    }
  });

  it("Next's own redirects pass through untouched, and a working ceremony answers as before", async () => {
    ceremony.options.mockImplementation(async () => redirect("/error?reason=no_flow"));
    await expect(call("options")).rejects.toMatchObject({ digest: expect.stringContaining("NEXT_REDIRECT;") });
    ceremony.finish.mockResolvedValue({ next: "/continue" });
    const res = await call("finish");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ next: "/continue" });
  });
});
