import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/** Runs axe-core (WCAG 2.2 A/AA rules) on the page and fails with the violations listed. */
export async function expectAccessible(page: Page, label: string) {
  // Next streams metadata: after a client-side step the <title> can arrive a moment later.
  await expect(page).toHaveTitle(/\S/);
  // Axe measures the page as laid out: an HTML-only screen's stylesheet is a <link> (the browser
  // paints nothing before it loads, but scripts can run before it), so wait for it.
  await page.waitForLoadState("load");
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  const summary = violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .map((n) => n.target.join(" "))
        .slice(0, 3)
        .join(", ")}`,
  );
  expect(summary, `${label}: axe violations`).toEqual([]);
}
