import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { Alert } from "@/components/Alert";
import { CancelForm } from "@/app/(flow)/_ui/CancelForm";
import { CodeForm } from "@/components/CodeForm";
import { ResendForm } from "@/components/ResendForm";
import { Shell } from "@/app/_ui/Shell";
import { TryAnother } from "@/app/(flow)/_ui/TryAnother";
import { ChallengeFooter, GateNotice, RememberDevice } from "@/app/(flow)/_ui/FlowExtras";
import { mask } from "@/lib/factors/channel";
import { activeChallenge, resendAt } from "@/lib/factors/code";
import { isChannelId } from "@/lib/factors/registry";
import { sendErrorMessage, sendFlowCode } from "@/lib/flow/channel-send";
import { requireStep } from "@/lib/flow/guard";
import { resendChannelCode, submitChannelCode } from "./actions";

/** A code sent through a channel (email, SMS…: the registry's channel factors). The first visit sends the code; reloads reuse the live one. */
export default async function ChannelChallengePage({ params }: { params: Promise<{ channel: string }> }) {
  const { channel: raw } = await params;
  if (!isChannelId(raw)) notFound();
  const channel = raw;
  const { ctx, factors, step } = await requireStep("challenge", channel);
  const [t, common] = await Promise.all([getTranslations(`channel`), getTranslations("common")]);

  let live = await activeChallenge(ctx.db, ctx.flow.id, channel, ctx.now);
  let sendError: string | null = null;
  if (!live || live.purpose !== "challenge") {
    const sent = await sendFlowCode(ctx, channel, "challenge");
    if (sent.ok) live = await activeChallenge(ctx.db, ctx.flow.id, channel, ctx.now);
    else sendError = await sendErrorMessage(sent);
  }
  const destination = live ? mask(channel, live.destination) : "";
  const resendAtMs = await resendAt(ctx.db, ctx.flow.id, channel);
  return (
    <Shell title={t(`${channel}.title`)} intro={live ? t(`${channel}.intro`, { destination }) : undefined} footer={step.gate ? <CancelForm /> : <ChallengeFooter flow={ctx.flow} />}>
      <div className="flex flex-col gap-4">
        {step.gate ? <GateNotice /> : null}
        {sendError ? <Alert>{sendError}</Alert> : null}
        {live ? <CodeForm action={submitChannelCode.bind(null, channel)} label={common("codeLabel")} submit={common("verify")} pending={common("verifying")} extra={step.gate ? null : <RememberDevice flow={ctx.flow} />} /> : null}
        <ResendForm action={resendChannelCode.bind(null, channel)} resendAt={resendAtMs} resendIn={Math.max(0, resendAtMs - Date.now())} label={t("resend")} waitLabel={t("resendIn", { seconds: "{seconds}" })} />
        <details className="text-sm text-muted">
          <summary className="cursor-pointer py-2">{t("didntGet")}</summary>
          <p className="mt-1">{t(`${channel}.help`)}</p>
        </details>
        <TryAnother flow={ctx.flow} factors={factors} />
      </div>
    </Shell>
  );
}
