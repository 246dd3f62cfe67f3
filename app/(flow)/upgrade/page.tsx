import { getTranslations } from "next-intl/server";
import { Button } from "@/components/Button";
import { PlatformOnly } from "@/components/PlatformOnly";
import { Shell } from "@/app/_ui/Shell";
import { WebAuthnButton } from "@/components/WebAuthnButton";
import { reactScreen, requireStep } from "@/lib/flow/guard";
import { dismissUpgrade, skipUpgrade } from "./actions";

/** The passkey offer (nextStep's `offer-passkey`): "Sign in faster next time with a passkey", skippable. */
async function UpgradePage() {
  await requireStep("offer-passkey");
  const [t, w] = await Promise.all([getTranslations("upgrade"), getTranslations("webauthn")]);
  return (
    <Shell title={t("title")} intro={t("intro")}>
      <PlatformOnly
        otherwise={
          <form action={skipUpgrade}>
            <Button type="submit">{t("continue")}</Button>
          </form>
        }
      >
        <div className="flex flex-col gap-3">
          <WebAuthnButton
            mode="enroll"
            endpoint="/api/webauthn/webauthn-platform"
            labels={{ button: t("create"), working: w("working"), cancelled: w("cancelled"), failed: w("failed"), unsupported: w("unsupported") }}
          />
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

export default reactScreen(UpgradePage);
