import { reactScreen } from "@/lib/flow/guard";
import { getTranslations } from "next-intl/server";
import { Alert } from "@/components/Alert";
import { Button } from "@/components/Button";
import { Text } from "@/components/Text";
import { Shell } from "@/app/_ui/Shell";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { findByCancelToken, phaseOf } from "@/lib/recovery/requests";
import { cancelRecoveryRequest } from "./actions";

/**
 * "This wasn't me — cancel", the link in every recovery notice. A GET never cancels (mail scanners
 * and link previews fetch links): it shows one button, whose POST does.
 */
async function CancelRecoveryPage({ params, searchParams }: { params: Promise<{ token: string }>; searchParams: Promise<{ done?: string }> }) {
  const [{ token }, { done }] = await Promise.all([params, searchParams]);
  const t = await getTranslations("selfRecovery");
  const row = await findByCancelToken(db(), env().keys, token);
  if (!row) {
    return (
      <Shell title={t("cancelTitle")}>
        <Alert>{t("linkInvalid")}</Alert>
      </Shell>
    );
  }
  const phase = phaseOf(row, Date.now());
  if (phase !== "pending" && phase !== "ready") {
    return (
      <Shell title={t("cancelTitle")}>
        <Text data-testid="recovery-cancel-result">{row.status === "cancelled" && done === "1" ? t("cancelDone") : t("cancelClosed")}</Text>
      </Shell>
    );
  }
  return (
    <Shell title={t("cancelTitle")} intro={t("cancelIntro")}>
      <form action={cancelRecoveryRequest.bind(null, token)}>
        <Button type="submit">{t("cancelButton")}</Button>
      </form>
    </Shell>
  );
}

export default reactScreen(CancelRecoveryPage);
