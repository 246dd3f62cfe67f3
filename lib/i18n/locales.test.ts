import { describe, expect, it } from "vitest";
import { direction, negotiateLocale } from "./locales";

describe("locale negotiation", () => {
  it("prefers the first supported tag, exact before base language", () => {
    expect(negotiateLocale("fr-CA en")).toBe("fr");
    expect(negotiateLocale("pt-PT")).toBe("pt-BR");
    expect(negotiateLocale("zh-TW,zh;q=0.8")).toBe("zh-CN");
    expect(negotiateLocale(undefined, "de-DE,de;q=0.9,en;q=0.8")).toBe("de");
    expect(negotiateLocale("xx", null, "ja")).toBe("ja");
    expect(negotiateLocale("xx")).toBe("en");
  });

  it("knows Arabic is right-to-left", () => {
    expect(direction("ar")).toBe("rtl");
    expect(direction("en")).toBe("ltr");
  });
});
