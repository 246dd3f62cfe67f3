/**
 * Drill (#16): SQLite's write lock is held by another process (a backup, a second instance by
 * mistake) while a user verifies. A deferred transaction that had read failed at once with
 * SQLITE_BUSY (an HTTP 500 in milliseconds); the write must wait for the lock (busy_timeout) and
 * succeed once it is released.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { connect, migrateToLatest } from "./connect";

/** Another process that takes the write lock, says so, and holds it for `ms`. */
function holdWriteLock(file: string, ms: number): Promise<{ done: Promise<void> }> {
  const script = `const db = new (require("better-sqlite3"))(${JSON.stringify(file)}); db.exec("BEGIN IMMEDIATE"); process.stdout.write("locked\\n"); const until = Date.now() + ${ms}; while (Date.now() < until) {} db.exec("COMMIT"); db.close();`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const done = new Promise<void>((resolve, reject) => child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`lock holder exited ${code}`)))));
  return new Promise((resolve, reject) => {
    child.stdout.once("data", () => resolve({ done }));
    child.once("error", reject);
  });
}

describe("SQLite write lock held by another process", () => {
  it("drill: a verification that reads, then writes, waits for the lock and succeeds once it is released", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keystep-lock-"));
    const file = path.join(dir, "keystep.db");
    const db = connect(`sqlite:${file}`);
    try {
      await migrateToLatest(db);
      await db.insertInto("attempts").values({ bucket: "otp-failures:t|auth0|1|otp", at: 1 }).execute();
      const lock = await holdWriteLock(file, 400);
      const started = Date.now();
      // The shape of every check: read the budget, then spend it.
      await db.transaction().execute(async (trx) => {
        await trx.selectFrom("attempts").selectAll().execute();
        await trx.insertInto("attempts").values({ bucket: "otp-failures:t|auth0|1|otp", at: 2 }).execute();
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      await lock.done;
      expect((await db.selectFrom("attempts").select("at").orderBy("at").execute()).map((r) => r.at)).toEqual([1, 2]);
    } finally {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
