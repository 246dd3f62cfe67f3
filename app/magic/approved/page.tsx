import { reactScreen } from "@/lib/flow/guard";
import { getTranslations } from "next-intl/server";
import { Shell } from "@/app/_ui/Shell";

/** Shown on the other device after a confirmed link. */
async function ApprovedPage() {
  const t = await getTranslations("magic");
  return <Shell title={t("approvedTitle")} intro={t("approvedBody")} />;
}

export default reactScreen(ApprovedPage);
