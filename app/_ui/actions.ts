"use server";

// The server actions of the frame every screen shares (app/_ui/Shell.tsx): language and time limit.

import { cookies } from "next/headers";
import { z } from "zod";
import { LOCALE_COOKIE } from "@/lib/i18n/choice";
import { LOCALES } from "@/lib/i18n/locales";
import { PSEUDO_LOCALE, pseudoEnabled } from "@/lib/i18n/pseudo";
import { extendFlow } from "@/lib/flow/repo";
import { requireFlowForAction } from "@/lib/flow/guard";

const input = z.object({ locale: z.enum([...LOCALES, PSEUDO_LOCALE]) });

/** Switches the language; setting a cookie in an action re-renders the current screen, flow intact. */
export async function setLocale(form: unknown): Promise<void> {
  const parsed = input.safeParse(form instanceof FormData ? Object.fromEntries(form) : form);
  if (!parsed.success || (parsed.data.locale === PSEUDO_LOCALE && !pseudoEnabled())) return;
  (await cookies()).set(LOCALE_COOKIE, parsed.data.locale, { path: "/", maxAge: 365 * 86_400, httpOnly: true, secure: true, sameSite: "lax" });
}

/** "Keep me signed in": extends the flow's time limit. */
export async function extendSignIn(_prev: unknown): Promise<{ expiresAt?: number }> {
  const ctx = await requireFlowForAction();
  const expiresAt = await extendFlow(ctx.db, ctx.flow, ctx.env.flowTtlSeconds, undefined, ctx.now);
  return { expiresAt: expiresAt ?? ctx.flow.expiresAt };
}
