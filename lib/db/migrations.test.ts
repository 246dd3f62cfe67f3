import { describe, expect, it } from "vitest";
import { BACKENDS, newFlowCtx } from "@/lib/test/databases";
import { migrations } from "./migrations";

describe.each(BACKENDS)("migrations ($name)", (backend) => {
  it("0010 renames what was stored as 'setup' to 'enroll', so a code or a ceremony in flight at the upgrade still completes", async () => {
    const { db, close } = await backend.open();
    try {
      const ctx = await newFlowCtx(db);
      const now = Date.now();
      await db
        .insertInto("challenges")
        .values({
          id: "c-old",
          flow_id: ctx.flow.id,
          factor: "email",
          purpose: "setup" as never,
          destination: "a@example.com",
          code_hash: "h",
          attempts: 0,
          created_at: now,
          expires_at: now + 600_000,
          consumed_at: null,
          superseded_at: null,
        })
        .execute();
      const pending = JSON.stringify({ webauthn: { challenge: "abc", purpose: "setup", factor: "webauthn-platform", expiresAt: now + 60_000 } });
      await db.updateTable("flows").set({ pending }).where("id", "=", ctx.flow.id).execute();

      await migrations["0010_enroll_is_the_word"]?.up(db as never);

      const row = await db.selectFrom("challenges").select("purpose").where("id", "=", "c-old").executeTakeFirstOrThrow();
      expect(row.purpose).toBe("enroll");
      const flow = await db.selectFrom("flows").select("pending").where("id", "=", ctx.flow.id).executeTakeFirstOrThrow();
      expect(JSON.parse(flow.pending ?? "{}").webauthn.purpose).toBe("enroll");
    } finally {
      await close();
    }
  });
});
