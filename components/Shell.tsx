import { getTranslations } from "next-intl/server";

/** The page frame every screen shares: brand, one card, a footer. Screens pass their content. */
export async function Shell({ title, intro, children, footer }: { title: string; intro?: React.ReactNode; children?: React.ReactNode; footer?: React.ReactNode }) {
  const t = await getTranslations("common");
  return (
    <div className="flex min-h-dvh flex-col items-center px-4 py-8 sm:justify-center sm:py-12">
      <header className="mb-6 flex items-center gap-2 text-fg">
        {/* eslint-disable-next-line @next/next/no-img-element -- a static SVG needs no optimisation */}
        <img src="/icon.svg" alt="" width={28} height={28} />
        <span className="text-lg font-semibold tracking-tight">{t("brand")}</span>
      </header>
      <main className="w-full max-w-md rounded-brand border border-line bg-card p-6 shadow-sm sm:p-8">
        <h1 className="text-2xl font-semibold tracking-tight text-fg">{title}</h1>
        {intro ? <div className="mt-2 text-base leading-relaxed text-muted">{intro}</div> : null}
        {children ? <div className="mt-6">{children}</div> : null}
      </main>
      <footer className="mt-6 flex w-full max-w-md flex-col items-center gap-3 text-sm text-muted">
        {footer}
        <p>{t("securedBy")}</p>
      </footer>
    </div>
  );
}
