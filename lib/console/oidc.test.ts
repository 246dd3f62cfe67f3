import { describe, expect, it } from "vitest";
import { operatorFromClaims } from "./oidc";

const NS = "https://mfa.example.com/";
const settings = { role: "keystep-support", claimNamespace: NS };
const operator = { sub: "auth0|op", email: "op@example.com", name: "Op", [`${NS}roles`]: ["keystep-support"], [`${NS}amr`]: ["otp"], [`${NS}mfa_skipped`]: false, [`${NS}mfa_at`]: 1 };

describe("who may use the console (operatorFromClaims)", () => {
  it("lets in a user with the role whose login passed Keystep's MFA", () => {
    expect(operatorFromClaims(operator, settings)).toEqual({ ok: true, operator: { sub: "auth0|op", email: "op@example.com", name: "Op" } });
  });

  it("threat: an operator without the role is refused, whatever else the token says", () => {
    for (const roles of [undefined, [], ["admin"], "keystep-support", ["keystep-support-readonly"], [["keystep-support"]]])
      expect(operatorFromClaims({ ...operator, [`${NS}roles`]: roles }, settings)).toEqual({ ok: false, reason: "not_operator", sub: "auth0|op" });
    // The role under another namespace (another Action, or an app's own claim) does not count.
    const elsewhere = { ...operator, [`${NS}roles`]: undefined, "https://other.example/roles": ["keystep-support"], roles: ["keystep-support"] };
    expect(operatorFromClaims(elsewhere, settings).ok).toBe(false);
    // A configured role of another name is the one asked for.
    expect(operatorFromClaims(operator, { ...settings, role: "helpdesk" }).ok).toBe(false);
  });

  it("threat: a console sign-in that did not pass Keystep's MFA is refused, even with the role", () => {
    for (const over of [
      { [`${NS}amr`]: undefined },
      { [`${NS}amr`]: [] },
      { [`${NS}amr`]: [""] },
      { [`${NS}amr`]: "otp" },
      { [`${NS}mfa_skipped`]: true },
      { [`${NS}mfa_skipped`]: undefined },
      { [`${NS}amr`]: [], [`${NS}mfa_skipped`]: true },
    ])
      expect(operatorFromClaims({ ...operator, ...over }, settings)).toEqual({ ok: false, reason: "mfa_missing", sub: "auth0|op" });
  });

  it("a token with no subject names no one", () => {
    expect(operatorFromClaims({ ...operator, sub: undefined }, settings)).toEqual({ ok: false, reason: "not_operator", sub: null });
  });
});
