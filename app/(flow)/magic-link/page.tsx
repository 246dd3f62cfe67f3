import { getTranslations } from "next-intl/server";
import { Alert } from "@/components/Alert";
import { ChallengeFooter } from "@/app/(flow)/_ui/FlowExtras";
import { LinkWaiter } from "@/components/LinkWaiter";
import { ResendForm } from "@/components/ResendForm";
import { Shell } from "@/app/_ui/Shell";
import { TryAnother } from "@/app/(flow)/_ui/TryAnother";
import { mask } from "@/lib/factors/channel";
import { RESEND_COOLDOWN_MS } from "@/lib/factors/code";
import { liveLink } from "@/lib/factors/magic-link/factor";
import { reactScreen, requireStep } from "@/lib/flow/guard";
import { challengeDestination } from "@/lib/factors/channel";
import { finishMagicLink, resendMagicLink } from "./actions";
import { Surface, Text } from "@/components/Text";

/** The waiting tab: where the link went, the matching number, and automatic continuation. */
async function MagicLinkPage() {
  const { ctx, factors } = await requireStep("challenge", "magic-link");
  const [t, ch] = await Promise.all([getTranslations("magic"), getTranslations("channel")]);
  // The link went out with whatever led here (lib/flow/arrive.ts): rendering never sends.
  const link = await liveLink(ctx.db, ctx.flow.id, ctx.now);
  const sendError = link ? null : t("expired");
  const to = await challengeDestination(ctx, "email");
  const resendAtMs = link ? Number(link.created_at) + RESEND_COOLDOWN_MS : 0;
  return (
    <Shell title={t("title")} intro={to ? t("intro", { destination: mask("email", to) }) : undefined} footer={<ChallengeFooter flow={ctx.flow} />}>
      <div className="flex flex-col gap-5">
        {sendError ? <Alert>{sendError}</Alert> : null}
        {link ? (
          <Surface className="flex items-center gap-4 p-4">
            <Text as="span" data-testid="link-number" className="shrink-0 whitespace-nowrap font-mono text-4xl font-bold" aria-describedby="number-help">
              {link.number}
            </Text>
            <Text as="span" tone="muted" id="number-help" className="text-sm">
              <Text as="strong" className="block">
                {t("numberLabel")}
              </Text>
              {t("numberHelp")}
            </Text>
          </Surface>
        ) : null}
        <LinkWaiter action={finishMagicLink} labels={{ waiting: t("waiting"), confirmed: t("confirmed"), refused: t("refused"), expired: t("expired") }} />
        <ResendForm action={resendMagicLink} resendAt={resendAtMs} resendIn={Math.max(0, resendAtMs - Date.now())} label={t("resend")} waitLabel={ch("resendIn", { seconds: "{seconds}" })} />
        <TryAnother flow={ctx.flow} factors={factors} />
      </div>
    </Shell>
  );
}

export default reactScreen(MagicLinkPage);
