import { LOCALE_NAMES, LOCALES } from "./locales";
import { PSEUDO_LOCALE, pseudoEnabled } from "./pseudo";

/** The language menu's entries: every locale in its own name, and the pseudo-locale where enabled. */
export function languageList(): Array<{ code: string; name: string }> {
  return [...LOCALES.map((code) => ({ code, name: LOCALE_NAMES[code] })), ...(pseudoEnabled() ? [{ code: PSEUDO_LOCALE, name: "Pseudo (en-XA)" }] : [])];
}

/** The menu's current entry: the pseudo-locale when chosen and enabled, else the negotiated locale. */
export function currentLanguage(chosen: string | null | undefined, negotiated: string): string {
  return chosen === PSEUDO_LOCALE && pseudoEnabled() ? PSEUDO_LOCALE : negotiated;
}
