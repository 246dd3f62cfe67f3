import type { Branding } from "./config";

type Palette = Record<string, string>;

/** The default palettes; every colour on every screen comes from these variables. */
export const LIGHT: Palette = {
  "--ks-primary": "#4f46e5",
  "--ks-primary-hover": "#4338ca",
  "--ks-primary-fg": "#ffffff",
  "--ks-bg": "#f5f6fa",
  "--ks-card": "#ffffff",
  "--ks-fg": "#111827",
  "--ks-muted": "#4b5563",
  "--ks-border": "#c4c9d2",
  "--ks-danger": "#b91c1c",
  "--ks-danger-bg": "#fef2f2",
  "--ks-focus": "#4f46e5",
};

export const DARK: Palette = {
  "--ks-primary": "#a5b4fc",
  "--ks-primary-hover": "#c7d2fe",
  "--ks-primary-fg": "#111827",
  "--ks-bg": "#0b1020",
  "--ks-card": "#151a2d",
  "--ks-fg": "#f3f4f6",
  "--ks-muted": "#a1a8b8",
  "--ks-border": "#4b5563",
  "--ks-danger": "#fca5a5",
  "--ks-danger-bg": "#3b1218",
  "--ks-focus": "#a5b4fc",
};

const KEYS: Record<keyof NonNullable<Branding["colors"]>, string[]> = {
  primary: ["--ks-primary", "--ks-primary-hover", "--ks-focus"],
  primaryText: ["--ks-primary-fg"],
  background: ["--ks-bg"],
  surface: ["--ks-card"],
  text: ["--ks-fg"],
  muted: ["--ks-muted"],
  error: ["--ks-danger"],
};

function apply(base: Palette, colors: Branding["colors"]): Palette {
  const out = { ...base };
  for (const [k, v] of Object.entries(colors ?? {})) for (const name of KEYS[k as keyof typeof KEYS] ?? []) if (v) out[name] = v;
  return out;
}

const decls = (p: Palette) =>
  Object.entries(p)
    .map(([k, v]) => `${k}:${v}`)
    .join(";");

/**
 * The CSS variables for a brand: light and dark palettes, the theme (light, dark, or following
 * prefers-color-scheme), radius and font stack. Values are validated by the config schema, so
 * they can go into a stylesheet as they are.
 */
export function brandCss(b: Branding = {}): string {
  const light = apply(LIGHT, b.colors);
  const dark = apply(DARK, b.darkColors);
  const extra = [b.radius ? `--ks-radius:${b.radius}` : "", b.fontStack ? `--ks-font:${b.fontStack}` : ""].filter(Boolean).join(";");
  const theme = b.theme ?? "auto";
  if (theme === "light") return `:root{color-scheme:light;${decls(light)}${extra ? `;${extra}` : ""}}`;
  if (theme === "dark") return `:root{color-scheme:dark;${decls(dark)}${extra ? `;${extra}` : ""}}`;
  return `:root{color-scheme:light dark;${decls(light)}${extra ? `;${extra}` : ""}}@media (prefers-color-scheme:dark){:root{${decls(dark)}}}`;
}
