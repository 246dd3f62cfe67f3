import { getTranslations } from "next-intl/server";
import type { Translate } from "./translate";

/** next-intl's request translator on a React screen or server action, as the domain's Translate. */
export async function appTranslator(namespace?: string): Promise<Translate> {
  return (namespace ? await getTranslations(namespace as never) : await getTranslations()) as unknown as Translate;
}
