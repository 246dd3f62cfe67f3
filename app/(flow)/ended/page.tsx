import { getTranslations } from "next-intl/server";
import { Alert } from "@/components/Alert";
import { ButtonLink } from "@/components/Button";
import { Shell } from "@/app/_ui/Shell";
import { reactScreen, requireStep } from "@/lib/flow/guard";

/** A flow that ended without success: say why, then hand the `denied` result back to Auth0. */
async function EndedPage() {
  const { step } = await requireStep("ended");
  const t = await getTranslations("ended");
  return (
    <Shell title={t("title")}>
      <div className="flex flex-col gap-6">
        <Alert>{t(step.reason)}</Alert>
        {/* A plain link: /continue is a full page that posts the result to Auth0. */}
        <ButtonLink href="/continue">{t("back")}</ButtonLink>
      </div>
    </Shell>
  );
}

export default reactScreen(EndedPage);
