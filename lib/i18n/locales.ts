/** The one list of supported locales; a catalogue in messages/ must exist for each (tested). */
export const LOCALES = ["en", "es", "fr", "de", "pt-BR", "ja", "zh-CN", "ar"] as const;
export type AppLocale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: AppLocale = "en";

/** Each locale's name in its own language, for the switcher. */
export const LOCALE_NAMES: Record<AppLocale, string> = {
  en: "English",
  es: "Español",
  fr: "Français",
  de: "Deutsch",
  "pt-BR": "Português (Brasil)",
  ja: "日本語",
  "zh-CN": "简体中文",
  ar: "العربية",
};

const RTL = new Set<string>(["ar"]);

/** Text direction for a locale: `rtl` for Arabic, `ltr` otherwise. */
export function direction(locale: string): "ltr" | "rtl" {
  return RTL.has(locale.split("-")[0] ?? "") ? "rtl" : "ltr";
}

export function isLocale(v: unknown): v is AppLocale {
  return typeof v === "string" && (LOCALES as readonly string[]).includes(v);
}

/**
 * Picks the first supported locale from preference lists (the user's explicit choice, then
 * Auth0's ui_locales claim, then Accept-Language), matching an exact tag first, then a region
 * tag to its base language (pt-PT → pt-BR, zh-TW → zh-CN are the closest we ship).
 */
export function negotiateLocale(...preferences: Array<string | null | undefined>): AppLocale {
  for (const pref of preferences) {
    if (!pref) continue;
    const tags = pref
      .split(/[\s,]+/)
      .map((t) => (t.split(";")[0] ?? "").trim().toLowerCase())
      .filter(Boolean);
    for (const tag of tags) {
      const exact = LOCALES.find((l) => l.toLowerCase() === tag);
      if (exact) return exact;
      const base = tag.split("-")[0];
      const sameLanguage = LOCALES.find((l) => l.toLowerCase().split("-")[0] === base);
      if (sameLanguage) return sameLanguage;
    }
  }
  return DEFAULT_LOCALE;
}
