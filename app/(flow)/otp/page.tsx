import { getTranslations } from "next-intl/server";
import { ChallengeFooter, RememberDevice } from "@/app/(flow)/_ui/FlowExtras";
import { CodeForm } from "@/components/CodeForm";
import { Shell } from "@/app/_ui/Shell";
import { TryAnother } from "@/app/(flow)/_ui/TryAnother";
import { requireStep } from "@/lib/flow/guard";
import { submitOtpCode } from "./actions";

export default async function OtpChallengePage() {
  const { ctx, factors } = await requireStep("challenge", "otp");
  const [t, common] = await Promise.all([getTranslations("otpChallenge"), getTranslations("common")]);
  const account = ctx.flow.context.claims.email ?? ctx.flow.context.claims.name ?? ctx.flow.sub;
  return (
    <Shell title={t("title")} intro={t("intro", { account })} footer={<ChallengeFooter flow={ctx.flow} />}>
      <div className="flex flex-col gap-4">
        <CodeForm action={submitOtpCode} label={common("codeLabel")} submit={common("verify")} pending={common("verifying")} extra={<RememberDevice flow={ctx.flow} />} />
        <TryAnother flow={ctx.flow} factors={factors} />
      </div>
    </Shell>
  );
}
