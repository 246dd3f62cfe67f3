import { getRequestConfig } from "next-intl/server";
import { headers } from "next/headers";
import { chosenLocale } from "@/lib/i18n/choice";
import { frameFlow } from "@/lib/flow/context";
import { resolveMessages } from "@/lib/i18n/resolve";

/**
 * Locale order: the switcher's choice, the token's ui_locales/locale, Accept-Language, English.
 * The flow is read as the frame reads it (frameFlow): when the database cannot say, the language
 * comes from the rest, so the page that reports the outage is still in the user's language.
 */
export default getRequestConfig(async ({ locale: explicit }) => {
  const flow = await frameFlow();
  const { locale, messages } = await resolveMessages({
    explicit,
    chosen: await chosenLocale(),
    claim: flow?.context.claims.locale ?? null,
    acceptLanguage: (await headers()).get("accept-language"),
  });
  return { locale, messages };
});
