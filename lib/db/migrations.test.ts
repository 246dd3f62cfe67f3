import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { Migrator, sql } from "kysely";
import pg from "pg";
import { connect, migrateToLatest, pendingMigrations } from "./connect";
import { BACKENDS, newFlowCtx, PG_URL } from "@/lib/test/databases";
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

describe("0011_users_are_keyed_by_tenant", () => {
  it("renames auth0_host to tenant in every user table, keeping the rows (their values move to the tenant at boot)", async () => {
    const db = connect("sqlite::memory:");
    try {
      const upTo10 = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < "0011"));
      const { error } = await new Migrator({ db, provider: { getMigrations: async () => upTo10 } }).migrateToLatest();
      expect(error).toBeUndefined();
      await sql`insert into authenticators (id, auth0_host, sub, factor, label, failure_count, created_at) values ('a1', 'login.acme.com', 'auth0|1', 'otp', '', 0, 1)`.execute(db);
      await sql`insert into user_signals (auth0_host, sub, wasnt_me_count) values ('login.acme.com', 'auth0|1', 2)`.execute(db);
      await migrations["0011_users_are_keyed_by_tenant"]?.up(db as never);
      expect(await db.selectFrom("authenticators").select(["tenant", "sub"]).execute()).toEqual([{ tenant: "login.acme.com", sub: "auth0|1" }]);
      expect(await db.selectFrom("user_signals").select(["tenant", "wasnt_me_count"]).execute()).toEqual([{ tenant: "login.acme.com", wasnt_me_count: 2 }]);
      for (const table of ["flows", "authenticators", "audit_events", "recovery_codes", "devices", "user_signals"]) {
        const columns = (await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db)).rows.map((r) => r.name);
        expect(columns, table).toContain("tenant");
        expect(columns, table).not.toContain("auth0_host");
      }
    } finally {
      await db.destroy();
    }
  });
});

describe("several instances starting at once (PostgreSQL)", () => {
  it("four processes' migrators racing on one fresh database apply every migration exactly once, and none fails", async () => {
    const schema = `ks_race_${crypto.randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    // One pool each, as separate instances have: Kysely's migrator serialises them with an advisory lock.
    const instances = Array.from({ length: 4 }, () => connect(PG_URL, { schema }));
    try {
      const results = await Promise.allSettled(instances.map((db) => migrateToLatest(db)));
      expect(results.filter((r) => r.status === "rejected")).toEqual([]);
      const applied = results.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
      expect(applied.sort()).toEqual(Object.keys(migrations).sort());
      const recorded = await admin.query<{ name: string }>(`select name from ${schema}.kysely_migration order by name`);
      expect(recorded.rows.map((r) => r.name)).toEqual(Object.keys(migrations).sort());
      for (const db of instances) expect(await pendingMigrations(db)).toEqual([]);
    } finally {
      await Promise.all(instances.map((db) => db.destroy()));
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
  });
});
