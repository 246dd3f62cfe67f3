import type { InferGetServerSidePropsType } from "next";
import { CodeChallengeScreen } from "@/app/_ui/ChallengeScreen";
import { submitCodeForm } from "@/lib/flow/forms";
import { challengeParts } from "@/lib/pages/challenge";
import { htmlOnlyScreen } from "@/lib/pages/screen";

/** HTML-only screen (decision 0007): no framework JavaScript. */
export const config = { runtime: "nodejs", unstable_runtimeJS: false };

/** The recovery-code challenge: the way in when the device is lost. */
export const getServerSideProps = htmlOnlyScreen({
  here: (step) => step.kind === "challenge" && step.factor === "recovery-code",
  post: (s, fields) => submitCodeForm(s.ctx, "recovery-code", fields, s.t("common.errors"), "text"),
  view: async (s, error) => {
    const t = s.t("recovery");
    return { title: t("challengeTitle"), intro: t("challengeIntro"), codeLabel: t("codeLabel"), error, parts: challengeParts(s, "recovery-code") };
  },
  title: (v) => v.title,
});

export default function RecoveryCodeChallenge(props: InferGetServerSidePropsType<typeof getServerSideProps>) {
  const { view } = props;
  return <CodeChallengeScreen screen={props} parts={view.parts} title={view.title} intro={view.intro} codeLabel={view.codeLabel} error={view.error} kind="text" />;
}
