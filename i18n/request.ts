import { getRequestConfig } from "next-intl/server";
import { headers } from "next/headers";
import { negotiateLocale } from "@/lib/i18n/locales";
import { chosenLocale } from "@/lib/i18n/choice";
import { currentFlow } from "@/lib/flow/context";
import { config } from "@/lib/config";
import { PSEUDO_LOCALE, pseudoCatalogue, pseudoEnabled } from "@/lib/i18n/pseudo";

type Tree = { [k: string]: unknown };
function deepMerge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = v && typeof v === "object" && !Array.isArray(v) && typeof base[k] === "object" ? deepMerge(base[k] as Tree, v as Tree) : v;
  }
  return out;
}

/** Locale order: the switcher's choice, the token's ui_locales/locale, Accept-Language, English. */
export default getRequestConfig(async ({ locale: explicit }) => {
  const flow = await currentFlow();
  const chosen = await chosenLocale();
  if (chosen === PSEUDO_LOCALE && pseudoEnabled()) {
    return { locale: "en", messages: pseudoCatalogue((await import("../messages/en.json")).default) };
  }
  const locale = negotiateLocale(explicit, chosen, flow.ok ? flow.flow.context.claims.locale : null, (await headers()).get("accept-language"));
  const messages = (await import(`../messages/${locale}.json`)).default;
  // Teams override any string per locale in keystep.config.json without forking.
  const overrides = config().messages?.[locale];
  return { locale, messages: overrides ? deepMerge(messages, overrides) : messages };
});
