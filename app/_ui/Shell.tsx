import { getLocale, getTranslations } from "next-intl/server";
import { SessionTimer } from "@/components/SessionTimer";
import { currentBranding } from "@/lib/flow/branding";
import { frameFlow } from "@/lib/flow/context";
import { frameData } from "@/lib/frame";
import { chosenLocale } from "@/lib/i18n/choice";
import type { Translate } from "@/lib/i18n/translate";
import { extendSignIn, setLocale } from "./actions";
import { Frame } from "./Frame";

/** The frame of a React screen (app/_ui/Frame.tsx), with its data and server actions. */
export async function Shell({ title, intro, children, footer, wide }: { title: string; intro?: React.ReactNode; children?: React.ReactNode; footer?: React.ReactNode; wide?: boolean }) {
  const [t, negotiated, brand, chosen, flow] = await Promise.all([getTranslations("common"), getLocale(), currentBranding(), chosenLocale(), frameFlow()]);
  const timer =
    flow?.status === "active" ? (
      <SessionTimer
        expiresAt={flow.expiresAt}
        leftMs={Math.max(0, flow.expiresAt - Date.now())}
        action={extendSignIn}
        labels={{ warning: t("timeoutWarning", { time: "{time}" }), extend: t("extend") }}
      />
    ) : null;
  return (
    <Frame data={frameData(brand, chosen, negotiated, t as Translate)} title={title} intro={intro} footer={footer} timer={timer} localeAction={setLocale} wide={wide}>
      {children}
    </Frame>
  );
}
