import { reactScreen } from "@/lib/flow/guard";
import { getFormatter, getTranslations } from "next-intl/server";
import { Button } from "@/components/Button";
import { NumberMatchForm } from "@/components/NumberMatchForm";
import { Shell } from "@/app/_ui/Shell";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { failPage } from "@/lib/errors";
import { findLink } from "@/lib/factors/magic-link/factor";
import { currentFlow } from "@/lib/flow/context";
import { describeDevice } from "@/lib/flow/magic";
import { findFlow } from "@/lib/flow/repo";
import { confirmMagicLink } from "./actions";
import { Text } from "@/components/Text";

/**
 * The page a sign-in link opens. A GET never approves anything (mail scanners and link previews
 * fetch links): it shows what is being approved and waits for a POST.
 */
async function MagicLinkConfirmPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const found = await findLink(db(), env().keys, token, Date.now());
  if (!found.ok) failPage(`link_${found.reason}`);
  const flow = await findFlow(db(), found.link.flow_id);
  if (!flow || flow.status !== "active") failPage("link_used");
  const mine = await currentFlow();
  const sameBrowser = mine.ok && mine.flow.id === flow.id;
  const [t, format] = await Promise.all([getTranslations("magic"), getFormatter()]);
  const app = flow.context.claims.client_name ?? env().brand.name;
  const confirm = confirmMagicLink.bind(null, token);
  return (
    <Shell title={t("confirmTitle")} intro={t("confirmIntro", { app })}>
      <div className="flex flex-col gap-6">
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
          <Text as="dt" tone="muted">
            {t("detailApp")}
          </Text>
          <Text as="dd" className="font-medium">
            {app}
          </Text>
          <Text as="dt" tone="muted">
            {t("detailDevice")}
          </Text>
          <Text as="dd" className="font-medium">
            {describeDevice(flow.context.userAgent) ?? t("unknownDevice")}
          </Text>
          <Text as="dt" tone="muted">
            {t("detailTime")}
          </Text>
          <Text as="dd" className="font-medium">
            {format.dateTime(new Date(flow.createdAt), { year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short" })}
          </Text>
        </dl>
        {sameBrowser ? (
          <form action={confirm}>
            <Button type="submit">{t("confirm")}</Button>
          </form>
        ) : (
          // Another device types the number the waiting tab shows: a guess is 1 in 900, and a
          // wrong one ends this link and counts against the sign-in.
          <NumberMatchForm action={confirm} label={t("numberInputLabel")} help={t("numberInputHelp")} submit={t("approve")} />
        )}
      </div>
    </Shell>
  );
}

export default reactScreen(MagicLinkConfirmPage);
