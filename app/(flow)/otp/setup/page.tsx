import { getTranslations } from "next-intl/server";
import { Alert } from "@/components/Alert";
import { CancelForm } from "@/app/(flow)/_ui/CancelForm";
import { CodeForm } from "@/components/CodeForm";
import { QrCode } from "@/components/QrCode";
import { Shell } from "@/app/_ui/Shell";
import { TryAnother } from "@/app/(flow)/_ui/TryAnother";
import { SecretKey } from "@/components/SecretKey";
import { otpFactor } from "@/lib/factors/otp/factor";
import { groupBase32 } from "@/lib/factors/otp/totp";
import { reactScreen, requireStep } from "@/lib/flow/guard";
import { submitOtpCode } from "./actions";
import { StepNumber, Text } from "@/components/Text";

async function OtpSetupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { ctx, factors } = await requireStep("enroll", "otp");
  const [t, common, view, query] = await Promise.all([getTranslations("otpSetup"), getTranslations("common"), otpFactor.beginEnroll(ctx), searchParams]);
  const account = ctx.flow.context.claims.email ?? ctx.flow.context.claims.name ?? ctx.flow.sub;
  return (
    <Shell title={t("title")} intro={t("intro")} footer={<CancelForm />}>
      {query.expired ? (
        <div className="mb-4">
          <Alert>{common("errors.setup_expired")}</Alert>
        </div>
      ) : null}
      <ol className="flex list-none flex-col gap-6 p-0">
        <li className="flex flex-col gap-4">
          <Text className="font-medium">
            <StepNumber>1</StepNumber>
            {t("step1")}
          </Text>
          <QrCode value={view.uri} label={t("qrAlt", { account })} />
          <Text as="div" tone="muted" className="flex flex-col gap-2 text-sm">
            <p>{t("cantScan")}</p>
            <SecretKey grouped={groupBase32(view.secretBase32)} raw={view.secretBase32} label={t("keyLabel")} copyLabel={t("copy")} copiedLabel={t("copied")} />
          </Text>
        </li>
        <li className="flex flex-col gap-4">
          <Text className="font-medium">
            <StepNumber>2</StepNumber>
            {t("step2")}
          </Text>
          <CodeForm action={submitOtpCode} label={common("codeLabel")} submit={t("submit")} pending={common("verifying")} />
        </li>
      </ol>
      <div className="mt-4 flex justify-center">
        <TryAnother flow={ctx.flow} factors={factors} />
      </div>
    </Shell>
  );
}

export default reactScreen(OtpSetupPage);
