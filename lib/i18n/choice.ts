import "server-only";
import { cookies } from "next/headers";

/** The user's explicit language choice from the switcher; it wins over the token and the browser. */
export const LOCALE_COOKIE = "__Host-keystep_locale";

export async function chosenLocale(): Promise<string | undefined> {
  return (await cookies()).get(LOCALE_COOKIE)?.value;
}
