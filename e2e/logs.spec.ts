// Correlation ids (#16 §3): every log line written while Keystep handles a request names that
// request, a proxy's X-Request-Id becomes the name, and audit lines about a login carry Auth0's
// transaction id, so Keystep's, the proxy's and Auth0's logs can be joined.
import crypto from "node:crypto";
import fs from "node:fs";
import { enrollNewUser, expect, newEmail, test } from "./support/fixtures";
import { E2E_LOG_FILE } from "./support/keystep-env";
import { E2E } from "./support/ports";

type Line = { kind?: string; event?: string; sub?: string | null; flow_id?: string | null; req_id?: string; auth0_tx?: string; msg?: string };

/** Keystep's JSON log lines since `offset` bytes into its log file. */
function linesSince(offset: number): Line[] {
  // `offset` counts bytes (fs.statSync), so slice the bytes before decoding.
  const text = fs.readFileSync(E2E_LOG_FILE).subarray(offset).toString("utf8");
  return text
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Line);
}

/** This login's audit lines, once its last one (flow.completed) has reached the log file through the pipe. */
async function loginLines(offset: number, email: string): Promise<Line[]> {
  const sub = simSub(email);
  const mine = () => linesSince(offset).filter((l) => l.kind === "audit" && l.sub === sub);
  await expect.poll(() => mine().some((l) => l.event === "flow.completed")).toBe(true);
  return mine();
}

/** The simulator's user id for an email (e2e/auth0-sim/server.ts), to pick one login's lines. */
const simSub = (email: string) => `auth0|${crypto.createHash("sha256").update(email.toLowerCase()).digest("hex").slice(0, 24)}`;

test("a proxy's X-Request-Id names the lines its requests write and comes back on the pages; every audit line of a login carries Auth0's transaction id", async ({ page, app, otp }) => {
  const requestId = crypto.randomBytes(16).toString("hex");
  const offset = fs.statSync(E2E_LOG_FILE).size;
  // As a proxy in front of Keystep would (nginx: proxy_set_header X-Request-Id $request_id).
  await page.setExtraHTTPHeaders({ "X-Request-Id": requestId });
  const answered: string[] = [];
  page.on("response", (r) => {
    if (r.url().startsWith(E2E.keystepUrl) && r.request().resourceType() === "document") answered.push(r.headers()["x-request-id"] ?? "");
  });
  const email = newEmail("logs");
  await enrollNewUser(page, app, otp, email);

  const audit = await loginLines(offset, email);
  const events = audit.map((l) => l.event);
  expect(events).toContain("flow.opened");
  expect(events).toContain("flow.completed");
  // One login: one flow and one Auth0 transaction on every line about it, from the first to the last.
  expect(new Set(audit.map((l) => l.flow_id)).size).toBe(1);
  const txs = new Set(audit.map((l) => l.auth0_tx));
  expect(txs.size).toBe(1);
  expect([...txs][0]).toMatch(/^sim_tx_/);
  // The requests that came with the proxy's id wrote their lines under it.
  const named = audit.filter((l) => l.req_id === requestId).map((l) => l.event);
  expect(named).toEqual(expect.arrayContaining(["code.sent", "enroll.success", "flow.completed"]));
  expect(answered.length).toBeGreaterThan(0);
  expect(new Set(answered)).toEqual(new Set([requestId]));
});

test("without a proxy's id, each request gets an id of its own on every line it writes", async ({ page, app, otp }) => {
  const offset = fs.statSync(E2E_LOG_FILE).size;
  const email = newEmail("logs-own");
  await enrollNewUser(page, app, otp, email);
  const audit = await loginLines(offset, email);
  expect(audit.length).toBeGreaterThan(2);
  for (const line of audit) expect(line.req_id, line.event).toMatch(/^[0-9a-f]{32}$/);
  // The login's first request and its last are different requests, with different ids.
  const opened = audit.find((l) => l.event === "flow.opened");
  const completed = audit.find((l) => l.event === "flow.completed");
  expect(opened && completed).toBeTruthy();
  expect(completed?.req_id).not.toBe(opened?.req_id);
});
