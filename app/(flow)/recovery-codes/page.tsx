import { getTranslations } from "next-intl/server";
import { Alert } from "@/components/Alert";
import { Button } from "@/components/Button";
import { RecoveryCodesView } from "@/components/RecoveryCodesView";
import { Shell } from "@/app/_ui/Shell";
import { RECOVERY_LOW_WATER, remainingRecoveryCodes } from "@/lib/factors/recovery-code/factor";
import { reactScreen, requireStep } from "@/lib/flow/guard";
import { sealedCodes } from "@/lib/flow/recovery";
import { confirmSaved, continueFromCodes } from "./actions";
import { regenerateRecoveryCodes } from "@/app/(flow)/_ui/recovery-actions";

/**
 * The recovery-codes step (nextStep decides when): codes issued in this flow, shown once until
 * the user says they saved them; or, after a recovery code was used, how many remain, with a new
 * set one tap away. Rendering changes nothing: codes are issued by the transition or the action.
 */
async function RecoveryCodesPage() {
  const { ctx, step } = await requireStep("recovery-codes");
  const t = await getTranslations("recovery");
  const codes = sealedCodes(ctx);
  if (codes) {
    return (
      <Shell title={t("title")} intro={t("intro")}>
        <RecoveryCodesView
          codes={codes}
          action={confirmSaved}
          labels={{
            copy: t("copy"),
            copied: t("copied"),
            download: t("download"),
            print: t("print"),
            saved: t("saved"),
            continue: t("continue"),
            fileHeading: t("fileHeading", { brand: ctx.env.brand.name }),
          }}
        />
      </Shell>
    );
  }
  const remaining = await remainingRecoveryCodes(ctx.db, { tenant: ctx.flow.tenant, sub: ctx.flow.sub });
  return (
    <Shell title={t("usedTitle")} intro={t("remaining", { count: remaining })}>
      <div className="flex flex-col gap-4">
        {remaining <= RECOVERY_LOW_WATER ? <Alert>{t("low")}</Alert> : null}
        {step.regenerate ? (
          <form action={regenerateRecoveryCodes}>
            <Button type="submit" variant="secondary">
              {t("regenerate")}
            </Button>
          </form>
        ) : null}
        <form action={continueFromCodes}>
          <Button type="submit">{t("continue")}</Button>
        </form>
      </div>
    </Shell>
  );
}

export default reactScreen(RecoveryCodesPage);
