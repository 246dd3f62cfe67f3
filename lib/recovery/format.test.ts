import { describe, expect, it } from "vitest";
import { LOCALES } from "@/lib/i18n/locales";
import { formatReadyAt } from "./format";

describe("formatReadyAt", () => {
  it.each(LOCALES)("says the date and time in UTC in %s", (locale) => {
    const text = formatReadyAt(Date.UTC(2026, 0, 8, 9, 30), locale);
    expect(text).toMatch(/2026/);
    expect(text).toMatch(/UTC/);
  });
});
