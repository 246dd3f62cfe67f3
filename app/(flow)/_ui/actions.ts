"use server";

import { redirect } from "next/navigation";
import { cancelFlow, reportNotMe as report } from "@/lib/flow/forms";
import { reactAction, requireFlowForAction } from "@/lib/flow/guard";

/** Ends the flow as `denied` and hands back to Auth0, which sends the app `access_denied`. */
export const cancelSignIn = reactAction(async function cancelSignIn(_form?: unknown): Promise<void> {
  redirect((await cancelFlow(await requireFlowForAction())).redirect);
});

/** "This wasn't me" (lib/flow/forms.ts). */
export const reportNotMe = reactAction(async function reportNotMe(_form?: unknown): Promise<void> {
  redirect((await report(await requireFlowForAction())).redirect);
});
