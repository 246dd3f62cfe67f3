import { getTranslations } from "next-intl/server";
import { chooseMethod } from "@/app/(flow)/_ui/choose-actions";
import { options, type UserFactors } from "@/lib/flow/next-step";
import type { Flow } from "@/lib/flow/types";

/** "Try another method", shown only when the user has another method to try. */
export async function TryAnother({ flow, factors }: { flow: Flow; factors: UserFactors }) {
  const o = options(flow, factors);
  if (o.challenge.length + o.enroll.length < 2) return null;
  const [t, r] = await Promise.all([getTranslations("common"), getTranslations("recovery")]);
  const link = "text-center text-sm font-medium text-primary underline underline-offset-4 hover:text-primary-hover";
  return (
    <div className="flex flex-col items-center gap-2">
      <a href="/choose" className={link}>
        {t("tryAnother")}
      </a>
      {o.challenge.includes("recovery-code") ? (
        // Always one step away from every challenge: the way in when the device is lost.
        <form action={chooseMethod}>
          <input type="hidden" name="factor" value="recovery-code" />
          <input type="hidden" name="mode" value="challenge" />
          <button type="submit" className={link}>
            {r("use")}
          </button>
        </form>
      ) : null}
    </div>
  );
}
