import { listActive } from "@/lib/factors/authenticators";
import { factorLabels } from "@/lib/factors/labels";
import type { WebAuthnFactor } from "@/lib/factors/webauthn/factor";
import type { WebAuthnLabels } from "@/lib/flow/results";
import { type ChallengeParts, challengeParts } from "./challenge";
import { htmlOnlyScreen } from "./screen";

export interface WebAuthnChallengeView {
  factor: WebAuthnFactor;
  title: string;
  intro: string;
  keys: { label: string; keys: Array<{ id: string; name: string; kind: string }> };
  labels: WebAuthnLabels;
  parts: ChallengeParts;
}

/**
 * getServerSideProps of a passkey or security-key challenge (pages/webauthn-*.tsx): the keys this
 * screen accepts, and one button. The ceremony runs in the browser (client/webauthn.ts) against
 * the one WebAuthn API, /api/webauthn/<factor>.
 */
export function webauthnChallengeProps(factor: WebAuthnFactor) {
  return htmlOnlyScreen<WebAuthnChallengeView>({
    here: (step) => step.kind === "challenge" && step.factor === factor,
    view: async (s) => {
      const t = s.t("webauthn");
      const names = factorLabels(s.t(""));
      // Which of the user's keys this screen will accept, and whether each is synced or on one device.
      const rows = await listActive(s.ctx.db, { tenant: s.ctx.flow.tenant, sub: s.ctx.flow.sub }, factor);
      return {
        factor,
        title: t(`${factor}.title`),
        intro: t(`${factor}.intro`),
        keys: { label: t("yourKeys"), keys: rows.map((k) => ({ id: k.id, name: k.label || names.name(factor), kind: k.backed_up ? t("synced") : t("deviceOnly") })) },
        labels: { button: t(`${factor}.button`), working: t("working"), cancelled: t("cancelled"), failed: t("failed"), unsupported: t("unsupported") },
        parts: challengeParts(s, factor),
      };
    },
    title: (v) => v.title,
    scripts: ["webauthn.js"],
  });
}
