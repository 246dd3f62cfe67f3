import { getTranslations } from "next-intl/server";
import { cancelSignIn, reportNotMe } from "@/app/(flow)/_ui/actions";
import type { Flow } from "@/lib/flow/types";
import { flowTexts } from "@/lib/flow/texts";
import type { Translate } from "@/lib/i18n/translate";
import { ChallengeFooterView, GateNoticeView, RememberDeviceView } from "./views";

/** The foot of every challenge screen (views.tsx), on a React screen. */
export async function ChallengeFooter({ flow }: { flow: Flow }) {
  const texts = flowTexts(flow, (await getTranslations("policy")) as unknown as Translate, (await getTranslations("common")) as unknown as Translate);
  return <ChallengeFooterView why={texts.why} notMe={{ label: texts.notMe, action: reportNotMe }} cancel={{ label: texts.cancel, action: cancelSignIn }} />;
}

/** "Don't ask again on this device for N days", where the policy offers it. Part of the code form. */
export async function RememberDevice({ flow }: { flow: Flow }) {
  const texts = flowTexts(flow, (await getTranslations("policy")) as unknown as Translate, (await getTranslations("common")) as unknown as Translate);
  return texts.remember ? <RememberDeviceView label={texts.remember} /> : null;
}

/** On the email check before a first setup: why this code comes first. */
export async function GateNotice() {
  const t = await getTranslations("policy");
  return <GateNoticeView text={t("gate")} />;
}
