import type { InferGetServerSidePropsType } from "next";
import { HtmlOnlyScreen } from "@/app/_ui/HtmlOnlyScreen";
import { IntentForm, RecoveryNoticeView } from "@/app/(flow)/_ui/views";
import { Alert } from "@/components/Alert";
import { Button, ButtonLink } from "@/components/Button";
import { CodeFields } from "@/components/CodeFields";
import { Text } from "@/components/Text";
import { mask } from "@/lib/factors/channel";
import { activeChallenge } from "@/lib/factors/code";
import { stepPath } from "@/lib/flow/next-step";
import { htmlOnlyScreen } from "@/lib/pages/screen";
import { recoveryEmail, recoveryForm, recoveryHere, recoverySettings } from "@/lib/recovery/flow";
import { flowDevice, standing } from "@/lib/recovery/requests";
import { formatReadyAt } from "@/lib/recovery/format";
import { recoveryDeps } from "@/lib/recovery/wiring";

/** HTML-only screen (decision 0007): no framework JavaScript. */
export const config = { runtime: "nodejs", unstable_runtimeJS: false };

type Stage = "explain" | "code" | "received" | "pending-here" | "pending-elsewhere" | "no-email" | "ready" | "ready-code";

/**
 * "I can't use any of my methods" (docs/recovery.md): explain the wait, send a code to the
 * verified email, take the code, and the request is open; the sign-in then ends without success.
 * Another browser learns only that a request is pending. After the wait, the same browser proves
 * the email again here (`ready`) and goes on to set up a new method.
 */
export const getServerSideProps = htmlOnlyScreen({
  here: (step, at) => recoveryHere(step, at.flow, at.factors),
  post: (s, fields) => recoveryForm(s.ctx, recoveryDeps(), fields, s.t, s.locale),
  view: async (s, error, intent) => {
    const t = s.t("selfRecovery");
    const { ctx } = s;
    const user = { tenant: ctx.flow.tenant, sub: ctx.flow.sub };
    const now = ctx.now;
    const stand = await standing(ctx.db, ctx.env.keys, user, flowDevice(ctx.flow.context), now);
    const ended = s.step.kind === "ended" && s.step.reason === "recovery_pending";
    const email = await recoveryEmail(ctx);
    const live = await activeChallenge(ctx.db, ctx.flow.id, "email", now);
    let stage: Stage;
    if (ended) stage = stand.kind === "waiting" || stand.kind === "ready" ? "received" : "pending-elsewhere";
    else if (stand.kind === "ready") stage = live?.purpose === "recovery" ? "ready-code" : "ready";
    else if (stand.kind === "waiting") stage = "pending-here";
    else if (stand.kind === "elsewhere") stage = "pending-elsewhere";
    else if (!email) stage = "no-email";
    else stage = live?.purpose === "recovery" ? "code" : "explain";
    const date = "readyAt" in stand ? formatReadyAt(stand.readyAt, s.locale) : "";
    const texts: Record<Stage, string> = {
      explain: t("intro", { hours: recoverySettings(ctx.flow).waitHours }),
      code: t("codeIntro", { destination: live ? mask("email", live.destination) : "" }),
      received: t("received", { date }),
      "pending-here": t("pendingHere", { date }),
      "pending-elsewhere": t("pendingElsewhere"),
      "no-email": t("noEmail"),
      ready: t("ready"),
      "ready-code": t("codeIntro", { destination: live ? mask("email", live.destination) : "" }),
    };
    const readying = stage === "ready" || stage === "ready-code";
    const common = s.t("common");
    return {
      stage,
      title: stage === "received" ? t("receivedTitle") : readying ? t("readyTitle") : t("title"),
      text: texts[stage],
      sendTo: (stage === "explain" || stage === "ready") && email ? t("sendTo", { destination: mask("email", email) }) : null,
      send: t("send"),
      verify: readying ? t("finish") : t("verify"),
      code: { label: common("codeLabel"), pending: common("verifying") },
      sendError: intent === "send" ? error : null,
      codeError: intent === "verify" ? error : null,
      // While the flow is open: back to the step it stands at; once it ended: on to the app.
      back: ended ? { href: "/continue", label: s.t("ended")("back") } : { href: stepPath(s.step), label: t("back") },
      cancel: common("cancel"),
      ended,
    };
  },
  title: (v) => v.title,
});

export default function Recovery(props: InferGetServerSidePropsType<typeof getServerSideProps>) {
  const { view, doc } = props;
  const path = doc.path;
  return (
    <HtmlOnlyScreen screen={props} title={view.title} footer={view.ended ? null : <IntentForm action={path} intent="cancel" label={view.cancel} />}>
      <div className="flex flex-col gap-4" data-stage={view.stage}>
        {/* Refusals are alerts; a received or waiting request is news, not an error. */}
        {view.stage === "pending-elsewhere" || view.stage === "no-email" ? (
          <Alert>{view.text}</Alert>
        ) : view.stage === "received" || view.stage === "pending-here" ? (
          <RecoveryNoticeView text={view.text} />
        ) : (
          <Text>{view.text}</Text>
        )}
        {view.stage === "explain" || view.stage === "ready" ? (
          <form action={path} method="post" className="flex flex-col gap-3">
            <input type="hidden" name="intent" value="send" />
            {view.sendTo ? <Text>{view.sendTo}</Text> : null}
            {view.sendError ? <Alert>{view.sendError}</Alert> : null}
            <Button type="submit">{view.send}</Button>
          </form>
        ) : null}
        {view.stage === "code" || view.stage === "ready-code" ? (
          <>
            <form action={path} method="post" className="flex flex-col gap-4" noValidate>
              <input type="hidden" name="intent" value="verify" />
              <CodeFields label={view.code.label} submit={view.verify} pending={view.code.pending} error={view.codeError} />
            </form>
            <form action={path} method="post">
              <input type="hidden" name="intent" value="send" />
              {view.sendError ? <Alert>{view.sendError}</Alert> : null}
              <Button type="submit" variant="link">
                {view.send}
              </Button>
            </form>
          </>
        ) : null}
        <ButtonLink href={view.back.href} variant={view.ended ? "primary" : "link"}>
          {view.back.label}
        </ButtonLink>
      </div>
    </HtmlOnlyScreen>
  );
}
