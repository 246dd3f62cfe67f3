import { getTranslations } from "next-intl/server";
import { options, type UserFactors } from "@/lib/flow/next-step";
import type { Flow } from "@/lib/flow/types";
import { TryAnotherView } from "./views";

/** "Try another method", shown only when the user has another method to try. */
export async function TryAnother({ flow, factors }: { flow: Flow; factors: UserFactors }) {
  const o = options(flow, factors);
  if (o.challenge.length + o.enroll.length < 2) return null;
  const [t, r] = await Promise.all([getTranslations("common"), getTranslations("recovery")]);
  // A plain form to the picker, which answers it (pages/choose.tsx), on every kind of screen.
  return <TryAnotherView label={t("tryAnother")} recovery={o.challenge.includes("recovery-code") ? { label: r("use"), action: "/choose" } : null} />;
}
