import { getRequestConfig } from "next-intl/server";
import { headers } from "next/headers";
import { negotiateLocale } from "@/lib/i18n/locales";
import { currentFlow } from "@/lib/flow/context";

export default getRequestConfig(async ({ locale: explicit }) => {
  const flow = await currentFlow();
  const locale = negotiateLocale(explicit, flow.ok ? flow.flow.context.claims.locale : null, (await headers()).get("accept-language"));
  return {
    locale,
    messages: (await import(`../messages/${locale}.json`)).default,
  };
});
