import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { Alert } from "@/components/Alert";
import { Button, ButtonLink } from "@/components/Button";
import { RecoveryCodesView } from "@/components/RecoveryCodesView";
import { Shell } from "@/components/Shell";
import { failPage } from "@/lib/errors";
import { RECOVERY_LOW_WATER, remainingRecoveryCodes } from "@/lib/factors/recovery";
import type { FactorId } from "@/lib/factors/ids";
import { currentFlow } from "@/lib/flow/context";
import { flowCtx } from "@/lib/flow/guard";
import { sealNewCodes, sealedCodes } from "@/lib/flow/recovery";
import { offerPath } from "@/lib/flow/upgrade";
import { canManage } from "@/lib/flow/manage";
import { confirmSaved, regenerateRecoveryCodes } from "./actions";

/**
 * Recovery codes after a first setup (issued here, shown once), or after one was used (how many
 * remain, and a fresh set on request).
 */
export default async function RecoveryCodesPage() {
  const lookup = await currentFlow();
  if (!lookup.ok) failPage(lookup.reason);
  const ctx = flowCtx(lookup.flow);
  const managing = canManage(ctx);
  if (ctx.flow.outcome !== "success" && !managing) redirect("/continue");
  const t = await getTranslations("recovery");
  const user = { host: ctx.flow.host, sub: ctx.flow.sub };
  const used = ctx.flow.result?.amr.includes("recovery-code") ?? false;
  const next = managing ? "/manage" : await offerPath(ctx.flow, ctx.flow.result?.amr[0] as FactorId | undefined);

  let codes = sealedCodes(ctx);
  if (!codes && !used) {
    if ((await remainingRecoveryCodes(ctx.db, user)) > 0) redirect(next);
    codes = await sealNewCodes(ctx);
  }
  if (codes) {
    return (
      <Shell title={t("title")} intro={t("intro")}>
        <RecoveryCodesView
          codes={codes}
          action={confirmSaved}
          labels={{ copy: t("copy"), copied: t("copied"), download: t("download"), print: t("print"), saved: t("saved"), continue: t("continue"), fileHeading: t("fileHeading", { brand: ctx.env.brand.name }) }}
        />
      </Shell>
    );
  }
  const remaining = await remainingRecoveryCodes(ctx.db, user);
  return (
    <Shell title={t("usedTitle")} intro={t("remaining", { count: remaining })}>
      <div className="flex flex-col gap-4">
        {remaining <= RECOVERY_LOW_WATER ? <Alert>{t("low")}</Alert> : null}
        <form action={regenerateRecoveryCodes}>
          <Button type="submit" variant="secondary">
            {t("regenerate")}
          </Button>
        </form>
        <ButtonLink href={next}>{t("continue")}</ButtonLink>
      </div>
    </Shell>
  );
}
