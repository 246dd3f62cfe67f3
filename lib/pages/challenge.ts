import type { FactorId } from "@/lib/factors/registry";
import { options } from "@/lib/flow/next-step";
import { flowTexts } from "@/lib/flow/texts";
import { offersRecovery } from "@/lib/recovery/offer";
import type { Screen } from "./screen";

/** What every HTML-only challenge screen shows around its own part, already translated. */
export interface ChallengeParts {
  footer: { why: string | null; notMe: string; cancel: string };
  /** "Don't ask again on this device", where the policy offers it. */
  remember: string | null;
  /** "Try another method" (when there is another), and the recovery code where the user has one. */
  tryAnother: { label: string; recovery: string | null } | null;
  /** "I can't use any of my methods" (self-service recovery), unless policy turns it off. */
  lost: string | null;
  code: { label: string; submit: string; pending: string };
}

/** `current`: the screen's factor (the recovery-code screen does not offer itself). */
export function challengeParts(s: Screen, current?: FactorId): ChallengeParts {
  const common = s.t("common");
  const texts = flowTexts(s.ctx.flow, s.t("policy"), common);
  const o = options(s.ctx.flow, s.factors);
  return {
    footer: { why: texts.why, notMe: texts.notMe, cancel: texts.cancel },
    remember: texts.remember,
    tryAnother:
      o.challenge.length + o.enroll.length >= 2
        ? { label: common("tryAnother"), recovery: o.challenge.includes("recovery-code") && current !== "recovery-code" ? s.t("recovery")("use") : null }
        : null,
    lost: offersRecovery(s.ctx.flow, s.factors) ? s.t("selfRecovery")("lost") : null,
    code: { label: common("codeLabel"), submit: common("verify"), pending: common("verifying") },
  };
}
