import { createTranslator } from "use-intl/core";
import type { FactorCtx } from "@/lib/factors/types";
import { negotiateLocale } from "./locales";
import { type Messages, resolveMessages } from "./resolve";
import type { Translate } from "./translate";

/** A translator over a loaded catalogue, bound to one namespace (or the root). */
export function translatorOf(locale: string, messages: Messages, namespace?: string): Translate {
  const t = createTranslator({ locale: locale as never, messages, ...(namespace ? { namespace } : {}) });
  return (key, values) => (t as unknown as (k: string, v?: Record<string, string | number>) => string)(key, values);
}

/** A translator for a locale's catalogue (with the deployment's overrides), bound to one namespace. */
export async function translatorFor(locale: string, namespace?: string): Promise<Translate> {
  const r = await resolveMessages({ explicit: locale });
  return translatorOf(r.locale, r.messages, namespace);
}

/**
 * The language of what a flow sends (emails, texts): the screen's, which the request set on the
 * context, or else the token's claim, or English.
 */
export function ctxLocale(ctx: Pick<FactorCtx, "locale" | "flow">): string {
  return ctx.locale ?? negotiateLocale(ctx.flow.context.claims.locale);
}
