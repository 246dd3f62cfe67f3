import { reactScreen } from "@/lib/flow/guard";
import { getTranslations } from "next-intl/server";
import { Shell } from "@/app/_ui/Shell";

async function Home() {
  const t = await getTranslations("home");
  return <Shell title={t("title")} intro={t("body")} />;
}

export default reactScreen(Home);
