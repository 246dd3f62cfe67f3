import type { FactorId } from "@/lib/factors/registry";
import { options } from "@/lib/flow/next-step";
import { flowTexts } from "@/lib/flow/texts";
import { formatReadyAt } from "@/lib/recovery/format";
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
  /** A self-service recovery request is open for this account: when it was made, and that a sign-in here cancels it. */
  recoveryNotice: string | null;
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
    recoveryNotice:
      s.factors.recoveryOpenSince !== undefined && s.step.kind === "challenge" && !s.step.gate ? s.t("selfRecovery")("notice", { date: formatReadyAt(s.factors.recoveryOpenSince, s.locale) }) : null,
    code: { label: common("codeLabel"), submit: common("verify"), pending: common("verifying") },
  };
}
