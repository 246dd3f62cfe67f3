import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import type { FactorId } from "@/lib/factors/registry";
import type { Translate } from "@/lib/i18n/translate";
import { fieldsOf, submitCodeForm } from "./forms";
import { requireFlowForAction } from "./guard";
import type { CodeFormState } from "./results";

/** The body of every "enter your code" server action (React screens): lib/flow/forms.ts decides. */
export async function handleCodeSubmission(factorId: FactorId, form: unknown, format: "digits" | "text" = "digits"): Promise<CodeFormState> {
  const ctx = await requireFlowForAction();
  const outcome = await submitCodeForm(ctx, factorId, fieldsOf(form), (await getTranslations("common.errors")) as unknown as Translate, format);
  if ("redirect" in outcome) redirect(outcome.redirect);
  return { error: outcome.error };
}
