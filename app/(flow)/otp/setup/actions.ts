"use server";

import { reactAction } from "@/lib/flow/guard";
import type { CodeFormState } from "@/lib/flow/results";
import { handleCodeSubmission } from "@/lib/flow/submit";

/** Checks an authenticator-app code (setup or challenge, decided by the flow). */
export const submitOtpCode = reactAction(async function submitOtpCode(_prev: unknown, form: unknown): Promise<CodeFormState> {
  return handleCodeSubmission("otp", form);
});
