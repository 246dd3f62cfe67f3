/**
 * Drill (#16): the database fails while a React screen (app/…/page.tsx) renders. The screen must
 * send the browser to the error page's `unavailable` reason, the same clear, localised 503 page the
 * HTML-only screens give (lib/pages/screen.drill.test.ts), never Next's bare 500. The browser side
 * of this, against a real PostgreSQL that restarts, is e2e/drills.spec.ts.
 */
import fs from "node:fs";
import path from "node:path";
import { redirect } from "next/navigation";
import { describe, expect, it } from "vitest";
import { UNAVAILABLE_PATH } from "@/lib/errors";
import { reactAction, reactScreen } from "./guard";

/** Next's redirect signal carries its destination in its digest: `NEXT_REDIRECT;<type>;<url>;<status>;`. */
const destination = (e: unknown) => {
  const digest = (e as { digest?: unknown } | null)?.digest;
  return typeof digest === "string" && digest.startsWith("NEXT_REDIRECT;") ? digest.split(";")[2] : `not a redirect: ${String(e)}`;
};

describe("React screens when a dependency fails", () => {
  it("drill: the database throws mid-render — the screen redirects to the error page's 'unavailable' reason", async () => {
    const page = reactScreen(async () => {
      throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    });
    const thrown = await page({}).catch((e: unknown) => e);
    expect(destination(thrown)).toBe(UNAVAILABLE_PATH);
  });

  it("lets Next's own redirects through unchanged (a screen that is not the step)", async () => {
    const page = reactScreen(async () => redirect("/otp"));
    expect(destination(await page({}).catch((e: unknown) => e))).toBe("/otp");
  });

  it("renders the page when nothing fails", async () => {
    const page = reactScreen(async ({ n }: { n: number }) => `page ${n}`);
    expect(await page({ n: 1 })).toBe("page 1");
  });

  it("drill: the database throws mid-action — the server action redirects to the same page; its own redirects pass", async () => {
    const failing = reactAction(async (_prev: unknown, _form: unknown) => {
      throw new Error("Connection terminated unexpectedly");
    });
    expect(destination(await failing(null, null).catch((e: unknown) => e))).toBe(UNAVAILABLE_PATH);
    const moving = reactAction(async () => redirect("/continue"));
    expect(destination(await moving().catch((e: unknown) => e))).toBe("/continue");
    expect(await reactAction(async (n: number) => ({ n }))(2)).toEqual({ n: 2 });
  });

  it("every server action goes through the harness", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name === "actions.ts") files.push(p);
      }
    };
    walk("app");
    const bare = files.flatMap((f) =>
      fs
        .readFileSync(f, "utf8")
        .split("\n")
        .filter((l) => l.startsWith("export ") && !/^export const (\w+) = reactAction\(async function \1\(/.test(l))
        .map((l) => `${f}: ${l}`),
    );
    expect(files.length).toBeGreaterThan(5);
    expect(bare).toEqual([]);
  });

  it("every React screen goes through the harness (the bench's framework floor excepted)", () => {
    const pages: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name === "page.tsx") pages.push(p);
      }
    };
    walk("app");
    const bare = pages.filter((p) => p !== path.join("app", "bench", "floor", "page.tsx") && !/^export default reactScreen\(\w+\);$/m.test(fs.readFileSync(p, "utf8")));
    expect(pages.length).toBeGreaterThan(10);
    expect(bare).toEqual([]);
  });
});
