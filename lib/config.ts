import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { LOCALES } from "@/lib/i18n/locales";
import { policySchema } from "@/lib/policy/schema";
import { isSafeConfiguredUrl, SAFE_URL_RULE } from "@/lib/security/safe-url";

const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, "a #rrggbb colour");
// Logo, favicon and footer links end up in `src` and `href`: see isSafeConfiguredUrl.
const url = z.string().max(2048).refine(isSafeConfiguredUrl, SAFE_URL_RULE).describe("https URL (http only for localhost) or a path starting with /");

const colors = z.object({ primary: color, primaryText: color, background: color, surface: color, text: color, muted: color, error: color }).partial().strict();

const brandFields = {
  name: z.string().min(1).max(60),
  logoUrl: url,
  faviconUrl: url,
  colors,
  darkColors: colors,
  radius: z.string().regex(/^\d+(\.\d+)?(px|rem)$/, "a length like 12px or 0.75rem"),
  fontStack: z
    .string()
    .max(300)
    .refine((v) => !/url\(|@import|[{};<>]/.test(v), "a plain font-family list (no remote fonts)"),
  theme: z.enum(["light", "dark", "auto"]),
  customCss: z.string().regex(/^\/[\w./-]+\.css$/, "a .css file under public/, e.g. /brand.css"),
  supportUrl: url,
  termsUrl: url,
  privacyUrl: url,
};

const brandOverride = z.object(brandFields).partial().strict();

/** `keystep.config.json`: branding (with per-application overrides by client_id), string overrides and the MFA policy. */
export const configSchema = z
  .object({
    $schema: z.string().optional(),
    branding: brandOverride
      .extend({ clients: z.record(z.string(), brandOverride).optional() })
      .strict()
      .optional(),
    messages: z.partialRecord(z.enum(LOCALES), z.record(z.string(), z.unknown())).optional(),
    policy: policySchema.optional(),
  })
  .strict();

export type KeystepConfig = z.infer<typeof configSchema>;
export type Branding = z.infer<typeof brandOverride>;

export class ConfigError extends Error {}

/** Reads and validates the config file (KEYSTEP_CONFIG, or ./keystep.config.json when present). */
export function loadConfig(file = process.env.KEYSTEP_CONFIG || "keystep.config.json"): KeystepConfig {
  // The operator's file, read at run time: never part of the build, so the build's file tracing
  // (output: "standalone") is told to look away instead of copying the whole project.
  const full = path.resolve(/*turbopackIgnore: true*/ file);
  if (!fs.existsSync(/*turbopackIgnore: true*/ full)) {
    if (process.env.KEYSTEP_CONFIG) throw new ConfigError(`KEYSTEP_CONFIG points to ${full}, which does not exist`);
    return {};
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(/*turbopackIgnore: true*/ full, "utf8"));
  } catch (e) {
    throw new ConfigError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join(".") || "(root)"}: ${i.message}`).join("\n");
    throw new ConfigError(`${file} is invalid:\n${problems}`);
  }
  return parsed.data;
}

let cached: KeystepConfig | undefined;

/** The validated config, read once (at boot, via lib/boot.ts). */
export function config(): KeystepConfig {
  cached ??= loadConfig();
  return cached;
}

/** The branding for one application: the defaults, then its client_id override. */
export function brandingFor(clientId: string | undefined, c: KeystepConfig = config()): Branding {
  const { clients, ...base } = c.branding ?? {};
  const own = clientId ? clients?.[clientId] : undefined;
  return { ...base, ...own, colors: { ...base.colors, ...own?.colors }, darkColors: { ...base.darkColors, ...own?.darkColors } };
}

function luminance(hex: string): number {
  const channel = (i: number) => {
    const v = parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG 2.x contrast ratio of two #rrggbb colours. */
export function contrast(a: string, b: string): number {
  const [la, lb] = [luminance(a), luminance(b)];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** Text/background pairs below WCAG AA (4.5:1), named, for a warning at boot. */
export function contrastWarnings(c: KeystepConfig = config()): string[] {
  const out: string[] = [];
  const check = (label: string, colors: Branding["colors"]) => {
    if (!colors) return;
    const pairs: Array<[keyof NonNullable<Branding["colors"]>, keyof NonNullable<Branding["colors"]>]> = [
      ["text", "background"],
      ["text", "surface"],
      ["muted", "surface"],
      ["primaryText", "primary"],
      ["error", "surface"],
    ];
    for (const [fg, bg] of pairs) {
      const f = colors[fg];
      const g = colors[bg];
      if (f && g && contrast(f, g) < 4.5) out.push(`${label}: ${fg} ${f} on ${bg} ${g} has contrast ${contrast(f, g).toFixed(2)}:1, below WCAG AA 4.5:1`);
    }
  };
  check("branding.colors", c.branding?.colors);
  check("branding.darkColors", c.branding?.darkColors);
  for (const [id, b] of Object.entries(c.branding?.clients ?? {})) {
    check(`branding.clients.${id}.colors`, b.colors);
    check(`branding.clients.${id}.darkColors`, b.darkColors);
  }
  return out;
}
