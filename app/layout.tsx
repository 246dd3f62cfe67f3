import type { Metadata, Viewport } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import { direction } from "@/lib/i18n/locales";
import { brandCss } from "@/lib/brand";
import { currentBranding } from "@/lib/flow/branding";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const [t, brand] = await Promise.all([getTranslations("common"), currentBranding()]);
  return { title: brand.name ?? t("brand"), robots: { index: false, follow: false }, icons: brand.faviconUrl ? { icon: brand.faviconUrl } : undefined };
}

export const viewport: Viewport = { width: "device-width", initialScale: 1, colorScheme: "light dark" };

// No NextIntlClientProvider: client components receive translated strings as props, which keeps
// the catalogue out of the browser bundle.
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const [locale, brand] = await Promise.all([getLocale(), currentBranding()]);
  return (
    <html lang={locale} dir={direction(locale)}>
      <head>
        {/* Validated colours and lengths only (lib/config.ts), so they can go into CSS as they are. */}
        <style dangerouslySetInnerHTML={{ __html: brandCss(brand) }} />
        {brand.customCss ? <link rel="stylesheet" href={brand.customCss} /> : null}
      </head>
      <body className="min-h-dvh font-sans antialiased">
        {children}
      </body>
    </html>
  );
}
