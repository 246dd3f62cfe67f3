import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { Button } from "@/components/Button";
import { PlatformOnly } from "@/components/PlatformOnly";
import { Shell } from "@/components/Shell";
import { WebAuthnButton } from "@/components/WebAuthnButton";
import { audit } from "@/lib/audit";
import { failPage } from "@/lib/errors";
import { currentFlow } from "@/lib/flow/context";
import { flowCtx, userFactors } from "@/lib/flow/guard";
import { UPGRADE_LATER_COOKIE } from "@/lib/flow/upgrade";
import { dismissUpgrade, upgradeFinish, upgradeOptions } from "./actions";

/** After success with another factor: "Sign in faster next time with a passkey", skippable. */
export default async function UpgradePage() {
  const lookup = await currentFlow();
  if (!lookup.ok) failPage(lookup.reason);
  const ctx = flowCtx(lookup.flow);
  if (ctx.flow.outcome !== "success" || (await cookies()).has(UPGRADE_LATER_COOKIE)) redirect("/continue");
  if ((await userFactors(ctx.flow)).enrolled.includes("webauthn-platform")) redirect("/continue");
  const [t, w] = await Promise.all([getTranslations("upgrade"), getTranslations("webauthn")]);
  // Impressions, with acceptances and dismissals, let operators measure passkey adoption.
  await audit(ctx.db, { event: "upgrade.shown", auth0Host: ctx.flow.host, sub: ctx.flow.sub, flowId: ctx.flow.id, factor: "webauthn-platform", ip: ctx.flow.context.ip, userAgent: ctx.flow.context.userAgent });
  return (
    <Shell title={t("title")} intro={t("intro")}>
      <PlatformOnly fallback="/continue" label={t("continue")}>
        <div className="flex flex-col gap-3">
          <WebAuthnButton mode="register" begin={upgradeOptions} finish={upgradeFinish} labels={{ button: t("create"), working: w("working"), cancelled: w("cancelled"), failed: w("failed"), unsupported: w("unsupported") }} />
          <form action={dismissUpgrade}>
            <Button type="submit" variant="secondary">
              {t("notNow")}
            </Button>
          </form>
        </div>
      </PlatformOnly>
    </Shell>
  );
}
