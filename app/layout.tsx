import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import { getLocale, getTranslations } from "next-intl/server";
import { direction } from "@/lib/i18n/locales";
import { brandCss } from "@/lib/brand";
import { currentBranding } from "@/lib/flow/branding";
import { WEBAUTHN_PROBE } from "@/lib/webauthn-probe";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const [t, brand] = await Promise.all([getTranslations("common"), currentBranding()]);
  return { title: brand.name ?? t("brand"), robots: { index: false, follow: false }, icons: brand.faviconUrl ? { icon: brand.faviconUrl } : undefined };
}

export const viewport: Viewport = { width: "device-width", initialScale: 1, colorScheme: "light dark" };

// No NextIntlClientProvider: client components receive translated strings as props, which keeps
// the catalogue out of the browser bundle.

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const [locale, brand, h] = await Promise.all([getLocale(), currentBranding(), headers()]);
  return (
    // The class below is set by the inline script before the first paint, so React must not mind it.
    <html lang={locale} dir={direction(locale)} suppressHydrationWarning>
      <head>
        {/*
          Passkey options show only where WebAuthn exists (.webauthn-only in globals.css). Deciding
          before the first paint, rather than after hydration, means nothing appears late or moves
          (no layout shift), and without JavaScript they stay hidden, since they could not work.
        */}
        <script nonce={h.get("x-nonce") ?? undefined} dangerouslySetInnerHTML={{ __html: WEBAUTHN_PROBE }} />
        {/* Validated colours and lengths only (lib/config.ts), so they can go into CSS as they are. */}
        <style dangerouslySetInnerHTML={{ __html: brandCss(brand) }} />
        {brand.customCss ? <link rel="stylesheet" href={brand.customCss} /> : null}
      </head>
      <body className="min-h-dvh font-sans antialiased">{children}</body>
    </html>
  );
}
