import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { getCountries, getCountryCallingCode, type CountryCode } from "libphonenumber-js/max";
import { Button } from "@/components/Button";
import { CancelForm } from "@/app/(flow)/_ui/CancelForm";
import { CodeForm } from "@/components/CodeForm";
import { DestinationForm, type Country } from "@/components/DestinationForm";
import { ResendForm } from "@/components/ResendForm";
import { Shell } from "@/app/_ui/Shell";
import { TryAnother } from "@/app/(flow)/_ui/TryAnother";
import { allowedCountries, channelFactor, type ChannelEnrollView } from "@/lib/factors/channel";
import { factorLabels } from "@/lib/factors/labels";
import { channelSpec, descriptor, isChannelId, STRONGER_THAN_SMS, type ChannelId, type FactorId } from "@/lib/factors/registry";
import { reactScreen, requireStep } from "@/lib/flow/guard";
import { options } from "@/lib/flow/next-step";
import type { Env } from "@/lib/env";
import { changeDestination, resendChannelCode, startChannelSetup, submitChannelCode } from "../actions";
import { appTranslator } from "@/lib/i18n/app";
import { INLINE_LINK, Text } from "@/components/Text";

/** Allowed countries, named in the user's language, with the default from the token or locale. */
function countryChoices(channel: ChannelId, env: Env, locale: string, hint: string | undefined): { countries: Country[]; defaultCountry: string } {
  const allowed = allowedCountries(channel, env);
  const names = new Intl.DisplayNames([locale], { type: "region" });
  const countries = getCountries()
    .filter((c) => allowed.includes("*") || allowed.includes(c))
    .map((c) => ({ code: c, name: names.of(c) ?? c, dial: getCountryCallingCode(c as CountryCode) }))
    .sort((a, b) => a.name.localeCompare(b.name, locale));
  const region = hint?.toUpperCase() ?? new Intl.Locale(locale).maximize().region;
  return { countries, defaultCountry: countries.find((c) => c.code === region)?.code ?? countries[0]?.code ?? "US" };
}

/**
 * The honest line about SMS before a number is given (NIST SP 800-63B-4 treats SMS as
 * restricted), with the stronger setups this flow allows one tap away. Passkey rows carry
 * `webauthn-only`, which the inline WebAuthn probe hides on browsers that cannot make one.
 */
async function SmsRisk({ channel, stronger }: { channel: ChannelId; stronger: FactorId[] }) {
  const [t, names] = await Promise.all([getTranslations(`channel.${channel}` as "channel.phone"), appTranslator().then(factorLabels)]);
  return (
    <section data-testid="sms-risk" className="flex flex-col gap-1 text-sm">
      <Text tone="muted" className="m-0">
        {t(stronger.length > 0 ? "risk" : "riskOnly")}
      </Text>
      <div className="flex flex-wrap gap-x-4 gap-y-1">
        {stronger.map((f) => (
          <form key={f} action="/choose" method="post" className={f.startsWith("webauthn") ? "webauthn-only" : undefined}>
            <input type="hidden" name="factor" value={f} />
            <input type="hidden" name="mode" value="enroll" />
            <button type="submit" className={INLINE_LINK}>
              {t("useInstead", { method: names.name(f) })}
            </button>
          </form>
        ))}
      </div>
    </section>
  );
}

/** Channel setup (email, SMS…): first the address or number, then the code sent to it. */
async function ChannelSetupPage({ params }: { params: Promise<{ channel: string }> }) {
  const { channel: raw } = await params;
  if (!isChannelId(raw)) notFound();
  const channel = raw;
  const { ctx, factors } = await requireStep("enroll", channel);
  const [t, common, view] = await Promise.all([getTranslations("channel"), getTranslations("common"), channelFactor(channel).beginEnroll(ctx) as Promise<ChannelEnrollView>]);
  const claims = ctx.flow.context.claims;
  const locale = claims.locale ?? "en";
  const phone = channelSpec(channel).destination === "phone";
  const countries = phone ? countryChoices(channel, ctx.env, locale, claims.country) : null;

  return (
    <Shell title={t(`${channel}.setupTitle`)} intro={view.stage === "code" ? t(`${channel}.intro`, { destination: view.masked ?? "" }) : t(`${channel}.setupIntro`)} footer={<CancelForm />}>
      <div className="flex flex-col gap-4">
        {view.stage === "destination" ? (
          <DestinationForm
            action={startChannelSetup.bind(null, channel)}
            kind={channelSpec(channel).destination}
            label={t(`${channel}.destinationLabel`)}
            countryLabel={phone ? t("phone.countryLabel") : undefined}
            countries={countries?.countries}
            defaultCountry={countries?.defaultCountry}
            submit={t("send")}
            pending={t("sending")}
          />
        ) : (
          <>
            <CodeForm action={submitChannelCode.bind(null, channel)} label={common("codeLabel")} submit={common("verify")} pending={common("verifying")} />
            <ResendForm
              action={resendChannelCode.bind(null, channel)}
              resendAt={view.resendAt ?? 0}
              resendIn={Math.max(0, (view.resendAt ?? 0) - Date.now())}
              label={t("resend")}
              waitLabel={t("resendIn", { seconds: "{seconds}" })}
            />
            <form action={changeDestination.bind(null, channel)}>
              <Button type="submit" variant="link" className="w-full">
                {t("changeDestination")}
              </Button>
            </form>
          </>
        )}
        {view.stage === "destination" && descriptor(channel).restricted ? (
          <SmsRisk channel={channel} stronger={options(ctx.flow, factors).enroll.filter((f) => STRONGER_THAN_SMS.includes(f))} />
        ) : null}
        <TryAnother flow={ctx.flow} factors={factors} />
      </div>
    </Shell>
  );
}

export default reactScreen(ChannelSetupPage);
