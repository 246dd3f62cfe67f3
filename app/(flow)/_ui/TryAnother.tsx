import { getTranslations } from "next-intl/server";
import { options, type UserFactors } from "@/lib/flow/next-step";
import type { Flow } from "@/lib/flow/types";
import { offersRecovery } from "@/lib/recovery/offer";
import { TryAnotherView } from "./views";

/** "Try another method", shown only when the user has another method to try. */
export async function TryAnother({ flow, factors }: { flow: Flow; factors: UserFactors }) {
  const o = options(flow, factors);
  const another = o.challenge.length + o.enroll.length >= 2;
  const lost = offersRecovery(flow, factors);
  if (!another && !lost) return null;
  const [t, r, s] = await Promise.all([getTranslations("common"), getTranslations("recovery"), getTranslations("selfRecovery")]);
  // A plain form to the picker, which answers it (pages/choose.tsx), on every kind of screen.
  return (
    <TryAnotherView
      label={another ? t("tryAnother") : null}
      recovery={another && o.challenge.includes("recovery-code") ? { label: r("use"), action: "/choose" } : null}
      lost={lost ? s("lost") : null}
    />
  );
}
