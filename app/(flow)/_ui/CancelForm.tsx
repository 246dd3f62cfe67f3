import { getTranslations } from "next-intl/server";
import { cancelSignIn } from "@/app/(flow)/_ui/actions";
import { IntentForm } from "./views";

/** "Cancel sign-in": a POST (never a state-changing GET) that reports `denied` to Auth0. */
export async function CancelForm() {
  const t = await getTranslations("common");
  return <IntentForm action={cancelSignIn} intent="cancel" label={t("cancel")} />;
}
