import type { InferGetServerSidePropsType } from "next";
import { ChallengeFooterHere, TryAnotherHere } from "@/app/_ui/ChallengeScreen";
import { HtmlOnlyScreen } from "@/app/_ui/HtmlOnlyScreen";
import { GateNoticeView, IntentForm, RememberDeviceView } from "@/app/(flow)/_ui/views";
import { Alert } from "@/components/Alert";
import { CodeFields } from "@/components/CodeFields";
import { ResendFields } from "@/components/ResendFields";
import { mask } from "@/lib/factors/channel";
import { activeChallenge, resendAt } from "@/lib/factors/code";
import { type ChannelId, isChannelId } from "@/lib/factors/registry";
import { resendCode, submitCodeForm } from "@/lib/flow/forms";
import type { Step } from "@/lib/flow/types";
import { challengeParts } from "@/lib/pages/challenge";
import { htmlOnlyScreen } from "@/lib/pages/screen";
import { Text } from "@/components/Text";

/** HTML-only screen (decision 0007): no framework JavaScript. */
export const config = { runtime: "nodejs", unstable_runtimeJS: false };

const channelOf = (step: Step): ChannelId | null => (step.kind === "challenge" && isChannelId(step.factor) ? step.factor : null);

/**
 * A code sent through a channel (email, SMS, WhatsApp: the registry's channel factors). The code
 * went out with whatever led here (lib/flow/arrive.ts); this screen only shows and checks it, and
 * "Send a new code" (intent `resend`) is the one send it makes itself, on a POST.
 */
export const getServerSideProps = htmlOnlyScreen({
  here: (step, _at) => channelOf(step) !== null,
  post: async (s, fields) => {
    const channel = channelOf(s.step) as ChannelId;
    if (fields.intent === "resend") {
      const r = await resendCode(s.ctx, channel, s.t("common.errors"));
      return "error" in r ? { error: r.error } : { redirect: `/${channel}` };
    }
    return submitCodeForm(s.ctx, channel, fields, s.t("common.errors"));
  },
  view: async (s, error, intent) => {
    const channel = channelOf(s.step) as ChannelId;
    const gate = s.step.kind === "challenge" && s.step.gate === true;
    const t = s.t("channel");
    const live = await activeChallenge(s.ctx.db, s.ctx.flow.id, channel, s.ctx.now);
    const code = live?.purpose === "challenge" ? live : null;
    const nextSend = await resendAt(s.ctx.db, s.ctx.flow.id, channel);
    return {
      channel,
      gate,
      gateText: gate ? s.t("policy")("gate") : null,
      title: t(`${channel}.title`),
      intro: code ? t(`${channel}.intro`, { destination: mask(channel, code.destination) }) : null,
      // No live code: the send that led here failed, or the code expired. "Send a new code" says why when it fails.
      noCode: code ? null : s.t("common.errors")("code_expired"),
      codeError: intent !== "resend" ? error : null,
      resendError: intent === "resend" ? error : null,
      resend: { leftMs: Math.max(0, nextSend - Date.now()), label: t("resend"), waitLabel: t("resendIn", { seconds: "{seconds}" }) },
      help: { summary: t("didntGet"), text: t(`${channel}.help`) },
      parts: challengeParts(s, channel),
    };
  },
  title: (v) => v.title,
});

export default function ChannelChallenge(props: InferGetServerSidePropsType<typeof getServerSideProps>) {
  const { view, doc } = props;
  const { parts } = view;
  const path = doc.path;
  return (
    <HtmlOnlyScreen
      screen={props}
      title={view.title}
      intro={view.intro ?? undefined}
      footer={view.gate ? <IntentForm action={path} intent="cancel" label={parts.footer.cancel} /> : <ChallengeFooterHere path={path} parts={parts} />}
    >
      <div className="flex flex-col gap-4">
        {view.gateText ? <GateNoticeView text={view.gateText} /> : null}
        {view.noCode ? <Alert>{view.noCode}</Alert> : null}
        {view.noCode ? null : (
          <form action={path} method="post" className="flex flex-col gap-4" noValidate>
            <CodeFields
              label={parts.code.label}
              submit={parts.code.submit}
              pending={parts.code.pending}
              error={view.codeError}
              extra={!view.gate && parts.remember ? <RememberDeviceView label={parts.remember} /> : null}
            />
          </form>
        )}
        <form action={path} method="post" className="flex flex-col gap-3">
          <input type="hidden" name="intent" value="resend" />
          <ResendFields error={view.resendError} leftMs={view.resend.leftMs} label={view.resend.label} waitLabel={view.resend.waitLabel} />
        </form>
        <Text as="details" tone="muted" className="text-sm">
          <summary className="cursor-pointer py-2">{view.help.summary}</summary>
          <p className="mt-1">{view.help.text}</p>
        </Text>
        <TryAnotherHere parts={parts} />
      </div>
    </HtmlOnlyScreen>
  );
}
