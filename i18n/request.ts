import { getRequestConfig } from "next-intl/server";
import { headers } from "next/headers";
import { chosenLocale } from "@/lib/i18n/choice";
import { currentFlow } from "@/lib/flow/context";
import { resolveMessages } from "@/lib/i18n/resolve";

/** Locale order: the switcher's choice, the token's ui_locales/locale, Accept-Language, English. */
export default getRequestConfig(async ({ locale: explicit }) => {
  const flow = await currentFlow();
  const { locale, messages } = await resolveMessages({
    explicit,
    chosen: await chosenLocale(),
    claim: flow.ok ? flow.flow.context.claims.locale : null,
    acceptLanguage: (await headers()).get("accept-language"),
  });
  return { locale, messages };
});
