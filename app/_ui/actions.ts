"use server";

// The server actions of the frame every screen shares (app/_ui/Shell.tsx): language and time limit.

import { cookies } from "next/headers";
import { LOCALE_COOKIE, LOCALE_COOKIE_MAX_AGE, parseLocaleChoice } from "@/lib/i18n/locale-cookie";
import { extendSignIn as extend, fieldsOf } from "@/lib/flow/forms";
import { reactAction, requireFlowForAction } from "@/lib/flow/guard";

/** Switches the language; setting a cookie in an action re-renders the current screen, flow intact. */
export const setLocale = reactAction(async function setLocale(form: unknown): Promise<void> {
  const locale = parseLocaleChoice(fieldsOf(form).locale);
  if (locale) (await cookies()).set(LOCALE_COOKIE, locale, { path: "/", maxAge: LOCALE_COOKIE_MAX_AGE, httpOnly: true, secure: true, sameSite: "lax" });
});

/** "Keep me signed in": extends the flow's time limit. */
export const extendSignIn = reactAction(async function extendSignIn(_prev: unknown): Promise<{ expiresAt?: number }> {
  return { expiresAt: await extend(await requireFlowForAction()) };
});
