import { describe, expect, it } from "vitest";
import { BACKENDS, env } from "@/lib/test/databases";
import { CONSOLE_ABSOLUTE_MS, CONSOLE_IDLE_MS, closeConsoleSession, consoleSession, openConsoleSession } from "./sessions";

const op = { sub: "auth0|op", email: "op@example.com", name: "Op" };

describe.each(BACKENDS)("console sessions ($name)", (backend) => {
  it("stores only a keyed hash of the cookie, and finds the session by the cookie", async () => {
    const { db, close } = await backend.open();
    try {
      const value = await openConsoleSession(db, env.keys, op, 1_000);
      const rows = await db.selectFrom("console_sessions").selectAll().execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.id).not.toContain(value);
      expect(await consoleSession(db, env.keys, value, 2_000)).toMatchObject({ operator: op, createdAt: 1_000, expiresAt: 1_000 + CONSOLE_ABSOLUTE_MS });
      expect(await consoleSession(db, env.keys, `${value}x`, 2_000)).toBeNull();
      expect(await consoleSession(db, env.keys, undefined, 2_000)).toBeNull();
    } finally {
      await close();
    }
  });

  it("ends after 15 idle minutes, each use restarting the clock, and after 8 hours whatever the use", async () => {
    const { db, close } = await backend.open();
    try {
      const t0 = 1_000_000;
      const value = await openConsoleSession(db, env.keys, op, t0);
      let t = t0;
      // Used every 14 minutes: alive until the absolute limit.
      while (t + CONSOLE_IDLE_MS - 60_000 < t0 + CONSOLE_ABSOLUTE_MS) {
        t += CONSOLE_IDLE_MS - 60_000;
        expect(await consoleSession(db, env.keys, value, t)).not.toBeNull();
      }
      expect(await consoleSession(db, env.keys, value, t0 + CONSOLE_ABSOLUTE_MS)).toBeNull();
      // An ended session's row is gone.
      expect(await db.selectFrom("console_sessions").selectAll().execute()).toEqual([]);

      const idle = await openConsoleSession(db, env.keys, op, t0);
      expect(await consoleSession(db, env.keys, idle, t0 + CONSOLE_IDLE_MS)).toBeNull();
    } finally {
      await close();
    }
  });

  it("sign-out removes the session", async () => {
    const { db, close } = await backend.open();
    try {
      const value = await openConsoleSession(db, env.keys, op);
      await closeConsoleSession(db, env.keys, value);
      expect(await consoleSession(db, env.keys, value)).toBeNull();
    } finally {
      await close();
    }
  });
});
