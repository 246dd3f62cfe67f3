import { getTranslations } from "next-intl/server";
import { Shell } from "@/app/_ui/Shell";

export default async function Home() {
  const t = await getTranslations("home");
  return <Shell title={t("title")} intro={t("body")} />;
}
