"use server";

import type { CodeFormState } from "@/lib/flow/results";
import { handleCodeSubmission } from "@/lib/flow/submit";

/** Checks a recovery code; guesses count against the same limits as every other factor. */
export async function submitRecoveryCode(_prev: unknown, form: unknown): Promise<CodeFormState> {
  return handleCodeSubmission("recovery-code", form, "text");
}
