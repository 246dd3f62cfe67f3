import type { InferGetServerSidePropsType } from "next";
import { CodeChallengeScreen } from "@/app/_ui/ChallengeScreen";
import { submitCodeForm } from "@/lib/flow/forms";
import { challengeParts } from "@/lib/pages/challenge";
import { htmlOnlyScreen } from "@/lib/pages/screen";

/** HTML-only screen (decision 0007): no framework JavaScript. */
export const config = { runtime: "nodejs", unstable_runtimeJS: false };

/** The authenticator-app challenge. */
export const getServerSideProps = htmlOnlyScreen({
  here: (step) => step.kind === "challenge" && step.factor === "otp",
  post: (s, fields) => submitCodeForm(s.ctx, "otp", fields, s.t("common.errors")),
  view: async (s, error) => {
    const t = s.t("otpChallenge");
    const claims = s.ctx.flow.context.claims;
    return { title: t("title"), intro: t("intro", { account: claims.email ?? claims.name ?? s.ctx.flow.sub }), error, parts: challengeParts(s) };
  },
  title: (v) => v.title,
});

export default function OtpChallenge(props: InferGetServerSidePropsType<typeof getServerSideProps>) {
  const { view } = props;
  return <CodeChallengeScreen screen={props} parts={view.parts} title={view.title} intro={view.intro} error={view.error} />;
}
