import { afterEach, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { connect, migrateToLatest } from "@/lib/db/connect";
import { RedisBudgetStore } from "@/lib/security/budgets";
import { BACKENDS } from "@/lib/test/databases";
import { readiness, startup } from "./health";

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

describe.each(BACKENDS)("readiness ($name)", (backend) => {
  it("is ok on a reachable, migrated database", async () => {
    const { db, close } = await backend.open();
    closers.push(close);
    expect(await readiness({ db })).toEqual({ status: "ok", checks: { database: "ok", migrations: "ok" } });
  });
});

describe("probes", () => {
  it("readiness is unavailable while this release has a migration the database lacks (a newer instance must run first)", async () => {
    const db = connect("sqlite::memory:");
    closers.push(() => db.destroy());
    expect(await readiness({ db })).toEqual({ status: "unavailable", checks: { database: "ok", migrations: "pending" } });
    await migrateToLatest(db);
    expect((await readiness({ db })).status).toBe("ok");
  });

  it("readiness is unavailable, within the probe's time, when the database does not answer", async () => {
    const db = connect("postgres://postgres@127.0.0.1:9/none");
    closers.push(() => db.destroy());
    const started = Date.now();
    expect(await readiness({ db })).toEqual({ status: "unavailable", checks: { database: "unavailable", migrations: "unavailable" } });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("readiness checks Redis when the send budgets live there: down is unavailable, up is ok", async () => {
    const db = connect("sqlite::memory:");
    closers.push(() => db.destroy());
    await migrateToLatest(db);
    const down = new Redis("redis://127.0.0.1:9", { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
    down.on("error", () => {}); // the refused connection is the point
    closers.push(async () => down.disconnect());
    const downStore = new RedisBudgetStore(down);
    expect(await readiness({ db, redis: () => downStore.ping() })).toMatchObject({ status: "unavailable", checks: { redis: "unavailable" } });
    const up = new Redis(process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
    closers.push(async () => up.quit());
    const upStore = new RedisBudgetStore(up);
    expect(await readiness({ db, redis: () => upStore.ping() })).toEqual({ status: "ok", checks: { database: "ok", migrations: "ok", redis: "ok" } });
  });

  it("startup is ok only once this process's migrations ran", () => {
    expect(startup("pending")).toEqual({ status: "unavailable", checks: { migrations: "pending" } });
    expect(startup("failed")).toEqual({ status: "unavailable", checks: { migrations: "unavailable" } });
    expect(startup("done")).toEqual({ status: "ok", checks: { migrations: "ok" } });
  });
});
