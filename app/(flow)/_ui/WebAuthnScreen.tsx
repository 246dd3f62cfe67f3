import { getTranslations } from "next-intl/server";
import { requireStep } from "@/lib/flow/guard";
import type { WebAuthnFactor } from "@/lib/factors/webauthn/factor";
import { listActive } from "@/lib/factors/authenticators";
import { CancelForm } from "./CancelForm";
import { ChallengeFooter, RememberDevice } from "./FlowExtras";
import { Shell } from "@/app/_ui/Shell";
import { TryAnother } from "./TryAnother";
import { WebAuthnButton } from "@/components/WebAuthnButton";
import { Text } from "@/components/Text";

/** Passkey or security-key setup and challenge: the same screen, one button. */
export async function WebAuthnScreen({ factor, mode }: { factor: WebAuthnFactor; mode: "enroll" | "challenge" }) {
  const { ctx, factors } = await requireStep(mode, factor);
  const t = await getTranslations("webauthn");
  const setup = mode === "enroll";
  // Which of the user's keys this screen will accept, and whether each is synced or on one device.
  const keys = setup ? [] : await listActive(ctx.db, { tenant: ctx.flow.tenant, sub: ctx.flow.sub }, factor);
  return (
    <Shell title={t(`${factor}.${setup ? "setupTitle" : "title"}`)} intro={t(`${factor}.${setup ? "setupIntro" : "intro"}`)} footer={setup ? <CancelForm /> : <ChallengeFooter flow={ctx.flow} />}>
      <div className="flex flex-col gap-4">
        {keys.length ? (
          <Text as="ul" tone="muted" className="flex flex-col gap-1 text-sm" aria-label={t("yourKeys")}>
            {keys.map((k) => (
              <li key={k.id}>
                <Text as="span" className="font-medium">
                  {k.label}
                </Text>{" "}
                · {k.backed_up ? t("synced") : t("deviceOnly")}
              </li>
            ))}
          </Text>
        ) : null}
        {setup ? null : <RememberDevice flow={ctx.flow} />}
        <WebAuthnButton
          mode={setup ? "enroll" : "challenge"}
          endpoint={`/api/webauthn/${factor}`}
          labels={{ button: t(`${factor}.${setup ? "setupButton" : "button"}`), working: t("working"), cancelled: t("cancelled"), failed: t("failed"), unsupported: t("unsupported") }}
        />
        <TryAnother flow={ctx.flow} factors={factors} />
      </div>
    </Shell>
  );
}
