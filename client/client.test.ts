// The browser modules' decisions, without a DOM: what the resend button and the session warning
// show at a given time left, and how a WebAuthn ceremony's steps map to an outcome.
import { describe, expect, it, vi } from "vitest";
import { countdownState } from "./countdown";
import { formatMinutes, sessionWarning } from "./session-warning";
import { type CeremonyDeps, outcomeNote, runCeremony } from "./webauthn";

describe("resend countdown", () => {
  const labels = { label: "Send a new code", waitLabel: "Send again in {seconds} s" };

  it("counts whole seconds up, disabled while any time is left", () => {
    expect(countdownState(30_000, labels)).toEqual({ disabled: true, text: "Send again in 30 s" });
    expect(countdownState(29_001, labels)).toEqual({ disabled: true, text: "Send again in 30 s" });
    expect(countdownState(1, labels)).toEqual({ disabled: true, text: "Send again in 1 s" });
  });

  it("is enabled with its label once the time is up, and stays so after", () => {
    expect(countdownState(0, labels)).toEqual({ disabled: false, text: "Send a new code" });
    expect(countdownState(-5_000, labels)).toEqual({ disabled: false, text: "Send a new code" });
    expect(countdownState(Number.NaN, labels)).toEqual({ disabled: false, text: "Send a new code" });
  });
});

describe("session-timeout warning", () => {
  const template = "Your sign-in will time out in {time}.";

  it("formats m:ss, rounding down to the second", () => {
    expect(formatMinutes(120_000)).toBe("2:00");
    expect(formatMinutes(90_500)).toBe("1:30");
    expect(formatMinutes(9_999)).toBe("0:09");
    expect(formatMinutes(-1)).toBe("0:00");
  });

  it("stays hidden until the last two minutes, and once the time is up", () => {
    expect(sessionWarning(120_001, template)).toBeNull();
    expect(sessionWarning(120_000, template)).toBe("Your sign-in will time out in 2:00.");
    expect(sessionWarning(61_000, template)).toBe("Your sign-in will time out in 1:01.");
    expect(sessionWarning(0, template)).toBeNull();
  });
});

describe("WebAuthn ceremony", () => {
  const named = (name: string) => Object.assign(new Error(name), { name });
  /** A fetch answering each POST with the next of `answers` (a status, or a JSON body), recording the bodies. */
  function api(...answers: Array<object | number>) {
    const bodies: unknown[] = [];
    const fetch = vi.fn(async (_url: string | URL | Request, init?: RequestInit) => {
      bodies.push(JSON.parse(String(init?.body)));
      const a = answers.shift();
      return typeof a === "number" ? new Response("{}", { status: a }) : Response.json(a);
    }) as unknown as typeof globalThis.fetch;
    return { fetch, bodies };
  }
  const deps = (fetch: typeof globalThis.fetch, over: Partial<CeremonyDeps> = {}): CeremonyDeps => ({
    fetch,
    startRegistration: vi.fn(async () => ({ id: "reg" })),
    startAuthentication: vi.fn(async () => ({ id: "auth" })),
    ...over,
  });
  const labels = { cancelled: "Cancelled or timed out.", failed: "That did not work." };

  it("asks for options, runs the ceremony with them, sends the response and the remember box, then goes where the server says", async () => {
    const { fetch, bodies } = api({ options: { challenge: "c" } }, { next: "/continue" });
    const d = deps(fetch);
    const outcome = await runCeremony({ endpoint: "/api/webauthn/webauthn-platform", mode: "challenge", remember: true }, d);
    expect(outcome).toEqual({ next: "/continue" });
    expect(d.startAuthentication).toHaveBeenCalledWith({ optionsJSON: { challenge: "c" } });
    expect(d.startRegistration).not.toHaveBeenCalled();
    expect(bodies).toEqual([{ step: "options" }, { step: "finish", response: JSON.stringify({ id: "auth" }), remember: true }]);
    expect(vi.mocked(fetch).mock.calls[0]?.[0]).toBe("/api/webauthn/webauthn-platform");
    expect(vi.mocked(fetch).mock.calls[0]?.[1]).toMatchObject({ method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" } });
    expect(outcomeNote(outcome, labels)).toBeNull();
  });

  it("registers in register mode", async () => {
    const { fetch, bodies } = api({ options: { rp: {} } }, { next: "/recovery-codes" });
    const d = deps(fetch);
    expect(await runCeremony({ endpoint: "/e", mode: "enroll" }, d)).toEqual({ next: "/recovery-codes" });
    expect(d.startRegistration).toHaveBeenCalledWith({ optionsJSON: { rp: {} } });
    expect(bodies[1]).toEqual({ step: "finish", response: JSON.stringify({ id: "reg" }), remember: false });
  });

  it("goes elsewhere without a ceremony when the flow is not at this step", async () => {
    const { fetch } = api({ next: "/otp" });
    const d = deps(fetch);
    expect(await runCeremony({ endpoint: "/e", mode: "challenge" }, d)).toEqual({ next: "/otp" });
    expect(d.startAuthentication).not.toHaveBeenCalled();
  });

  it("a cancel or a time-out is a calm outcome, never an alert", async () => {
    for (const name of ["NotAllowedError", "AbortError"]) {
      const { fetch, bodies } = api({ options: {} });
      const outcome = await runCeremony({ endpoint: "/e", mode: "challenge" }, deps(fetch, { startAuthentication: async () => Promise.reject(named(name)) }));
      expect(outcome).toEqual({ cancelled: true });
      expect(bodies).toHaveLength(1); // nothing sent after the cancel
      expect(outcomeNote(outcome, labels)).toEqual({ text: labels.cancelled, alert: false });
    }
  });

  it("drill: the server answers 503 (a dependency failed) — the browser goes to the page it names", async () => {
    // The 503's body names the "unavailable" page (app/api/webauthn/[factor]/route.ts).
    const answers = [Response.json({ options: {} }), Response.json({ next: "/error?reason=unavailable" }, { status: 503 })];
    const fetch = (async () => answers.shift()) as unknown as typeof globalThis.fetch;
    expect(await runCeremony({ endpoint: "/e", mode: "challenge" }, deps(fetch))).toEqual({ next: "/error?reason=unavailable" });
  });

  it("the server's localised error is shown as an alert", async () => {
    const { fetch } = api({ options: {} }, { error: "That passkey did not work." });
    const outcome = await runCeremony({ endpoint: "/e", mode: "challenge" }, deps(fetch));
    expect(outcome).toEqual({ error: "That passkey did not work." });
    expect(outcomeNote(outcome, labels)).toEqual({ text: "That passkey did not work.", alert: true });
  });

  it("anything else (an HTTP error, a network failure, another exception) is the generic failure, as an alert", async () => {
    const failures = [
      deps(api(403).fetch),
      deps((async () => Promise.reject(new TypeError("Failed to fetch"))) as typeof globalThis.fetch),
      deps(api({ options: {} }).fetch, { startAuthentication: async () => Promise.reject(named("InvalidStateError")) }),
      deps(api({}).fetch),
    ];
    for (const d of failures) {
      const outcome = await runCeremony({ endpoint: "/e", mode: "challenge" }, d);
      expect(outcome).toEqual({});
      expect(outcomeNote(outcome, labels)).toEqual({ text: labels.failed, alert: true });
    }
  });
});
