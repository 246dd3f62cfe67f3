import { FocusOnArrival } from "@/components/FocusOnArrival";
import { LanguageSwitcher } from "@/components/LanguageSwitcher";
import type { FrameData } from "@/lib/frame";
import { Surface, Text } from "@/components/Text";

/**
 * The page frame every screen shares: brand, one card, the footer with the language menu and the
 * deployment's links. React screens get it through app/_ui/Shell.tsx, HTML-only screens (pages/)
 * through lib/pages/screen.ts; both pass what the forms post to (a server action or their own URL).
 */
export function Frame({
  data,
  title,
  intro,
  children,
  footer,
  timer,
  localeAction,
  wide = false,
}: {
  data: FrameData;
  title: string;
  intro?: React.ReactNode;
  children?: React.ReactNode;
  footer?: React.ReactNode;
  /** The time-limit warning of a running flow. */
  timer?: React.ReactNode;
  localeAction: string | ((form: FormData) => Promise<void>);
  /** A work page (the support console): a wider card on large screens; phones see no difference. */
  wide?: boolean;
}) {
  const { brand, labels } = data;
  return (
    <div className="flex min-h-dvh flex-col items-center px-4 py-8 sm:justify-center sm:py-12">
      <Text as="header" className="mb-6 flex items-center gap-2">
        {/* eslint-disable-next-line @next/next/no-img-element -- a static SVG needs no optimisation */}
        <img src={brand.logoUrl ?? "/icon.svg"} alt="" height={28} width={brand.logoUrl ? undefined : 28} className="h-7 w-auto" />
        <span className="text-lg font-semibold tracking-tight">{brand.name}</span>
      </Text>
      <Surface as="main" kind="card" className={`w-full ${wide ? "max-w-4xl" : "max-w-md"} p-6 shadow-sm sm:p-8`}>
        <Text as="h1" id="screen-title" tabIndex={-1} className="text-2xl font-semibold tracking-tight outline-none">
          {title}
        </Text>
        <FocusOnArrival targetId="screen-title" />
        {intro ? (
          <Text as="div" tone="muted" className="mt-2 text-base leading-relaxed">
            {intro}
          </Text>
        ) : null}
        {children ? <div className="mt-6">{children}</div> : null}
        {timer ? <div className="mt-4">{timer}</div> : null}
      </Surface>
      <Text as="footer" tone="muted" className="mt-6 flex w-full max-w-md flex-col items-center gap-3 text-sm">
        {footer}
        <LanguageSwitcher action={localeAction} current={data.languages.current} locales={data.languages.list} label={labels.language} apply={labels.apply} />
        {brand.supportUrl || brand.termsUrl || brand.privacyUrl ? (
          <nav aria-label={labels.links} className="flex flex-wrap justify-center gap-x-4 gap-y-1">
            {brand.supportUrl ? (
              <a className="underline underline-offset-4" href={brand.supportUrl}>
                {labels.support}
              </a>
            ) : null}
            {brand.termsUrl ? (
              <a className="underline underline-offset-4" href={brand.termsUrl}>
                {labels.terms}
              </a>
            ) : null}
            {brand.privacyUrl ? (
              <a className="underline underline-offset-4" href={brand.privacyUrl}>
                {labels.privacy}
              </a>
            ) : null}
          </nav>
        ) : null}
        <p>{labels.securedBy}</p>
      </Text>
    </div>
  );
}
