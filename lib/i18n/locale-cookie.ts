import { isLocale } from "./locales";
import { PSEUDO_LOCALE, pseudoEnabled } from "./pseudo";

/** The user's explicit language choice from the switcher; it wins over the token and the browser. */
export const LOCALE_COOKIE = "__Host-keystep_locale";

/** The switcher's value, when it names a language this deployment offers; otherwise null. */
export function parseLocaleChoice(value: unknown): string | null {
  if (typeof value !== "string") return null;
  if (value === PSEUDO_LOCALE) return pseudoEnabled() ? value : null;
  return isLocale(value) ? value : null;
}

/** The choice is kept a year, for this origin only, out of reach of scripts. */
export const LOCALE_COOKIE_MAX_AGE = 365 * 86_400;
