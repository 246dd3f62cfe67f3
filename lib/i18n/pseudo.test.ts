import { describe, expect, it } from "vitest";
import { IntlMessageFormat } from "intl-messageformat";
import { pseudoMessage } from "./pseudo";

describe("pseudo-locale", () => {
  it("accents and lengthens text but keeps placeholders and plural syntax working", () => {
    const source = "That code is not right. {remaining, plural, one {You have # more try.} other {You have # more tries.}}";
    const pseudo = pseudoMessage(source);
    expect(pseudo.length).toBeGreaterThan(source.length * 1.3);
    const out = new IntlMessageFormat(pseudo, "en").format({ remaining: 2 }) as string;
    expect(out).toContain("2");
    expect(out).toMatch(/Thát çödé/);
    expect(new IntlMessageFormat(pseudoMessage("Signing in to {app}"), "en").format({ app: "Acme" })).toContain("Acme");
  });
});
