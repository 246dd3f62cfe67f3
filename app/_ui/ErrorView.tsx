import { getTranslations } from "next-intl/server";
import { Alert } from "@/components/Alert";
import { Shell } from "@/app/_ui/Shell";
import type { ErrorReason } from "@/lib/errors";
import { Text } from "@/components/Text";

/** The friendly error screen: what happened, in plain words, and the way back. */
export async function ErrorView({ reason }: { reason: ErrorReason }) {
  const t = await getTranslations("error");
  return (
    <Shell title={t("title")}>
      <div className="flex flex-col gap-4" data-testid="error" data-reason={reason}>
        <Alert>{t(`reasons.${reason}`)}</Alert>
        <Text tone="muted">{t("back")}</Text>
      </div>
    </Shell>
  );
}
