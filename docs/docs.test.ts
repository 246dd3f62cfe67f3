/**
 * The documentation cannot point at things that are not there.
 *
 * - Every repository path cited in README.md, CONTRIBUTING.md or docs/**\/*.md exists. A cited
 *   path is a backticked or markdown-linked relative path that starts with one of the source
 *   folders below, or a bare file name with a source extension (a root file such as
 *   `package.json`, `proxy.ts`, `.env.example`). A path with a placeholder or a glob
 *   (`app/(flow)/<factor>/page.tsx`, `docs/screenshots/*.png`) needs its folder up to there.
 * - Generated outputs that .gitignore lists (`bench/results.smoke.json`) may be cited unbuilt.
 * - Relative markdown links resolve, to a file and, with a `#fragment`, to a heading in it.
 * - docs/configuration.md names every variable lib/env.ts reads.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FILE_SECRETS } from "@/lib/env";

const ROOT = path.resolve(__dirname, "..");
const SOURCE_DIRS = ["app", "pages", "client", "lib", "components", "scripts", "e2e", "docs", "bench", "messages", "auth0", "i18n"];
const ROOT_FILE = /^\.?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.(json|ts|tsx|mjs|js|md|example)$/;
/** Files the docs name that operators create, never the repository: not citations. */
const NOT_REPO_FILES = new Set(["keystep.config.json"]);

/** README.md, CONTRIBUTING.md and every markdown file under docs/. */
export function markdownFiles(root = ROOT): string[] {
  const out = ["README.md", "CONTRIBUTING.md"].filter((f) => fs.existsSync(path.join(root, f)));
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith(".md")) out.push(rel);
    }
  };
  walk("docs");
  return out;
}

/** Fenced code blocks hold commands and examples, not citations. */
const prose = (md: string) => md.replace(/^```[\s\S]*?^```/gm, "");

/** Simple .gitignore entries (no globs), as root-relative prefixes. */
function ignoredPrefixes(root = ROOT): string[] {
  return fs
    .readFileSync(path.join(root, ".gitignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#") && !/[*?[!]/.test(l))
    .map((l) => l.replace(/^\//, "").replace(/\/$/, ""));
}

/** A backticked token as a root-relative path, or null when it is not a repository citation. */
export function citedPath(token: string): string | null {
  const t = token
    .trim()
    .replace(/^\.\//, "")
    .replace(/[#:].*$/, "");
  if (!t || /\s/.test(t) || t.startsWith("/") || t.includes("://")) return null;
  const first = t.split("/")[0]!;
  if (t.includes("/") ? SOURCE_DIRS.includes(first) : ROOT_FILE.test(t) && !NOT_REPO_FILES.has(t)) return t;
  return null;
}

/** The existing part of a path to check: up to (not including) the first segment with a placeholder or glob. */
function checkable(p: string): string {
  const segments = p.split("/");
  const cut = segments.findIndex((s) => /[<>*{}…]/.test(s));
  return cut === -1 ? p : segments.slice(0, cut).join("/");
}

/** A markdown link or image. Its text may hold brackets (`[[...path]]`), its target balanced parentheses (`app/(flow)/otp/page.tsx`). */
const LINK = /!?\[(?:[^[\]]|\[(?:[^[\]]|\[[^[\]]*\])*\])*\]\(((?:[^()\s]|\([^()\s]*\))+)(?:\s+"[^"]*")?\)/g;

export interface Problem {
  file: string;
  cited: string;
  why: string;
}

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchors(md: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(md).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = m[1]!
      .replace(/`/g, "")
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Every cited path and relative link in the markdown files that does not resolve. */
export function brokenCitations(root = ROOT, files = markdownFiles(root)): Problem[] {
  const ignored = ignoredPrefixes(root);
  const generated = (p: string) => ignored.some((g) => p.replace(/\/$/, "") === g || p.startsWith(`${g}/`));
  const problems: Problem[] = [];
  for (const file of files) {
    const text = prose(fs.readFileSync(path.join(root, file), "utf8"));
    // A backticked path that is a link's text is checked as the link.
    for (const m of text.replace(LINK, "").matchAll(/`([^`\n]+)`/g)) {
      const cited = citedPath(m[1]!);
      if (!cited || generated(cited)) continue;
      if (!fs.existsSync(path.join(root, checkable(cited)))) problems.push({ file, cited, why: "no such path in the repository" });
    }
    for (const m of text.matchAll(LINK)) {
      const target = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const [rel, fragment] = target.split("#") as [string, string | undefined];
      const resolved = rel ? path.posix.normalize(path.posix.join(path.posix.dirname(file), rel)) : file;
      if (resolved.startsWith("..")) {
        problems.push({ file, cited: target, why: "link leaves the repository" });
        continue;
      }
      if (rel && generated(resolved)) continue;
      const full = path.join(root, resolved);
      if (!fs.existsSync(full)) {
        problems.push({ file, cited: target, why: "link target does not exist" });
        continue;
      }
      if (fragment && resolved.endsWith(".md") && !anchors(fs.readFileSync(full, "utf8")).has(fragment)) problems.push({ file, cited: target, why: `no heading #${fragment} in ${resolved}` });
    }
  }
  return problems;
}

describe("documentation citations", () => {
  it("finds the README, CONTRIBUTING.md and the docs pages", () => {
    const files = markdownFiles();
    expect(files).toEqual(expect.arrayContaining(["README.md", "CONTRIBUTING.md", "docs/configuration.md", "docs/architecture.md"]));
    expect(files.filter((f) => f.startsWith("docs/decisions/")).length).toBeGreaterThanOrEqual(5);
  });

  it("every cited repository path exists and every relative link resolves", () => {
    expect(brokenCitations()).toEqual([]);
  });

  it("recognises citations, and reports a missing path, a broken link and a missing heading", () => {
    expect(citedPath("lib/env.ts")).toBe("lib/env.ts");
    expect(citedPath("./package.json")).toBe("package.json");
    expect(citedPath(".env.example")).toBe(".env.example");
    expect(citedPath("app/(flow)/<factor>/page.tsx")).toBe("app/(flow)/<factor>/page.tsx");
    for (const notPath of ["npm run demo", "/api/health", "keystep.config.json", "sqlite:./data/keystep.db", "data/demo/", "KEYSTEP_SECRET", "https://x.example/a.js"])
      expect(citedPath(notPath), notPath).toBeNull();

    const dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "ks-docs-"));
    fs.mkdirSync(path.join(dir, "docs"));
    fs.mkdirSync(path.join(dir, "lib"));
    fs.writeFileSync(path.join(dir, "lib", "here.ts"), "");
    fs.writeFileSync(path.join(dir, ".gitignore"), "/bench/out.json\n");
    fs.writeFileSync(path.join(dir, "docs", "other.md"), "# Other page\n\n## A section\n");
    fs.writeFileSync(
      path.join(dir, "README.md"),
      [
        "See `lib/here.ts`, `lib/gone.ts`, `bench/out.json` and `lib/<x>/y.ts`.",
        "[ok](docs/other.md#a-section) [bad](docs/missing.md) [bad anchor](docs/other.md#nope) [web](https://example.com/x)",
        "[`lib/[[...p]]/(g)/x.ts`](lib/[[...p]]/(g)/x.ts) [`lib/here.ts`](lib/here.ts)",
        "```sh\ncat lib/also-gone.ts `lib/in-a-fence.ts`\n```",
      ].join("\n"),
    );
    expect(brokenCitations(dir).map((p) => p.cited)).toEqual(["lib/gone.ts", "docs/missing.md", "docs/other.md#nope", "lib/[[...p]]/(g)/x.ts"]);
  });
});

describe("docs/configuration.md", () => {
  it("names every variable lib/env.ts reads, and every secret's _FILE twin", () => {
    const source = fs.readFileSync(path.join(ROOT, "lib/env.ts"), "utf8");
    const read = new Set([...source.matchAll(/source\.([A-Z0-9_]+)|budget\("([A-Z0-9_]+)"/g)].map((m) => m[1] ?? m[2]!));
    for (const name of FILE_SECRETS) read.add(`${name}_FILE`);
    const doc = fs.readFileSync(path.join(ROOT, "docs/configuration.md"), "utf8");
    expect([...read].filter((name) => !new RegExp(`\\b${name}\\b`).test(doc))).toEqual([]);
    expect(read.size).toBeGreaterThan(40);
  });
});

describe("CONTRIBUTING.md: threat tests", () => {
  it("every *.threats.test.ts opens with a comment naming the threat and the defence", () => {
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const rel = path.posix.join(dir, e.name);
        if (e.isDirectory()) walk(rel);
        else if (e.name.endsWith(".threats.test.ts")) found.push(rel);
      }
    };
    for (const dir of SOURCE_DIRS) if (fs.existsSync(path.join(ROOT, dir))) walk(dir);
    expect(found.length).toBeGreaterThanOrEqual(5);
    const opening = /^\/\*\*?[\s\S]*?\bThreats?:[\s\S]*?\bDefences?:[\s\S]*?\*\//;
    expect(found.filter((f) => !opening.test(fs.readFileSync(path.join(ROOT, f), "utf8")))).toEqual([]);
  });
});
