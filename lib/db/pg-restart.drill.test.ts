/**
 * Drill (#16): PostgreSQL ends Keystep's sessions (a restart, a failover, an administrator's
 * pg_terminate_backend) while a pooled connection is checked out between two statements. pg-pool
 * listens for a client's errors only while the client is idle in the pool, so the drop used to
 * surface as an uncaught exception ("terminating connection due to administrator command"),
 * which only Next's own process handler kept from ending the process. The browser side of this
 * drill, against a PostgreSQL that restarts under load, is e2e/drills.spec.ts.
 */
import { sql } from "kysely";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { PG_URL } from "@/lib/test/databases";
import { connect } from "./connect";

describe("a PostgreSQL session ended under a checked-out connection", () => {
  const db = connect(PG_URL);
  afterAll(() => db.destroy());

  it("drill: the session is terminated between two statements — the next statement fails, no uncaught error, and the pool serves the next query", async () => {
    const uncaught: unknown[] = [];
    const record = (e: unknown) => uncaught.push(e);
    process.prependListener("uncaughtException", record);
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      const second = await db.connection().execute(async (c) => {
        const { pid } = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(c)).rows[0]!;
        await admin.query("select pg_terminate_backend($1)", [pid]);
        // The server's goodbye reaches the client while it is checked out and idle.
        await new Promise((r) => setTimeout(r, 300));
        return sql`select 1`.execute(c).then(
          () => "answered",
          () => "failed",
        );
      });
      expect(second).toBe("failed");
      expect(uncaught).toEqual([]);
      expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }]);
    } finally {
      process.removeListener("uncaughtException", record);
      await admin.end();
    }
  });
});
