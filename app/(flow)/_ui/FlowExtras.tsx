import { getTranslations } from "next-intl/server";
import { reportNotMe } from "@/app/(flow)/_ui/actions";
import type { Flow } from "@/lib/flow/types";
import { Button } from "@/components/Button";
import { CancelForm } from "./CancelForm";

/**
 * The foot of every challenge screen: why the user is asked (from the policy rule that matched,
 * when explaining is on), "This wasn't me", and cancel.
 */
export async function ChallengeFooter({ flow }: { flow: Flow }) {
  const t = await getTranslations("policy");
  const reason = flow.context.policy?.reason;
  return (
    <div className="flex flex-col items-center gap-1">
      {reason ? (
        <p className="text-center text-sm text-muted" data-testid="why-asked">
          {t(`why.${reason}` as "why.policy")}
        </p>
      ) : null}
      <form action={reportNotMe}>
        <Button type="submit" variant="link">
          {t("notMe")}
        </Button>
      </form>
      <CancelForm />
    </div>
  );
}

/** "Don't ask again on this device for N days", where the policy offers it. Part of the code form. */
export async function RememberDevice({ flow }: { flow: Flow }) {
  const policy = flow.context.policy;
  if (!policy?.canRemember || flow.pending.verified) return null;
  const t = await getTranslations("policy");
  return (
    <label className="flex items-center gap-3 text-sm text-fg">
      <input type="checkbox" name="remember" id="remember" className="size-5 accent-primary" />
      {t("remember", { days: policy.rememberDays })}
    </label>
  );
}

/** On the email check before a first setup: why this code comes first. */
export async function GateNotice() {
  const t = await getTranslations("policy");
  return (
    <p className="rounded-brand border border-line bg-page px-4 py-3 text-sm text-fg" data-testid="gate-notice">
      {t("gate")}
    </p>
  );
}
