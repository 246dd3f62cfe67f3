import { cookies } from "next/headers";
import { LOCALE_COOKIE } from "./locale-cookie";

/** The switcher's choice on a React screen or server action (lib/i18n/locale-cookie.ts). */
export async function chosenLocale(): Promise<string | undefined> {
  return (await cookies()).get(LOCALE_COOKIE)?.value;
}
