import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import en from "@/messages/en.json";
import { CHANNEL_IDS, DESCRIPTORS, FACTOR_IDS, PREFERENCE, STRONGER_THAN_SMS, TIER, tierRank } from "./registry";

const root = path.join(__dirname, "..", "..");

describe("factor registry", () => {
  it("auth0/action.js keeps no list of factors to fall out of step: per-login commands are the policy file's (docs/decisions/0008)", () => {
    const source = fs.readFileSync(path.join(root, "auth0", "action.js"), "utf8");
    expect(source).not.toMatch(/const FACTORS\b|function customizeMfa|payload\.mfa\b/);
    for (const id of FACTOR_IDS) expect(source, `auth0/action.js names the factor "${id}"`).not.toContain(`"${id}"`);
  });

  it("keystep.config.schema.json offers the registry's factors (npm run config:schema)", () => {
    const schema = fs.readFileSync(path.join(root, "keystep.config.schema.json"), "utf8");
    const enums = [...schema.matchAll(/"enum": \[([^\]]*)\]/g)].map((m) => JSON.parse(`[${m[1]}]`) as string[]).filter((e) => e.includes("otp"));
    expect(enums.length).toBeGreaterThan(0);
    for (const e of enums) expect(e).toEqual([...FACTOR_IDS]);
  });

  it("lists each factor once, strongest first, recovery codes last and never preferred", () => {
    expect(new Set(FACTOR_IDS).size).toBe(FACTOR_IDS.length);
    const ranks = FACTOR_IDS.map(tierRank);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    expect(FACTOR_IDS.at(-1)).toBe("recovery-code");
    expect(PREFERENCE).not.toContain("recovery-code");
  });

  it("keeps Auth0's factor names and the tiers of the README", () => {
    expect(DESCRIPTORS.filter((d) => d.auth0Name === null).map((d) => d.id)).toEqual(["whatsapp", "magic-link"]);
    for (const d of DESCRIPTORS) if (d.auth0Name !== null) expect(d.auth0Name).toBe(d.id);
    expect(TIER).toMatchObject({
      "webauthn-platform": "phishing-resistant",
      "webauthn-roaming": "phishing-resistant",
      otp: "possession",
      phone: "possession",
      whatsapp: "possession",
      email: "email",
      "magic-link": "email",
      "recovery-code": "recovery",
    });
    expect(STRONGER_THAN_SMS).toEqual(["webauthn-platform", "webauthn-roaming", "otp"]);
  });

  it("every factor has a name and hint in its message namespace; factors that deliver also say where", () => {
    const catalogue = en as unknown as Record<string, Record<string, Record<string, string>>>;
    for (const d of DESCRIPTORS) {
      expect(d.messages).toBe(`factors.${d.id}`);
      const [ns, id] = d.messages.split(".") as [string, string];
      expect(catalogue[ns]?.[id], d.id).toMatchObject({ name: expect.any(String), hint: expect.any(String) });
    }
    for (const id of [...CHANNEL_IDS, "magic-link"]) expect(catalogue.factors?.[id]?.to, id).toContain("{destination}");
  });

  it("channel factors are code screens with a channel spec, served by the one /[channel] route", () => {
    for (const d of DESCRIPTORS) expect("channel" in d && !!d.channel).toBe((CHANNEL_IDS as readonly string[]).includes(d.id));
    for (const id of CHANNEL_IDS) expect(DESCRIPTORS.find((d) => d.id === id)?.screen).toBe("code");
  });
});
