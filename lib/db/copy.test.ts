import crypto from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import { audit } from "@/lib/audit";
import { insertAuthenticator, listActive } from "@/lib/factors/authenticators";
import { issueRecoveryCodes, remainingRecoveryCodes } from "@/lib/factors/recovery-code/factor";
import { recordWasntMe, wasntMeCount } from "@/lib/users/signals";
import { BACKENDS, env, newFlowCtx } from "@/lib/test/databases";
import { connect, migrateToLatest } from "./connect";
import { CopyError, copyDatabase } from "./copy";
import type { Database } from "./schema";

const pgBackend = BACKENDS.find((b) => b.name === "postgres");
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

async function sqliteWithData(): Promise<Kysely<Database>> {
  const db = connect("sqlite::memory:");
  closers.push(() => db.destroy());
  await migrateToLatest(db);
  const user = { tenant: "acme", sub: `auth0|${crypto.randomUUID()}` };
  await insertAuthenticator(db, user, { factor: "otp", label: "", secret: "v1.sealed" });
  await issueRecoveryCodes(db, env.keys, user);
  await recordWasntMe(db, user);
  await newFlowCtx(db, user.sub);
  for (let i = 0; i < 7; i++) await audit(db, { event: "challenge.failure", tenant: user.tenant, sub: user.sub, factor: "otp", outcome: "code_invalid" });
  return db;
}

describe("copying SQLite to PostgreSQL (one instance becomes several)", () => {
  it("copies every row, table by table in batches with progress, and PostgreSQL's ids continue after the copied ones", async () => {
    if (!pgBackend) throw new Error("no PostgreSQL backend");
    const from = await sqliteWithData();
    const { db: to, close } = await pgBackend.open();
    closers.push(close);
    const progress: string[] = [];
    const copied = await copyDatabase(from, to, { batch: 3, progress: (table, n) => progress.push(`${table}:${n}`) });
    expect(copied).toMatchObject({ flows: 1, authenticators: 1, recovery_codes: 10, user_signals: 1, audit_events: 7 });
    expect(progress).toContain("recovery_codes:3");
    expect(progress).toContain("recovery_codes:10");
    const [user] = await to.selectFrom("authenticators").select(["tenant", "sub"]).execute();
    if (!user) throw new Error("no user copied");
    expect((await listActive(to, user)).map((a) => [a.factor, a.secret])).toEqual([["otp", "v1.sealed"]]);
    expect(await remainingRecoveryCodes(to, user)).toBe(10);
    expect(await wasntMeCount(to, user)).toBe(1);
    // A new audit row after the copy gets the next id, not a clash with a copied one.
    await audit(to, { event: "after.copy", tenant: user.tenant, sub: user.sub });
    const ids = (await to.selectFrom("audit_events").select("id").orderBy("id").execute()).map((r) => Number(r.id));
    expect(new Set(ids).size).toBe(8);
    expect(Math.max(...ids)).toBeGreaterThan(7);
  });

  it("refuses a target that already holds rows, and a source with migrations missing, saying what to do", async () => {
    if (!pgBackend) throw new Error("no PostgreSQL backend");
    const from = await sqliteWithData();
    const { db: to, close } = await pgBackend.open();
    closers.push(close);
    await copyDatabase(from, to);
    await expect(copyDatabase(from, to)).rejects.toThrow(CopyError);
    await expect(copyDatabase(from, to)).rejects.toThrow(/not empty/);
    const bare = connect("sqlite::memory:");
    closers.push(() => bare.destroy());
    await expect(copyDatabase(bare, to)).rejects.toThrow(/npm run migrate/);
  });
});
