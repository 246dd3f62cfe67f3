import { getTranslations } from "next-intl/server";
import { cancelSignIn } from "@/app/(flow)/_ui/actions";
import { Button } from "@/components/Button";

/** "Cancel sign-in": a POST (never a state-changing GET) that reports `denied` to Auth0. */
export async function CancelForm() {
  const t = await getTranslations("common");
  return (
    <form action={cancelSignIn}>
      <Button type="submit" variant="link">
        {t("cancel")}
      </Button>
    </form>
  );
}
