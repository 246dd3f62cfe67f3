import { config } from "@/lib/config";
import { type AppLocale, negotiateLocale } from "./locales";
import { PSEUDO_LOCALE, pseudoCatalogue, pseudoEnabled } from "./pseudo";

type Tree = { [k: string]: unknown };
export type Messages = Tree;

function deepMerge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = v && typeof v === "object" && !Array.isArray(v) && typeof base[k] === "object" ? deepMerge(base[k] as Tree, v as Tree) : v;
  }
  return out;
}

/** What decides a request's language: in this order, the switcher's cookie, an explicit locale, the token's claim, Accept-Language. */
export interface LocaleInputs {
  chosen?: string | null;
  explicit?: string | null;
  claim?: string | null;
  acceptLanguage?: string | null;
}

/**
 * The request's locale and its catalogue, with the deployment's overrides
 * (keystep.config.json `messages`). The one place both kinds of screen get their language:
 * i18n/request.ts for React screens, lib/pages/screen.ts for HTML-only ones.
 */
export async function resolveMessages(i: LocaleInputs): Promise<{ locale: AppLocale; messages: Messages; pseudo: boolean }> {
  if (i.chosen === PSEUDO_LOCALE && pseudoEnabled()) {
    return { locale: "en", messages: pseudoCatalogue((await import("../../messages/en.json")).default), pseudo: true };
  }
  const locale = negotiateLocale(i.explicit, i.chosen, i.claim, i.acceptLanguage);
  const messages = (await import(`../../messages/${locale}.json`)).default as Tree;
  const overrides = config().messages?.[locale];
  return { locale, messages: overrides ? deepMerge(messages, overrides as Tree) : messages, pseudo: false };
}
