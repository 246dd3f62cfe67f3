import { getTranslations } from "next-intl/server";
import { options, type UserFactors } from "@/lib/flow/next-step";

/** "Try another method", shown only when the user has another method to try. */
export async function TryAnother({ factors }: { factors: UserFactors }) {
  const o = options(factors);
  if (o.challenge.length + o.enroll.length < 2) return null;
  const t = await getTranslations("common");
  return (
    <a href="/choose" className="text-center text-sm font-medium text-primary underline underline-offset-4 hover:text-primary-hover">
      {t("tryAnother")}
    </a>
  );
}
