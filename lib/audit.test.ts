import { CompiledQuery, type Kysely } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Database } from "@/lib/db/schema";
import { BACKENDS } from "@/lib/test/databases";
import { audit, recentAuditEvents, REDACTED } from "./audit";

const lines = vi.hoisted(() => [] as string[]);
vi.mock("@/lib/log", async (importOriginal) => (await import("@/lib/test/log-capture")).captureLog(importOriginal, lines));

const user = { tenant: "tenant.eu.auth0.com", sub: "auth0|audited" };

// What must never be written anywhere (the redaction threat test below).
const CODE = "493817";
const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhdXRoMHwxIn0.c2lnbmF0dXJlLXZhbHVl";
const RECOVERY = "AB2C-D3EF-G4HJ-K5MN";

describe.each(BACKENDS)("audit events on $name", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());
  beforeEach(() => {
    lines.length = 0;
  });

  it("writes each event as a row and as one structured JSON log line", async () => {
    await audit(db, {
      event: "challenge.failure",
      tenant: user.tenant,
      sub: user.sub,
      flowId: "flow-1",
      factor: "otp",
      outcome: "code_invalid",
      ip: "203.0.113.9",
      userAgent: "Mozilla/5.0",
      detail: { failures: 3 },
    });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 30,
      app: "keystep",
      kind: "audit",
      msg: "audit challenge.failure",
      event: "challenge.failure",
      tenant: user.tenant,
      sub: user.sub,
      flow_id: "flow-1",
      factor: "otp",
      outcome: "code_invalid",
      ip: "203.0.113.9",
      user_agent: "Mozilla/5.0",
      detail: { failures: 3 },
      at: expect.any(Number),
    });
    const [latest] = await recentAuditEvents(db, user, 1);
    expect(latest).toMatchObject({ event: "challenge.failure", flowId: "flow-1", factor: "otp", outcome: "code_invalid", ip: "203.0.113.9", detail: { failures: 3 } });
  });

  it("still logs the event when the row cannot be written", async () => {
    const broken = { insertInto: () => ({ values: () => ({ execute: () => Promise.reject(new Error("disk full")) }) }) } as unknown as Kysely<Database>;
    await expect(audit(broken, { event: "flow.opened", tenant: user.tenant, sub: user.sub })).resolves.toBeUndefined();
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(["audit flow.opened", "audit write failed"]);
  });

  it("reads a user's events newest first, events in one millisecond included", async () => {
    const u = { tenant: user.tenant, sub: "auth0|ordered" };
    const at = Date.now();
    for (const event of ["a", "b", "c"])
      await db.insertInto("audit_events").values({ at, tenant: u.tenant, sub: u.sub, flow_id: null, event, factor: null, outcome: null, ip: null, user_agent: null, detail: null }).execute();
    expect((await recentAuditEvents(db, u)).map((e) => e.event)).toEqual(["c", "b", "a"]);
  });

  if (backend.name === "sqlite") {
    it("serves recent events from audit_user_idx without sorting", async () => {
      const query = db.selectFrom("audit_events").select(["at", "event"]).where("tenant", "=", user.tenant).where("sub", "=", user.sub).orderBy("at", "desc").orderBy("id", "desc").limit(50).compile();
      const plan = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${query.sql}`, [...query.parameters]));
      const text = plan.rows.map((r) => r.detail).join("\n");
      expect(text).toContain("audit_user_idx");
      expect(text).not.toContain("TEMP B-TREE");
    });
  }

  it("threat: a code, secret or token smuggled into detail reaches neither the audit row nor the log", async () => {
    await audit(db, {
      event: "challenge.failure",
      tenant: "tenant.eu.auth0.com",
      sub: "auth0|leaky",
      factor: "otp",
      outcome: "code_invalid",
      detail: {
        failures: 2,
        code: CODE,
        secret: SECRET,
        token: TOKEN,
        session_token: TOKEN,
        // Nested, renamed and inside lists: the call sites that will one day forget.
        submitted: { otpCode: CODE, recoveryCode: RECOVERY, clientSecret: SECRET },
        attempts: [{ code: CODE }, { "Session-Token": TOKEN }],
      },
    });
    const row = await db.selectFrom("audit_events").selectAll().where("sub", "=", "auth0|leaky").executeTakeFirstOrThrow();
    const stored = JSON.stringify(row);
    const logged = lines.join("\n");
    expect(lines).toHaveLength(1);
    for (const value of [CODE, SECRET, TOKEN, RECOVERY]) {
      expect(stored).not.toContain(value);
      expect(logged).not.toContain(value);
    }
    // What is not secret survives, so the trail stays useful.
    expect(JSON.parse(row.detail!)).toMatchObject({ failures: 2, code: REDACTED, submitted: { otpCode: REDACTED, recoveryCode: REDACTED } });
    expect(JSON.parse(lines[0]!).detail).toMatchObject({ failures: 2, token: REDACTED, attempts: [{ code: REDACTED }, { "Session-Token": REDACTED }] });
  });
});
