import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { BACKENDS } from "@/lib/test/databases";
import { audit, REDACTED } from "./audit";

const lines = vi.hoisted(() => [] as string[]);
vi.mock("@/lib/log", async (importOriginal) => (await import("@/lib/test/log-capture")).captureLog(importOriginal, lines));

const CODE = "493817";
const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhdXRoMHwxIn0.c2lnbmF0dXJlLXZhbHVl";
const RECOVERY = "AB2C-D3EF-G4HJ-K5MN";

describe.each(BACKENDS)("audit trail on $name", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());
  beforeEach(() => {
    lines.length = 0;
  });

  it("threat: a code, secret or token smuggled into detail reaches neither the audit row nor the log", async () => {
    await audit(db, {
      event: "challenge.failure",
      auth0Host: "tenant.eu.auth0.com",
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
