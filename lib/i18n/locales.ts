/** The one list of supported locales; a catalogue in messages/ must exist for each (tested). */
export const LOCALES = ["en"] as const;
export type AppLocale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: AppLocale = "en";

/**
 * Picks the first supported locale from preference lists (Auth0's ui_locales claim first,
 * then Accept-Language), matching a region tag to its base language.
 */
export function negotiateLocale(...preferences: Array<string | null | undefined>): AppLocale {
  for (const pref of preferences) {
    if (!pref) continue;
    const tags = pref
      .split(/[\s,]+/)
      .map((t) => t.split(";")[0]!.trim().toLowerCase())
      .filter(Boolean);
    for (const tag of tags) {
      const exact = LOCALES.find((l) => l.toLowerCase() === tag);
      if (exact) return exact;
      const base = LOCALES.find((l) => l.toLowerCase() === tag.split("-")[0]);
      if (base) return base;
    }
  }
  return DEFAULT_LOCALE;
}
