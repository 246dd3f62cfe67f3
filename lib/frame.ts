import type { Branding } from "@/lib/config";
import type { Translate } from "@/lib/i18n/translate";
import { currentLanguage, languageList } from "@/lib/i18n/languages";

/** Everything the frame shows around a screen, already translated: the same for both kinds of screen. */
export interface FrameData {
  brand: { name: string; logoUrl: string | null; supportUrl: string | null; termsUrl: string | null; privacyUrl: string | null };
  /** The language menu: the current choice and every language, each named in itself. */
  languages: { current: string; list: Array<{ code: string; name: string }> };
  labels: { language: string; apply: string; links: string; support: string; terms: string; privacy: string; securedBy: string };
}

/** The frame's data from the branding, the language choice and the `common` messages. */
export function frameData(brand: Branding, chosen: string | null | undefined, negotiated: string, t: Translate): FrameData {
  return {
    brand: { name: brand.name ?? t("brand"), logoUrl: brand.logoUrl ?? null, supportUrl: brand.supportUrl ?? null, termsUrl: brand.termsUrl ?? null, privacyUrl: brand.privacyUrl ?? null },
    languages: { current: currentLanguage(chosen, negotiated), list: languageList() },
    labels: { language: t("language"), apply: t("applyLanguage"), links: t("links"), support: t("support"), terms: t("terms"), privacy: t("privacy"), securedBy: t("securedBy") },
  };
}
