import type messages from "./messages/en.json";
import type { LOCALES } from "./lib/i18n/locales";

declare module "next-intl" {
  interface AppConfig {
    Locale: (typeof LOCALES)[number];
    Messages: typeof messages;
  }
}
