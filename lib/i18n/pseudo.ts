/**
 * The pseudo-locale `en-XA`: English with accented letters, about 40% longer and bracketed, so
 * truncation and strings that skip the catalogue stand out. Development and the screenshot run
 * only (KEYSTEP_PSEUDO_LOCALE=1 or outside production).
 */
export const PSEUDO_LOCALE = "en-XA";

const ACCENTS: Record<string, string> = { a: "á", e: "é", i: "í", o: "ö", u: "ü", c: "ç", n: "ñ", y: "ý", A: "Å", E: "É", I: "Î", O: "Ø", U: "Û", C: "Ç", N: "Ñ" };

function stretch(text: string): string {
  if (!text.trim()) return text;
  const accented = text.replace(/[aeiouycnAEIOUCN]/g, (c) => ACCENTS[c] ?? c);
  return accented + "~".repeat(Math.ceil(text.length * 0.4));
}

/** Pseudo-localises one ICU message: literal text changes, placeholders and plural syntax do not. */
export function pseudoMessage(msg: string): string {
  let out = "";
  let i = 0;
  let literal = "";
  const flush = () => {
    out += stretch(literal);
    literal = "";
  };
  while (i < msg.length) {
    const ch = msg.charAt(i);
    if (ch !== "{") {
      literal += ch;
      i++;
      continue;
    }
    flush();
    // An argument: {name} or {name, plural|select|selectordinal, key {message} ...}
    const close = matching(msg, i);
    const body = msg.slice(i + 1, close);
    const [name, type, ...rest] = body.split(",");
    if (type === undefined) out += `{${body}}`;
    else {
      const options = rest.join(",");
      out += `{${name},${type},${options.replace(/\{((?:[^{}]|\{[^{}]*\})*)\}/g, (_, inner: string) => `{${pseudoMessage(inner)}}`)}}`;
    }
    i = close + 1;
  }
  flush();
  return `[${out}]`;
}

function matching(s: string, open: number): number {
  let depth = 0;
  for (let j = open; j < s.length; j++) {
    if (s[j] === "{") depth++;
    else if (s[j] === "}" && --depth === 0) return j;
  }
  return s.length - 1;
}

type Tree = { [k: string]: string | Tree };

/** The whole catalogue, pseudo-localised. */
export function pseudoCatalogue(t: Tree): Tree {
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, typeof v === "string" ? pseudoMessage(v) : pseudoCatalogue(v)]));
}

export function pseudoEnabled(): boolean {
  // Like lib/env.ts: only exactly development or test counts as "not production".
  return process.env.NODE_ENV === "development" || process.env.NODE_ENV === "test" || process.env.KEYSTEP_PSEUDO_LOCALE === "1";
}
