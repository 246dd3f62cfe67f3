import type { Translate } from "@/lib/i18n/translate";
import type { Flow } from "./types";

/**
 * The flow's own words on a challenge screen, for both kinds of screen: why the user is asked
 * (from the policy rule that matched, when explaining is on), the "remember this device" offer
 * where the policy makes it, "This wasn't me" and cancel. `policy` and `common` are those namespaces.
 */
export function flowTexts(flow: Flow, policy: Translate, common: Translate): { why: string | null; remember: string | null; notMe: string; cancel: string } {
  const p = flow.context.policy;
  return {
    why: p?.reason ? policy(`why.${p.reason}`) : null,
    remember: p?.canRemember && !flow.pending.verified ? policy("remember", { days: p.rememberDays }) : null,
    notMe: policy("notMe"),
    cancel: common("cancel"),
  };
}
