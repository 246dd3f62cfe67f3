import { getTranslations } from "next-intl/server";
import { ChallengeFooter, RememberDevice } from "@/app/(flow)/_ui/FlowExtras";
import { CodeForm } from "@/components/CodeForm";
import { Shell } from "@/app/_ui/Shell";
import { requireStep } from "@/lib/flow/guard";
import { submitRecoveryCode } from "./actions";

export default async function RecoveryCodeChallengePage() {
  const { ctx } = await requireStep("challenge", "recovery-code");
  const [t, common] = await Promise.all([getTranslations("recovery"), getTranslations("common")]);
  return (
    <Shell title={t("challengeTitle")} intro={t("challengeIntro")} footer={<ChallengeFooter flow={ctx.flow} />}>
      <div className="flex flex-col gap-4">
        <CodeForm action={submitRecoveryCode} label={t("codeLabel")} submit={common("verify")} pending={common("verifying")} kind="text" extra={<RememberDevice flow={ctx.flow} />} />
        <a href="/choose" className="text-center text-sm font-medium text-primary underline underline-offset-4">
          {common("tryAnother")}
        </a>
      </div>
    </Shell>
  );
}
