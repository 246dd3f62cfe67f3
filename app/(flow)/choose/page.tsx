import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { CancelForm } from "@/app/(flow)/_ui/CancelForm";
import { Shell } from "@/app/_ui/Shell";
import { failPage } from "@/lib/errors";
import { challengeDestination, mask } from "@/lib/factors/channel";
import { factorLabels } from "@/lib/factors/labels";
import { isChannelId, type FactorId } from "@/lib/factors/registry";
import { currentFlow } from "@/lib/flow/context";
import { flowCtx, userFactors } from "@/lib/flow/guard";
import { nextStep, options, stepPath } from "@/lib/flow/next-step";
import { chooseMethod } from "@/app/(flow)/_ui/choose-actions";

/** The method picker: first-time setup choices, or "Try another method" during a challenge. */
export default async function ChoosePage() {
  const lookup = await currentFlow();
  if (!lookup.ok) failPage(lookup.reason);
  const ctx = flowCtx(lookup.flow);
  const [t, names, uf] = await Promise.all([getTranslations("choose"), factorLabels(), userFactors(ctx.flow)]);
  const o = options(ctx.flow, uf);
  // The picker is the step, or "Try another method" with something else to try; otherwise the step itself.
  const step = nextStep(ctx.flow, uf);
  if (ctx.flow.status !== "active" || (step.kind !== "choose" && o.challenge.length + o.enroll.length < 2)) redirect(stepPath(step));
  const setup = o.enroll.length > 0;

  async function label(factor: FactorId, mode: "enroll" | "challenge") {
    if (mode === "challenge" && (isChannelId(factor) || factor === "magic-link")) {
      const channel = factor === "magic-link" ? "email" : factor;
      const to = await challengeDestination(ctx, channel);
      if (to) return { title: names.name(factor), hint: names.to(factor, mask(channel, to)) };
    }
    return { title: names.name(factor), hint: names.hint(factor) };
  }
  const rows = await Promise.all([
    ...o.enroll.map(async (f) => ({ factor: f, mode: "enroll" as const, ...(await label(f, "enroll")) })),
    ...o.challenge.map(async (f) => ({ factor: f, mode: "challenge" as const, ...(await label(f, "challenge")) })),
  ]);

  return (
    <Shell title={t(setup ? "title" : "titleChallenge")} intro={t(setup ? "intro" : "introChallenge")} footer={<CancelForm />}>
      <ul className="flex list-none flex-col gap-3 p-0">
        {rows.map((r) => (
          <li key={`${r.mode}-${r.factor}`} className={r.factor.startsWith("webauthn") ? "webauthn-only" : undefined}>
            <form action={chooseMethod}>
              <input type="hidden" name="factor" value={r.factor} />
              <input type="hidden" name="mode" value={r.mode} />
              <button
                type="submit"
                className="flex min-h-14 w-full flex-col items-start rounded-brand border border-line bg-card px-4 py-3 text-start hover:border-primary hover:bg-page focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-focus"
              >
                <span className="flex flex-wrap items-center gap-2 font-semibold text-fg">
                  {r.title}
                  {/* The strongest option this deployment offers (PREFERENCE order) is the one we recommend. */}
                  {r.mode === "enroll" && r.factor === o.enroll[0] ? <span className="rounded-full border border-primary px-2 text-xs font-medium text-primary">{t("recommended")}</span> : null}
                </span>
                <span className="text-sm text-muted">{r.hint}</span>
              </button>
            </form>
          </li>
        ))}
      </ul>
    </Shell>
  );
}
