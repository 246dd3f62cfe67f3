import { describe, expect, it } from "vitest";
import { direction, negotiateLocale } from "./locales";

describe("locale negotiation", () => {
  it("prefers the first supported tag and falls back to English", () => {
    expect(negotiateLocale("xx", null, "en-GB")).toBe("en");
    expect(negotiateLocale("xx")).toBe("en");
  });

  it("knows Arabic is right-to-left", () => {
    expect(direction("ar")).toBe("rtl");
    expect(direction("en")).toBe("ltr");
  });
});
