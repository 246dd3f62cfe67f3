import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EnvError, FILE_SECRETS, loadEnv, parseAuth0Domain } from "./env";

const good = {
  NODE_ENV: "production",
  KEYSTEP_PUBLIC_URL: "https://mfa.example.com",
  KEYSTEP_SECRET: "s".repeat(32),
  KEYSTEP_AUTH0_DOMAINS: "acme.eu.auth0.com,login.acme.com",
  KEYSTEP_ENCRYPTION_KEY: "a".repeat(64),
  DATABASE_URL: "postgres://db/keystep",
};

function problems(overrides: Record<string, string | undefined>): string[] {
  try {
    loadEnv({ ...good, ...overrides });
    return [];
  } catch (e) {
    if (e instanceof EnvError) return e.problems;
    throw e;
  }
}

describe("configuration", () => {
  it("accepts a complete production configuration", () => {
    const env = loadEnv(good);
    expect(env.auth0Domains.map((d) => d.origin)).toEqual(["https://acme.eu.auth0.com", "https://login.acme.com"]);
    expect(env.keys.current.raw).toHaveLength(32);
    expect(env.clockToleranceSeconds).toBeGreaterThanOrEqual(30);
  });

  it("refuses a secret shorter than 32 bytes, naming the variable", () => {
    expect(problems({ KEYSTEP_SECRET: "short" }).join()).toContain("KEYSTEP_SECRET");
  });

  it("refuses to start in production without an encryption key", () => {
    expect(problems({ KEYSTEP_ENCRYPTION_KEY: undefined }).join()).toContain("KEYSTEP_ENCRYPTION_KEY");
    expect(problems({ KEYSTEP_ENCRYPTION_KEY: "tooshort" }).join()).toContain("KEYSTEP_ENCRYPTION_KEY");
  });

  it("reports every bad variable at once", () => {
    const p = problems({ KEYSTEP_SECRET: "", KEYSTEP_AUTH0_DOMAINS: "", PORT: "99999", DATABASE_URL: "mysql://x" });
    expect(p.join("\n")).toMatch(/KEYSTEP_SECRET[\s\S]*KEYSTEP_AUTH0_DOMAINS[\s\S]*DATABASE_URL/);
    expect(p.join()).toContain("PORT");
  });

  it("requires https for the public URL except on localhost", () => {
    expect(problems({ KEYSTEP_PUBLIC_URL: "http://mfa.example.com" }).join()).toContain("KEYSTEP_PUBLIC_URL");
    expect(problems({ KEYSTEP_PUBLIC_URL: "http://localhost:3000" })).toEqual([]);
  });

  it("keeps the clock tolerance within 30–60 s", () => {
    expect(problems({ KEYSTEP_CLOCK_TOLERANCE_SECONDS: "300" }).join()).toContain("KEYSTEP_CLOCK_TOLERANCE_SECONDS");
  });

  it("accepts sqlite: relative and absolute paths and postgres URLs", () => {
    for (const url of ["sqlite:./data/k.db", "sqlite:/var/lib/k.db", "postgres://u@h:5432/db", "postgresql://h/db"]) {
      expect(problems({ DATABASE_URL: url })).toEqual([]);
    }
  });

  it("parses Auth0 domain entries as host plus optional port with a scheme", () => {
    expect(parseAuth0Domain("Tenant.Auth0.com")).toEqual({ host: "tenant.auth0.com", scheme: "https", origin: "https://tenant.auth0.com" });
    expect(parseAuth0Domain("http://127.0.0.1:4010")).toEqual({ host: "127.0.0.1:4010", scheme: "http", origin: "http://127.0.0.1:4010" });
    expect(() => parseAuth0Domain("https://x.com/path")).toThrow();
    expect(problems({ KEYSTEP_AUTH0_DOMAINS: "http://evil.example.com" }).join()).toContain("http");
  });

  it("keeps the admin API off unless KEYSTEP_ADMIN_TOKEN is set", () => {
    expect(loadEnv(good).adminToken).toBeNull();
    expect(loadEnv({ ...good, KEYSTEP_ADMIN_TOKEN: "" }).adminToken).toBeNull();
    expect(loadEnv({ ...good, KEYSTEP_ADMIN_TOKEN: "t".repeat(32) }).adminToken).toBe("t".repeat(32));
  });

  it("refuses a guessable admin token, naming the variable", () => {
    expect(problems({ KEYSTEP_ADMIN_TOKEN: "short-admin-token" }).join()).toContain("KEYSTEP_ADMIN_TOKEN");
    // A space or quote could not be sent as a bearer token unchanged.
    expect(problems({ KEYSTEP_ADMIN_TOKEN: `${"t".repeat(32)} x` }).join()).toContain("KEYSTEP_ADMIN_TOKEN");
  });

  it("refuses an admin token equal to the token signing secret", () => {
    expect(problems({ KEYSTEP_ADMIN_TOKEN: good.KEYSTEP_SECRET }).join()).toContain("KEYSTEP_ADMIN_TOKEN must differ");
  });

  it("has daily and per-country SMS budgets, each set by its own variable and validated", () => {
    const sms = loadEnv(good).budgets.sms;
    expect(sms.daily).toEqual({ perDestination: 10, perUser: 20, global: 3000 });
    expect(sms.perCountry).toEqual({ hourly: 100, daily: 600 });
    // One country alone can never spend the whole instance's budget by default.
    expect(sms.perCountry.hourly).toBeLessThan(sms.global);
    expect(sms.perCountry.daily).toBeLessThan(sms.daily.global);
    const set = loadEnv({
      ...good,
      SMS_BUDGET_PER_NUMBER_DAILY: "7",
      SMS_BUDGET_PER_USER_DAILY: "8",
      SMS_BUDGET_GLOBAL_DAILY: "900",
      SMS_BUDGET_PER_COUNTRY: "40",
      SMS_BUDGET_PER_COUNTRY_DAILY: "200",
    }).budgets.sms;
    expect(set).toMatchObject({ daily: { perDestination: 7, perUser: 8, global: 900 }, perCountry: { hourly: 40, daily: 200 } });
    for (const name of ["SMS_BUDGET_PER_NUMBER_DAILY", "SMS_BUDGET_PER_USER_DAILY", "SMS_BUDGET_GLOBAL_DAILY", "SMS_BUDGET_PER_COUNTRY", "SMS_BUDGET_PER_COUNTRY_DAILY"]) {
      expect(problems({ [name]: "0" }).join(), name).toContain(name);
      expect(problems({ [name]: "ten" }).join(), name).toContain(name);
    }
  });

  it("configures WhatsApp like SMS: off by default, Twilio from a WhatsApp sender or the signed webhook, its own countries and budgets", () => {
    expect(loadEnv(good).whatsapp).toEqual({ provider: "none" });
    const twilio = loadEnv({ ...good, WHATSAPP_PROVIDER: "twilio", TWILIO_ACCOUNT_SID: "AC1", TWILIO_AUTH_TOKEN: "t", WHATSAPP_FROM: "+14155238886", SMS_ALLOWED_COUNTRIES: "GB" });
    expect(twilio.whatsapp).toMatchObject({ provider: "twilio", accountSid: "AC1", from: "+14155238886", messagingServiceSid: null, allowedCountries: ["GB"] });
    expect(twilio.sms).toEqual({ provider: "none" });
    expect(problems({ WHATSAPP_PROVIDER: "twilio", TWILIO_ACCOUNT_SID: "AC1", TWILIO_AUTH_TOKEN: "t" }).join()).toContain("WHATSAPP_FROM");
    expect(problems({ WHATSAPP_PROVIDER: "twilio", TWILIO_ACCOUNT_SID: "AC1", TWILIO_AUTH_TOKEN: "t", WHATSAPP_FROM: "whatsapp:+1415" }).join()).toContain("WHATSAPP_FROM");
    expect(problems({ WHATSAPP_PROVIDER: "webhook" }).join()).toContain("SMS_WEBHOOK_SECRET must be at least 32 bytes when WHATSAPP_PROVIDER=webhook");
    expect(
      loadEnv({ ...good, WHATSAPP_PROVIDER: "webhook", SMS_WEBHOOK_URL: "https://gw.example.com/sms", SMS_WEBHOOK_SECRET: "w".repeat(32), WHATSAPP_ALLOWED_COUNTRIES: "br,in" }).whatsapp,
    ).toMatchObject({ provider: "webhook", allowedCountries: ["BR", "IN"] });
    expect(problems({ WHATSAPP_PROVIDER: "log" }).join()).toContain("WHATSAPP_PROVIDER=log");
    expect(problems({ WHATSAPP_PROVIDER: "pigeon" }).join()).toContain("WHATSAPP_PROVIDER must be one of");
    expect(problems({ WHATSAPP_ALLOWED_COUNTRIES: "GBR" }).join()).toContain("WHATSAPP_ALLOWED_COUNTRIES");
    const wa = loadEnv({ ...good, WHATSAPP_BUDGET_PER_NUMBER: "3", WHATSAPP_BUDGET_PER_COUNTRY_DAILY: "50" }).budgets;
    expect(wa.whatsapp).toMatchObject({ perDestination: 3, perCountry: { daily: 50 } });
    expect(wa.sms).toMatchObject({ perDestination: 5, perCountry: { daily: 600 } });
    for (const name of [
      "WHATSAPP_BUDGET_PER_NUMBER",
      "WHATSAPP_BUDGET_PER_NUMBER_DAILY",
      "WHATSAPP_BUDGET_PER_USER",
      "WHATSAPP_BUDGET_PER_USER_DAILY",
      "WHATSAPP_BUDGET_PER_IP",
      "WHATSAPP_BUDGET_GLOBAL",
      "WHATSAPP_BUDGET_GLOBAL_DAILY",
      "WHATSAPP_BUDGET_PER_COUNTRY",
      "WHATSAPP_BUDGET_PER_COUNTRY_DAILY",
    ]) {
      expect(problems({ [name]: "0" }).join(), name).toContain(name);
    }
  });

  it("threat: a NODE_ENV other than development or test (prod, staging, unset) starts with production guards", () => {
    for (const value of ["prod", "staging", "Production", "", undefined]) {
      const label = `NODE_ENV=${value}`;
      expect(loadEnv({ ...good, NODE_ENV: value }).nodeEnv, label).toBe("production");
      // The production guards hold: no generated encryption key, no log-only SMS, no default public URL.
      expect(problems({ NODE_ENV: value, KEYSTEP_ENCRYPTION_KEY: undefined }).join(), label).toContain("KEYSTEP_ENCRYPTION_KEY is required in production");
      expect(problems({ NODE_ENV: value, SMS_PROVIDER: "log" }).join(), label).toContain("SMS_PROVIDER=log");
      expect(problems({ NODE_ENV: value, KEYSTEP_PUBLIC_URL: undefined }).join(), label).toContain("KEYSTEP_PUBLIC_URL is required in production");
    }
    expect(loadEnv({ ...good, NODE_ENV: "development" }).nodeEnv).toBe("development");
    expect(loadEnv({ ...good, NODE_ENV: "test" }).nodeEnv).toBe("test");
  });

  it("threat: a javascript: or data: KEYSTEP_BRAND_LOGO_URL is refused at boot, in every NODE_ENV", () => {
    for (const NODE_ENV of ["production", "development", "test"]) {
      for (const value of ["javascript:alert(1)", "data:image/svg+xml,<svg onload=alert(1)>", "//evil.example/x.svg", "http://evil.example/x.svg"]) {
        expect(problems({ NODE_ENV, KEYSTEP_BRAND_LOGO_URL: value }).join(), `${NODE_ENV} ${value}`).toContain("KEYSTEP_BRAND_LOGO_URL must be an https URL");
      }
      for (const value of ["https://cdn.acme.com/logo.svg", "/logo.svg", "http://localhost:3000/logo.svg"]) {
        expect(loadEnv({ ...good, NODE_ENV, KEYSTEP_BRAND_LOGO_URL: value }).brand.logoUrl, `${NODE_ENV} ${value}`).toBe(value);
      }
    }
  });
});

describe("secrets from files (NAME_FILE, as Docker and Kubernetes mount them)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keystep-env-"));
  const write = (name: string, value: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, value);
    return file;
  };

  it("reads each secret from its file, without the trailing newline", () => {
    const env = loadEnv({ ...good, KEYSTEP_SECRET: undefined, KEYSTEP_SECRET_FILE: write("secret", `${"f".repeat(40)}\n`), KEYSTEP_ADMIN_TOKEN_FILE: write("admin", "t".repeat(40)) });
    expect(Buffer.from(env.tenants[0]!.secret).toString()).toBe("f".repeat(40));
    expect(env.adminToken).toBe("t".repeat(40));
  });

  it("refuses a missing file and a secret set both ways, naming the variable", () => {
    expect(problems({ KEYSTEP_SECRET: undefined, KEYSTEP_SECRET_FILE: path.join(dir, "nope") })).toContainEqual(expect.stringContaining("KEYSTEP_SECRET_FILE cannot be read (ENOENT)"));
    expect(problems({ KEYSTEP_SECRET_FILE: write("both", "x".repeat(40)) })).toContain("KEYSTEP_SECRET and KEYSTEP_SECRET_FILE are both set: keep one");
  });

  it("a secret read from a file is validated like one set directly", () => {
    expect(problems({ KEYSTEP_SECRET: undefined, KEYSTEP_SECRET_FILE: write("short", "short") })).toContain("KEYSTEP_SECRET must be at least 32 bytes (the Auth0 Action secret)");
  });
});

describe("the support console's settings", () => {
  const consoleVars = { KEYSTEP_CONSOLE_ISSUER: "https://acme.eu.auth0.com/", KEYSTEP_CONSOLE_CLIENT_ID: "cid", KEYSTEP_CONSOLE_CLIENT_SECRET: "s".repeat(40) };
  it("is off unless configured, and takes the three together", () => {
    expect(loadEnv(good).console).toBeNull();
    expect(loadEnv({ ...good, ...consoleVars }).console).toMatchObject({ clientId: "cid", role: "keystep-support", claimNamespace: "https://mfa.example.com/", tenant: null });
    expect(problems({ KEYSTEP_CONSOLE_CLIENT_ID: "cid" }).join()).toContain("go together");
  });
  it("refuses a plain-http issuer that is not a loopback host", () => {
    expect(problems({ ...consoleVars, KEYSTEP_CONSOLE_ISSUER: "http://acme.eu.auth0.com/" }).join()).toContain("KEYSTEP_CONSOLE_ISSUER must use https");
    expect(loadEnv({ ...good, ...consoleVars, KEYSTEP_CONSOLE_ISSUER: "http://127.0.0.1:4010" }).console?.issuer.href).toBe("http://127.0.0.1:4010/");
  });
  it("reads SMS prices as a JSON object of countries, and refuses anything else", () => {
    expect(loadEnv({ ...good, KEYSTEP_SMS_PRICES: '{"GB":0.04,"*":0.1}' }).smsPrices).toEqual({ currency: "USD", perCountry: { GB: 0.04, "*": 0.1 } });
    for (const bad of ["[1]", '{"gb":1}', '{"GB":"0.04"}', '{"GB":-1}', "nope"]) expect(problems({ KEYSTEP_SMS_PRICES: bad }).join()).toContain("KEYSTEP_SMS_PRICES");
  });
});

describe(".env.example", () => {
  it("lists every variable lib/env.ts reads, and every secret it may read from a file", () => {
    const source = fs.readFileSync("lib/env.ts", "utf8");
    const read = new Set([...source.matchAll(/source\.([A-Z0-9_]+)|budget\("([A-Z0-9_]+)"/g)].map((m) => m[1] ?? m[2]!));
    const example = new Set([...fs.readFileSync(".env.example", "utf8").matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]!));
    expect([...read].filter((name) => !example.has(name))).toEqual([]);
    expect(read.size).toBeGreaterThan(30);
    const text = fs.readFileSync(".env.example", "utf8");
    expect(FILE_SECRETS.filter((name) => !text.includes(`${name}_FILE`))).toEqual([]);
  });

  it("names every variable docs/configuration.md's tables document, set or as a commented line", () => {
    const doc = fs.readFileSync("docs/configuration.md", "utf8");
    // The first cell of every table row: the variables a deployer sets (not the per-tenant <ID> forms).
    const documented = new Set(
      doc
        .split("\n")
        .filter((l) => l.startsWith("| `"))
        .flatMap((l) => [...(l.split("|")[1] ?? "").matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!)),
    );
    const text = fs.readFileSync(".env.example", "utf8");
    const named = new Set([...text.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!));
    expect([...documented].filter((name) => !named.has(name))).toEqual([]);
    expect(documented.size).toBeGreaterThan(35);
  });
});

describe("tenants (#15 item 3)", () => {
  const two = {
    KEYSTEP_AUTH0_DOMAINS: undefined,
    KEYSTEP_TENANTS: "acme-prod, acme-dev",
    KEYSTEP_TENANT_ACME_PROD_SECRET: "p".repeat(32),
    KEYSTEP_TENANT_ACME_PROD_DOMAINS: "acme.eu.auth0.com,login.acme.com",
    KEYSTEP_TENANT_ACME_DEV_SECRET: "d".repeat(32),
    KEYSTEP_TENANT_ACME_DEV_DOMAINS: "acme-dev.eu.auth0.com",
  };

  it("the single-tenant variables are one tenant keyed by its first domain, or by KEYSTEP_AUTH0_TENANT", () => {
    const [only] = loadEnv(good).tenants;
    expect(only).toMatchObject({ id: "acme.eu.auth0.com", auth0Id: null, secret: new TextEncoder().encode("s".repeat(32)) });
    expect(only?.domains.map((d) => d.host)).toEqual(["acme.eu.auth0.com", "login.acme.com"]);
    expect(loadEnv({ ...good, KEYSTEP_AUTH0_TENANT: "acme" }).tenants[0]).toMatchObject({ id: "acme", auth0Id: "acme" });
    expect(problems({ KEYSTEP_AUTH0_TENANT: "Acme Prod" })).toEqual([expect.stringContaining("KEYSTEP_AUTH0_TENANT")]);
  });

  it("KEYSTEP_TENANTS configures each tenant with its own secret and domains, a secret also from a file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keystep-tenant-"));
    const file = path.join(dir, "dev");
    fs.writeFileSync(file, `${"f".repeat(40)}\n`);
    const env = loadEnv({ ...good, ...two, KEYSTEP_TENANT_ACME_DEV_SECRET: undefined, KEYSTEP_TENANT_ACME_DEV_SECRET_FILE: file });
    expect(env.tenants.map((t) => [t.id, t.auth0Id, t.domains.map((d) => d.host)])).toEqual([
      ["acme-prod", "acme-prod", ["acme.eu.auth0.com", "login.acme.com"]],
      ["acme-dev", "acme-dev", ["acme-dev.eu.auth0.com"]],
    ]);
    expect(new TextDecoder().decode(env.tenants[1]?.secret)).toBe("f".repeat(40));
    expect(env.auth0Domains.map((d) => d.host)).toEqual(["acme.eu.auth0.com", "login.acme.com", "acme-dev.eu.auth0.com"]);
  });

  it("threat: two tenants sharing a secret are refused (one tenant's Action could mint results for the other)", () => {
    expect(problems({ ...two, KEYSTEP_TENANT_ACME_DEV_SECRET: "p".repeat(32) })).toEqual([expect.stringMatching(/KEYSTEP_TENANT_ACME_DEV_SECRET is the same as "acme-prod"'s/)]);
  });

  it("refuses a domain of two tenants, a tenant without a secret or domains, a bad id, and the single-tenant variables next to KEYSTEP_TENANTS", () => {
    expect(problems({ ...two, KEYSTEP_TENANT_ACME_DEV_DOMAINS: "login.acme.com" })).toEqual([expect.stringContaining('login.acme.com is a domain of both "acme-prod" and "acme-dev"')]);
    expect(problems({ ...two, KEYSTEP_TENANT_ACME_DEV_SECRET: undefined, KEYSTEP_TENANT_ACME_DEV_DOMAINS: undefined })).toEqual([
      expect.stringContaining("KEYSTEP_TENANT_ACME_DEV_SECRET must be at least 32 bytes"),
      expect.stringContaining("KEYSTEP_TENANT_ACME_DEV_DOMAINS must list"),
    ]);
    expect(problems({ ...two, KEYSTEP_TENANTS: "acme-prod,Acme_Dev" })).toEqual([expect.stringContaining('"Acme_Dev" is not an Auth0 tenant name')]);
    expect(problems({ ...two, KEYSTEP_AUTH0_DOMAINS: "acme.eu.auth0.com" })).toEqual([expect.stringContaining("KEYSTEP_AUTH0_DOMAINS is for a single tenant")]);
  });
});

describe("key rotation (#16 item 4)", () => {
  const b = "b".repeat(64);
  const c = "c".repeat(64);
  const two = {
    ...good,
    KEYSTEP_AUTH0_DOMAINS: undefined,
    KEYSTEP_TENANTS: "acme-prod,acme-dev",
    KEYSTEP_TENANT_ACME_PROD_SECRET: "p".repeat(32),
    KEYSTEP_TENANT_ACME_PROD_DOMAINS: "acme-prod.eu.auth0.com",
    KEYSTEP_TENANT_ACME_DEV_SECRET: "d".repeat(32),
    KEYSTEP_TENANT_ACME_DEV_DOMAINS: "acme-dev.eu.auth0.com",
  };

  it("previous encryption keys read, the current one writes; each has its own key id", () => {
    const env = loadEnv({ ...good, KEYSTEP_ENCRYPTION_KEY: b, KEYSTEP_PREVIOUS_ENCRYPTION_KEYS: `${"a".repeat(64)}, ${c}` });
    expect(env.keys.current.raw.toString("hex")).toBe(b);
    expect(env.keys.previous.map((k) => k.raw.toString("hex"))).toEqual(["a".repeat(64), c]);
    expect(new Set(env.keys.roots.map((k) => k.id)).size).toBe(3);
    // The key id names the key without revealing it.
    for (const k of env.keys.roots) expect(k.raw.toString("hex")).not.toContain(k.id);
  });

  it("refuses a previous encryption key that is not 32 bytes, repeats the current one, or is listed twice", () => {
    expect(problems({ KEYSTEP_PREVIOUS_ENCRYPTION_KEYS: "abc" })).toEqual(["KEYSTEP_PREVIOUS_ENCRYPTION_KEYS entry 1 must be 32 bytes as 64 hex characters or base64"]);
    expect(problems({ KEYSTEP_PREVIOUS_ENCRYPTION_KEYS: `${b},${"a".repeat(64)}` })).toEqual([expect.stringMatching(/entry 2 is the current KEYSTEP_ENCRYPTION_KEY/)]);
    expect(problems({ KEYSTEP_PREVIOUS_ENCRYPTION_KEYS: `${b},${b}` })).toEqual([expect.stringMatching(/lists entry 2 twice/)]);
  });

  it("the Action secret being rotated out is accepted as the tenant's previous secret (single tenant and per tenant)", () => {
    const one = loadEnv({ ...good, KEYSTEP_PREVIOUS_SECRET: "o".repeat(32) });
    expect(Buffer.from(one.tenants[0]!.previousSecret!).toString()).toBe("o".repeat(32));
    expect(loadEnv(good).tenants[0]!.previousSecret).toBeNull();
    const many = loadEnv({ ...two, KEYSTEP_TENANT_ACME_DEV_PREVIOUS_SECRET: "q".repeat(32) });
    expect(many.tenants.map((t) => (t.previousSecret ? Buffer.from(t.previousSecret).toString() : null))).toEqual([null, "q".repeat(32)]);
  });

  it("refuses a previous Action secret that is short, equals the current one, or is used where it means nothing", () => {
    expect(problems({ KEYSTEP_PREVIOUS_SECRET: "short" })).toEqual([expect.stringMatching(/^KEYSTEP_PREVIOUS_SECRET must be at least 32 bytes/)]);
    expect(problems({ KEYSTEP_PREVIOUS_SECRET: good.KEYSTEP_SECRET })).toEqual([expect.stringMatching(/^KEYSTEP_PREVIOUS_SECRET is the same as KEYSTEP_SECRET/)]);
    expect(problems({ ...two, KEYSTEP_TENANT_ACME_DEV_PREVIOUS_SECRET: "d".repeat(32) })).toEqual([
      expect.stringMatching(/^KEYSTEP_TENANT_ACME_DEV_PREVIOUS_SECRET is the same as KEYSTEP_TENANT_ACME_DEV_SECRET/),
    ]);
    expect(problems({ ...two, KEYSTEP_PREVIOUS_SECRET: "o".repeat(32) })).toEqual([expect.stringMatching(/^KEYSTEP_PREVIOUS_SECRET is for a single tenant/)]);
  });

  it("threat: a previous secret of tenant A is refused as tenant B's (current or previous)", () => {
    expect(problems({ ...two, KEYSTEP_TENANT_ACME_DEV_PREVIOUS_SECRET: "p".repeat(32) })).toEqual([expect.stringMatching(/KEYSTEP_TENANT_ACME_DEV_PREVIOUS_SECRET is the same as "acme-prod"'s/)]);
    expect(problems({ ...two, KEYSTEP_TENANT_ACME_PROD_PREVIOUS_SECRET: "o".repeat(32), KEYSTEP_TENANT_ACME_DEV_PREVIOUS_SECRET: "o".repeat(32) })).toEqual([
      expect.stringMatching(/KEYSTEP_TENANT_ACME_DEV_PREVIOUS_SECRET is the same as "acme-prod"'s/),
    ]);
  });

  it("the rotation variables may come from files", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keystep-rotation-"));
    fs.writeFileSync(path.join(dir, "prev"), `${"o".repeat(32)}\n`);
    fs.writeFileSync(path.join(dir, "keys"), `${b}\n`);
    fs.writeFileSync(path.join(dir, "tenant-prev"), "q".repeat(32));
    const env = loadEnv({ ...good, KEYSTEP_PREVIOUS_SECRET_FILE: path.join(dir, "prev"), KEYSTEP_PREVIOUS_ENCRYPTION_KEYS_FILE: path.join(dir, "keys") });
    expect(Buffer.from(env.tenants[0]!.previousSecret!).toString()).toBe("o".repeat(32));
    expect(env.keys.previous[0]!.raw.toString("hex")).toBe(b);
    const many = loadEnv({ ...two, KEYSTEP_TENANT_ACME_DEV_PREVIOUS_SECRET_FILE: path.join(dir, "tenant-prev") });
    expect(Buffer.from(many.tenants[1]!.previousSecret!).toString()).toBe("q".repeat(32));
  });

  it("hashes from before key ids are read with KEYSTEP_SECRET (and the previous one), or with KEYSTEP_LEGACY_HASH_SECRET once set", () => {
    const text = (env: ReturnType<typeof loadEnv>) => env.keys.legacyHashKeys.map((k) => Buffer.from(k).toString());
    expect(text(loadEnv(good))).toEqual([good.KEYSTEP_SECRET]);
    expect(text(loadEnv({ ...good, KEYSTEP_PREVIOUS_SECRET: "o".repeat(32) }))).toEqual([good.KEYSTEP_SECRET, "o".repeat(32)]);
    expect(text(loadEnv({ ...good, KEYSTEP_LEGACY_HASH_SECRET: "l".repeat(32) }))).toEqual(["l".repeat(32)]);
    expect(problems({ KEYSTEP_LEGACY_HASH_SECRET: "short" })).toEqual([expect.stringMatching(/^KEYSTEP_LEGACY_HASH_SECRET must be at least 32 bytes/)]);
  });
});
