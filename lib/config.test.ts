import { describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { brandingFor, configSchema, ConfigError, contrast, contrastWarnings, loadConfig } from "./config";
import { brandCss } from "./brand";
import { z } from "zod";

function write(value: unknown): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ks-config-")), "keystep.config.json");
  fs.writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
  return file;
}

describe("keystep.config.json", () => {
  it("accepts branding with per-application overrides", () => {
    const c = loadConfig(write({ branding: { name: "Acme", colors: { primary: "#0a7d33" }, clients: { "app-2": { name: "Acme Pay", colors: { primary: "#7c2d12" } } } } }));
    expect(brandingFor(undefined, c)).toMatchObject({ name: "Acme", colors: { primary: "#0a7d33" } });
    expect(brandingFor("app-2", c)).toMatchObject({ name: "Acme Pay", colors: { primary: "#7c2d12" } });
    expect(brandingFor("other", c).name).toBe("Acme");
  });

  it("stops with the path and the problem on an invalid file", () => {
    expect(() => loadConfig(write({ branding: { colors: { primary: "red" } } }))).toThrow(ConfigError);
    expect(() => loadConfig(write({ branding: { colors: { primary: "red" } } }))).toThrow(/branding\.colors\.primary/);
    expect(() => loadConfig(write("{ not json"))).toThrow(/not valid JSON/);
    expect(() => loadConfig(write({ brandng: {} }))).toThrow(ConfigError);
  });

  it("threat: CSS injection through branding values is refused by the schema", () => {
    expect(configSchema.safeParse({ branding: { fontStack: "x; } body { display:none" } }).success).toBe(false);
    expect(configSchema.safeParse({ branding: { fontStack: "Inter, url(https://evil/x.woff)" } }).success).toBe(false);
    expect(configSchema.safeParse({ branding: { radius: "1px;background:red" } }).success).toBe(false);
  });

  it("threat: a javascript:, data: or off-site-by-trick branding URL is refused at boot, naming the path", () => {
    const bad = [
      "javascript:alert(1)",
      "JavaScript:alert(1)",
      " javascript:alert(1)",
      "data:image/svg+xml,<svg onload=alert(1)>",
      "vbscript:x",
      "http://evil.example/logo.svg",
      "//evil.example/logo.svg",
      "/\\evil.example/logo.svg",
      "ftp://x/logo.svg",
      "logo.svg",
    ];
    for (const field of ["logoUrl", "faviconUrl", "supportUrl", "termsUrl", "privacyUrl"]) {
      for (const value of bad) {
        expect(() => loadConfig(write({ branding: { [field]: value } })), `${field}=${value}`).toThrow(new RegExp(`branding\\.${field}: an https URL`));
        expect(() => loadConfig(write({ branding: { clients: { app: { [field]: value } } } })), `clients ${field}=${value}`).toThrow(new RegExp(`branding\\.clients\\.app\\.${field}:`));
      }
      for (const value of ["https://cdn.acme.com/logo.svg", "/acme-logo.svg", "http://localhost:3000/logo.svg", "http://127.0.0.1/logo.svg"]) {
        expect(loadConfig(write({ branding: { [field]: value } })).branding, `${field}=${value}`).toMatchObject({ [field]: value });
      }
    }
  });

  it("computes WCAG contrast and names pairs below AA", () => {
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 0);
    const warnings = contrastWarnings({ branding: { colors: { text: "#999999", background: "#ffffff" } } });
    expect(warnings.join()).toMatch(/text #999999 on background #ffffff/);
    expect(contrastWarnings({ branding: { colors: { text: "#111111", background: "#ffffff" } } })).toEqual([]);
  });

  it("writes the brand palette as CSS variables for each theme", () => {
    expect(brandCss({ colors: { primary: "#0a7d33" }, theme: "light" })).toMatch(/^:root\{color-scheme:light;.*--ks-primary:#0a7d33/);
    expect(brandCss({ theme: "auto" })).toContain("@media (prefers-color-scheme:dark)");
  });

  it("accepts string overrides per locale", () => {
    const c = loadConfig(write({ messages: { en: { otpChallenge: { title: "Enter your Acme code" } } } }));
    expect(c.messages?.en).toMatchObject({ otpChallenge: { title: "Enter your Acme code" } });
  });

  it("accepts a policy and stops with the rule's path on a bad one", () => {
    const c = loadConfig(write({ policy: { rules: [{ name: "office", when: { networks: ["10.0.0.0/8"] }, outcome: "ALLOW" }], rememberDevice: { days: 7 } } }));
    expect(c.policy?.rules?.[0]?.name).toBe("office");
    expect(() => loadConfig(write({ policy: { rules: [{ name: "office", when: { networks: ["10.0.0.0/40"] }, outcome: "ALLOW" }] } }))).toThrow(
      /keystep\.config\.json is invalid:\n {2}- policy\.rules\.0\.when\.networks\.0: "10\.0\.0\.0\/40" has prefix \/40/,
    );
  });

  it("keystep.config.schema.json is up to date (npm run config:schema)", () => {
    const generated = z.toJSONSchema(configSchema, { target: "draft-2020-12", io: "input" });
    const committed = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "keystep.config.schema.json"), "utf8"));
    expect(committed).toEqual({ ...generated, title: "Keystep configuration" });
  });
});
