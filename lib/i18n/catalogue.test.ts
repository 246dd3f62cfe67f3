import { describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { LOCALES } from "./locales";

type Tree = { [k: string]: string | Tree };
const load = (l: string) => JSON.parse(fs.readFileSync(path.join(__dirname, "../../messages", `${l}.json`), "utf8")) as Tree;

function flatten(t: Tree, prefix = ""): Record<string, string> {
  return Object.entries(t).reduce<Record<string, string>>((acc, [k, v]) => {
    const key = prefix ? `${prefix}.${k}` : k;
    return typeof v === "string" ? { ...acc, [key]: v } : { ...acc, ...flatten(v, key) };
  }, {});
}
/** The ICU argument names a message uses (parsing also proves its syntax is valid). */
function placeholders(message: string): string[] {
  const names = new Set<string>();
  const walk = (elements: MessageFormatElement[]) => {
    for (const el of elements) {
      if ("value" in el && el.type !== TYPE.literal) names.add(String(el.value));
      if ("options" in el) for (const option of Object.values(el.options)) walk((option as { value: MessageFormatElement[] }).value);
    }
  };
  walk(parse(message));
  return [...names].sort();
}

describe("message catalogues", () => {
  const reference = flatten(load("en"));

  it.each(LOCALES)("%s has a catalogue with every key and placeholder", (locale) => {
    const messages = flatten(load(locale));
    expect(Object.keys(messages).sort()).toEqual(Object.keys(reference).sort());
    for (const [key, text] of Object.entries(messages)) {
      expect(text.trim(), key).not.toBe("");
      expect(placeholders(text), key).toEqual(placeholders(reference[key]!));
    }
  });

  it("has no catalogue without a listed locale", () => {
    const files = fs.readdirSync(path.join(__dirname, "../../messages")).map((f) => f.replace(/\.json$/, ""));
    expect(files.sort()).toEqual([...LOCALES].sort());
  });
});
