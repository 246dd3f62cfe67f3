import { getLocale, getTranslations } from "next-intl/server";
import { setLocale } from "@/app/_ui/actions";
import { LOCALE_NAMES, LOCALES } from "@/lib/i18n/locales";
import { PSEUDO_LOCALE, pseudoEnabled } from "@/lib/i18n/pseudo";
import { FocusOnArrival } from "@/components/FocusOnArrival";
import { SessionTimer } from "@/components/SessionTimer";
import { extendSignIn } from "@/app/_ui/actions";
import { currentFlow } from "@/lib/flow/context";
import { LanguageSwitcher } from "@/components/LanguageSwitcher";
import { currentBranding } from "@/lib/flow/branding";
import { chosenLocale } from "@/lib/i18n/choice";

/** The page frame every screen shares: brand, one card, a footer. Screens pass their content. */
export async function Shell({ title, intro, children, footer }: { title: string; intro?: React.ReactNode; children?: React.ReactNode; footer?: React.ReactNode }) {
  const [t, negotiated, brand, chosen, flow] = await Promise.all([getTranslations("common"), getLocale(), currentBranding(), chosenLocale(), currentFlow()]);
  const locale = chosen === PSEUDO_LOCALE && pseudoEnabled() ? PSEUDO_LOCALE : negotiated;
  return (
    <div className="flex min-h-dvh flex-col items-center px-4 py-8 sm:justify-center sm:py-12">
      <header className="mb-6 flex items-center gap-2 text-fg">
        {/* eslint-disable-next-line @next/next/no-img-element -- a static SVG needs no optimisation */}
        <img src={brand.logoUrl ?? "/icon.svg"} alt="" height={28} width={brand.logoUrl ? undefined : 28} className="h-7 w-auto" />
        <span className="text-lg font-semibold tracking-tight">{brand.name ?? t("brand")}</span>
      </header>
      <main className="w-full max-w-md rounded-brand border border-line bg-card p-6 shadow-sm sm:p-8">
        <h1 id="screen-title" tabIndex={-1} className="text-2xl font-semibold tracking-tight text-fg outline-none">
          {title}
        </h1>
        <FocusOnArrival targetId="screen-title" />
        {intro ? <div className="mt-2 text-base leading-relaxed text-muted">{intro}</div> : null}
        {children ? <div className="mt-6">{children}</div> : null}
        {flow.ok && flow.flow.status === "active" ? (
          <div className="mt-4">
            <SessionTimer expiresAt={flow.flow.expiresAt} leftMs={Math.max(0, flow.flow.expiresAt - Date.now())} action={extendSignIn} labels={{ warning: t("timeoutWarning", { time: "{time}" }), extend: t("extend") }} />
          </div>
        ) : null}
      </main>
      <footer className="mt-6 flex w-full max-w-md flex-col items-center gap-3 text-sm text-muted">
        {footer}
        <LanguageSwitcher action={setLocale} current={locale} locales={[...LOCALES.map((code) => ({ code, name: LOCALE_NAMES[code] })), ...(pseudoEnabled() ? [{ code: PSEUDO_LOCALE, name: "Pseudo (en-XA)" }] : [])]} label={t("language")} apply={t("applyLanguage")} />
        {brand.supportUrl || brand.termsUrl || brand.privacyUrl ? (
          <nav aria-label={t("links")} className="flex flex-wrap justify-center gap-x-4 gap-y-1">
            {brand.supportUrl ? <a className="underline underline-offset-4" href={brand.supportUrl}>{t("support")}</a> : null}
            {brand.termsUrl ? <a className="underline underline-offset-4" href={brand.termsUrl}>{t("terms")}</a> : null}
            {brand.privacyUrl ? <a className="underline underline-offset-4" href={brand.privacyUrl}>{t("privacy")}</a> : null}
          </nav>
        ) : null}
        <p>{t("securedBy")}</p>
      </footer>
    </div>
  );
}
