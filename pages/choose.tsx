import type { InferGetServerSidePropsType } from "next";
import { IntentForm } from "@/app/(flow)/_ui/views";
import { HtmlOnlyScreen } from "@/app/_ui/HtmlOnlyScreen";
import { challengeDestination, mask } from "@/lib/factors/channel";
import { factorLabels } from "@/lib/factors/labels";
import { type FactorId, isChannelId } from "@/lib/factors/registry";
import { chooseMethod } from "@/lib/flow/forms";
import { options } from "@/lib/flow/next-step";
import { htmlOnlyScreen } from "@/lib/pages/screen";
import { Badge, ChoiceButton, INLINE_LINK, Text } from "@/components/Text";
import { offersRecovery } from "@/lib/recovery/offer";

/** HTML-only screen (decision 0007): no framework JavaScript. */
export const config = { runtime: "nodejs", unstable_runtimeJS: false };

/**
 * The method picker: first-time setup choices, or "Try another method" during a challenge. Every
 * "use this method" form of every screen posts here (the recovery code one step away included).
 */
export const getServerSideProps = htmlOnlyScreen({
  // The picker is the step, or "Try another method" with something else to try; otherwise the step itself.
  here: (step, { flow, factors }) => {
    const o = options(flow, factors);
    return flow.status === "active" && (step.kind === "choose" || o.challenge.length + o.enroll.length >= 2);
  },
  post: (s, fields) => chooseMethod(s.ctx, fields),
  view: async (s) => {
    const t = s.t("choose");
    const names = factorLabels(s.t(""));
    const o = options(s.ctx.flow, s.factors);
    const setup = o.enroll.length > 0;
    const label = async (factor: FactorId, mode: "enroll" | "challenge") => {
      if (mode === "challenge" && (isChannelId(factor) || factor === "magic-link")) {
        const channel = factor === "magic-link" ? "email" : factor;
        const to = await challengeDestination(s.ctx, channel);
        if (to) return { title: names.name(factor), hint: names.to(factor, mask(channel, to)) };
      }
      return { title: names.name(factor), hint: names.hint(factor) };
    };
    const rows = await Promise.all([
      ...o.enroll.map(async (f) => ({ factor: f, mode: "enroll" as const, ...(await label(f, "enroll")) })),
      ...o.challenge.map(async (f) => ({ factor: f, mode: "challenge" as const, ...(await label(f, "challenge")) })),
    ]);
    return {
      title: t(setup ? "title" : "titleChallenge"),
      intro: t(setup ? "intro" : "introChallenge"),
      // The strongest option this deployment offers (the registry's order) is the one we recommend.
      recommended: o.enroll[0] ?? null,
      recommendedLabel: t("recommended"),
      cancel: s.t("common")("cancel"),
      // Self-service recovery, below the methods the user can challenge with (docs/recovery.md).
      lost: !setup && offersRecovery(s.ctx.flow, s.factors) ? s.t("selfRecovery")("lost") : null,
      rows,
    };
  },
  title: (v) => v.title,
});

export default function Choose(props: InferGetServerSidePropsType<typeof getServerSideProps>) {
  const { view, doc } = props;
  return (
    <HtmlOnlyScreen screen={props} title={view.title} intro={view.intro} footer={<IntentForm action={doc.path} intent="cancel" label={view.cancel} />}>
      <ul className="flex list-none flex-col gap-3 p-0">
        {view.rows.map((r) => (
          <li key={`${r.mode}-${r.factor}`} className={r.factor.startsWith("webauthn") ? "webauthn-only" : undefined}>
            <form action={doc.path} method="post">
              <input type="hidden" name="factor" value={r.factor} />
              <input type="hidden" name="mode" value={r.mode} />
              <ChoiceButton type="submit">
                <Text as="span" className="flex flex-wrap items-center gap-2 font-semibold">
                  {r.title}
                  {r.mode === "enroll" && r.factor === view.recommended ? <Badge>{view.recommendedLabel}</Badge> : null}
                </Text>
                <Text as="span" tone="muted" className="text-sm">
                  {r.hint}
                </Text>
              </ChoiceButton>
            </form>
          </li>
        ))}
      </ul>
      {view.lost ? (
        <p className="mt-4 text-center">
          <a href="/recovery" className={INLINE_LINK}>
            {view.lost}
          </a>
        </p>
      ) : null}
    </HtmlOnlyScreen>
  );
}
