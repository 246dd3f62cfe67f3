"use server";

import { redirect } from "next/navigation";
import { chooseMethod as choose, fieldsOf } from "@/lib/flow/forms";
import { requireFlowForAction } from "@/lib/flow/guard";

/** Records the method the user picked (lib/flow/forms.ts). */
export async function chooseMethod(form: unknown): Promise<void> {
  redirect((await choose(await requireFlowForAction(), fieldsOf(form))).redirect);
}
