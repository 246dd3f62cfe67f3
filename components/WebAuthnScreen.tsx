import { getTranslations } from "next-intl/server";
import { webauthnFinish, webauthnOptions } from "@/app/(flow)/webauthn-platform/actions";
import { requireStep, userFactors } from "@/lib/flow/guard";
import type { WebAuthnFactor } from "@/lib/factors/webauthn";
import { CancelForm } from "./CancelForm";
import { Shell } from "./Shell";
import { TryAnother } from "./TryAnother";
import { WebAuthnButton } from "./WebAuthnButton";

/** Passkey or security-key setup and challenge: the same screen, one button. */
export async function WebAuthnScreen({ factor, mode }: { factor: WebAuthnFactor; mode: "enroll" | "challenge" }) {
  const { ctx } = await requireStep(mode, factor);
  const t = await getTranslations("webauthn");
  const setup = mode === "enroll";
  return (
    <Shell title={t(`${factor}.${setup ? "setupTitle" : "title"}`)} intro={t(`${factor}.${setup ? "setupIntro" : "intro"}`)} footer={<CancelForm />}>
      <div className="flex flex-col gap-4">
        <WebAuthnButton
          mode={setup ? "register" : "authenticate"}
          begin={webauthnOptions.bind(null, factor)}
          finish={webauthnFinish.bind(null, factor)}
          labels={{ button: t(`${factor}.${setup ? "setupButton" : "button"}`), working: t("working"), cancelled: t("cancelled"), failed: t("failed"), unsupported: t("unsupported") }}
        />
        <TryAnother factors={await userFactors(ctx.flow)} />
      </div>
    </Shell>
  );
}
