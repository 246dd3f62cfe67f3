import { reactScreen } from "@/lib/flow/guard";
import { getTranslations } from "next-intl/server";
import { Alert } from "@/components/Alert";
import { Button } from "@/components/Button";
import { Text } from "@/components/Text";
import { Shell } from "@/app/_ui/Shell";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { findByRestoreToken } from "@/lib/recovery/requests";
import { restoreOldFactors } from "./actions";

/**
 * The restore link sent when a self-service recovery completed: within the grace period it turns
 * the old sign-in methods back on. A GET shows one button; only its POST restores.
 */
async function RestoreFactorsPage({ params, searchParams }: { params: Promise<{ token: string }>; searchParams: Promise<{ done?: string }> }) {
  const [{ token }, { done }] = await Promise.all([params, searchParams]);
  const t = await getTranslations("selfRecovery");
  if (done === "1") {
    return (
      <Shell title={t("restoreTitle")}>
        <Text data-testid="recovery-restore-result">{t("restoreDone")}</Text>
      </Shell>
    );
  }
  const row = await findByRestoreToken(db(), env().keys, token, Date.now());
  if (!row) {
    return (
      <Shell title={t("restoreTitle")}>
        <Alert>{t("linkInvalid")}</Alert>
      </Shell>
    );
  }
  return (
    <Shell title={t("restoreTitle")} intro={t("restoreIntro")}>
      <form action={restoreOldFactors.bind(null, token)}>
        <Button type="submit">{t("restoreButton")}</Button>
      </form>
    </Shell>
  );
}

export default reactScreen(RestoreFactorsPage);
