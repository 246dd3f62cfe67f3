/** When a request's wait ends, as the screen and the notices say it: a date and time in UTC, in the reader's language. */
export function formatReadyAt(readyAt: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { year: "numeric", month: "long", day: "numeric", hour: "numeric", minute: "2-digit", timeZone: "UTC", timeZoneName: "short" }).format(new Date(readyAt));
}
