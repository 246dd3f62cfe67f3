import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Redis from "ioredis";
import crypto from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { BACKENDS } from "@/lib/test/databases";
import { DbBudgetStore, RedisBudgetStore, type BudgetStore } from "./budgets";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const HOUR = 3_600_000;

function budgetContract(name: string, open: () => Promise<{ store: BudgetStore; close(): Promise<void> }>) {
  describe(`threat: send budgets exhausted by a pumping attack (${name})`, () => {
    let store: BudgetStore;
    let close: () => Promise<void>;
    beforeAll(async () => ({ store, close } = await open()));
    afterAll(() => close());
    const id = () => crypto.randomBytes(6).toString("hex");

    it("allows exactly `limit` sends per window, then reports the wait", async () => {
      const key = { bucket: `num:${id()}`, limit: 3, windowMs: HOUR };
      const t = Date.now();
      for (let i = 0; i < 3; i++) expect(await store.take([key], t + i)).toEqual({ ok: true });
      const r = await store.take([key], t + 10);
      expect(r).toMatchObject({ ok: false, reason: "exhausted", bucket: key.bucket });
      expect(r.ok === false && r.reason === "exhausted" && r.retryAfterMs).toBeGreaterThan(HOUR - 60_000);
      expect(await store.take([key], t + HOUR + 1)).toEqual({ ok: true });
    });

    it("spends nothing when any budget in the set is exhausted", async () => {
      const tight = { bucket: `ip:${id()}`, limit: 1, windowMs: HOUR };
      const loose = { bucket: `user:${id()}`, limit: 2, windowMs: HOUR };
      expect(await store.take([tight, loose])).toEqual({ ok: true });
      expect(await store.take([loose, tight])).toMatchObject({ ok: false, bucket: tight.bucket });
      // The refused attempt did not spend `loose`: one unit is still left there.
      expect(await store.take([loose])).toEqual({ ok: true });
      expect(await store.take([loose])).toMatchObject({ ok: false });
    });

    it("holds under 40 parallel sends", async () => {
      const key = { bucket: `global:${id()}`, limit: 7, windowMs: HOUR };
      const results = await Promise.all(Array.from({ length: 40 }, () => store.take([key])));
      expect(results.filter((r) => r.ok)).toHaveLength(7);
    });
  });
}

for (const backend of BACKENDS) {
  budgetContract(backend.name, async () => {
    const { db, close } = await backend.open();
    return { store: new DbBudgetStore(db as Kysely<Database>), close };
  });

  it(`keeps only the spends inside the window (${backend.name})`, async () => {
    const { db, close } = await backend.open();
    try {
      const store = new DbBudgetStore(db as Kysely<Database>);
      const key = { bucket: `prune:${crypto.randomBytes(6).toString("hex")}`, limit: 5, windowMs: HOUR };
      const t = Date.now();
      for (let i = 0; i < 3; i++) expect(await store.take([key], t + i)).toEqual({ ok: true });
      expect(await store.take([key], t + HOUR + 5)).toEqual({ ok: true });
      const rows = await (db as Kysely<Database>).selectFrom("attempts").select("at").where("bucket", "=", key.bucket).execute();
      expect(rows.map((r) => Number(r.at))).toEqual([t + HOUR + 5]);
    } finally {
      await close();
    }
  });
}

budgetContract("redis", async () => {
  const redis = new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 });
  return { store: new RedisBudgetStore(redis, `keystep-test:${crypto.randomBytes(4).toString("hex")}:`), close: async () => void redis.disconnect() };
});

describe("threat: the budget store is down", () => {
  it("fails closed when Redis is unreachable", async () => {
    const redis = new Redis("redis://127.0.0.1:1", { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    const store = new RedisBudgetStore(redis);
    expect(await store.take([{ bucket: "x", limit: 10, windowMs: HOUR }])).toEqual({ ok: false, reason: "unavailable" });
    redis.disconnect();
  });

  it("fails closed when the database is unreachable", async () => {
    const { db, close } = await BACKENDS[0]!.open();
    await close();
    const store = new DbBudgetStore(db);
    expect(await store.take([{ bucket: "x", limit: 10, windowMs: HOUR }])).toEqual({ ok: false, reason: "unavailable" });
  });
});
