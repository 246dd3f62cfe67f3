import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { getCountries, getCountryCallingCode, type CountryCode } from "libphonenumber-js/max";
import { Button } from "@/components/Button";
import { CancelForm } from "@/components/CancelForm";
import { CodeForm } from "@/components/CodeForm";
import { DestinationForm, type Country } from "@/components/DestinationForm";
import { ResendForm } from "@/components/ResendForm";
import { Shell } from "@/components/Shell";
import { TryAnother } from "@/components/TryAnother";
import { channelFactor, type ChannelSetupView } from "@/lib/factors/channel";
import { requireStep } from "@/lib/flow/guard";
import type { Env } from "@/lib/env";
import { changeDestination, resendChannelCode, startChannelSetup, submitChannelCode } from "../actions";

const CHANNELS = ["email", "phone"] as const;

/** Allowed countries, named in the user's language, with the default from the token or locale. */
function countryChoices(env: Env, locale: string, hint: string | undefined): { countries: Country[]; defaultCountry: string } {
  const allowed = env.sms.provider === "none" ? [] : env.sms.allowedCountries;
  const names = new Intl.DisplayNames([locale], { type: "region" });
  const countries = getCountries()
    .filter((c) => allowed.includes("*") || allowed.includes(c))
    .map((c) => ({ code: c, name: names.of(c) ?? c, dial: getCountryCallingCode(c as CountryCode) }))
    .sort((a, b) => a.name.localeCompare(b.name, locale));
  const region = hint?.toUpperCase() ?? new Intl.Locale(locale).maximize().region;
  return { countries, defaultCountry: countries.find((c) => c.code === region)?.code ?? countries[0]?.code ?? "US" };
}

/** Email or SMS setup: first the address or number, then the code sent to it. */
export default async function ChannelSetupPage({ params }: { params: Promise<{ channel: string }> }) {
  const { channel: raw } = await params;
  const channel = CHANNELS.find((c) => c === raw);
  if (!channel) notFound();
  const { ctx, factors } = await requireStep("enroll", channel);
  const [t, common, view] = await Promise.all([getTranslations("channel"), getTranslations("common"), channelFactor(channel).beginSetup(ctx) as Promise<ChannelSetupView>]);
  const claims = ctx.flow.context.claims;
  const locale = claims.locale ?? "en";
  const countries = channel === "phone" ? countryChoices(ctx.env, locale, claims.country) : null;

  return (
    <Shell title={t(`${channel}.setupTitle`)} intro={view.stage === "code" ? t(`${channel}.intro`, { destination: view.masked ?? "" }) : t(`${channel}.setupIntro`)} footer={<CancelForm />}>
      <div className="flex flex-col gap-4">
        {view.stage === "destination" ? (
          <DestinationForm
            action={startChannelSetup.bind(null, channel)}
            kind={channel}
            label={t(`${channel}.destinationLabel`)}
            countryLabel={channel === "phone" ? t("phone.countryLabel") : undefined}
            countries={countries?.countries}
            defaultCountry={countries?.defaultCountry}
            submit={t("send")}
            pending={t("sending")}
          />
        ) : (
          <>
            <CodeForm action={submitChannelCode.bind(null, channel)} label={common("codeLabel")} submit={common("verify")} pending={common("verifying")} />
            <ResendForm action={resendChannelCode.bind(null, channel)} resendAt={view.resendAt ?? 0} resendIn={Math.max(0, (view.resendAt ?? 0) - Date.now())} label={t("resend")} waitLabel={t("resendIn", { seconds: "{seconds}" })} />
            <form action={changeDestination.bind(null, channel)}>
              <Button type="submit" variant="link" className="w-full">
                {t("changeDestination")}
              </Button>
            </form>
          </>
        )}
        <TryAnother flow={ctx.flow} factors={factors} />
      </div>
    </Shell>
  );
}
