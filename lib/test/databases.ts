import { userFactors } from "@/lib/flow/user-factors";
import { nextStep } from "@/lib/flow/next-step";
import { passStep } from "@/lib/flow/transition";
import crypto from "node:crypto";
import pg from "pg";
import type { Kysely } from "kysely";
import { Secret } from "otpauth";
import { connect, migrateToLatest } from "@/lib/db/connect";
import type { Database } from "@/lib/db/schema";
import type { FactorCtx } from "@/lib/factors/types";
import { findFlow, openFlow } from "@/lib/flow/repo";
import type { FlowContext } from "@/lib/flow/types";
import { testEnv } from "./env";

/** PostgreSQL for integration tests; on node-svc machines it runs locally with trust auth. */
export const PG_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface Backend {
  name: "sqlite" | "postgres";
  open(): Promise<{ db: Kysely<Database>; close(): Promise<void> }>;
}

/** Both storage backends; each open() gives a fresh, migrated database (a schema of its own on PostgreSQL). */
export const BACKENDS: Backend[] = [
  {
    name: "sqlite",
    async open() {
      const db = connect("sqlite::memory:");
      await migrateToLatest(db);
      return { db, close: () => db.destroy() };
    },
  },
  {
    name: "postgres",
    async open() {
      const schema = `ks_test_${crypto.randomBytes(6).toString("hex")}`;
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      await admin.end();
      const db = connect(PG_URL, { schema });
      await migrateToLatest(db);
      return {
        db,
        async close() {
          await db.destroy();
          const c = new pg.Client({ connectionString: PG_URL });
          await c.connect();
          await c.query(`drop schema ${schema} cascade`);
          await c.end();
        },
      };
    },
  },
];

export const env = testEnv();

/** Opens a flow for a user as the entry route would, and returns a factor context for it. */
export async function newFlowCtx(db: Kysely<Database>, sub = `auth0|${crypto.randomUUID()}`, now = Date.now(), extra: Partial<FlowContext> = {}): Promise<FactorCtx> {
  const opened = await openFlow(
    db,
    env.keys,
    {
      state: crypto.randomBytes(16).toString("base64url"),
      sessionToken: crypto.randomBytes(24).toString("base64url"),
      // The passkey offer is snoozed (as on a browser that said "not now"): tests of the offer open their own flows.
      context: { claims: { iss: "tenant.eu.auth0.com", sub, iat: 0, exp: 0, email: "ada@example.com" }, ip: "203.0.113.9", userAgent: "vitest", offerSnoozed: true, ...extra },
      ttlSeconds: 900,
    },
    now,
  );
  if (!opened.ok) throw new Error("state clash");
  return { db, env, flow: opened.flow, now };
}

/** Reloads the flow row into the context, as the next request would. */
export async function reload(ctx: FactorCtx, now = ctx.now): Promise<FactorCtx> {
  return { ...ctx, flow: (await findFlow(ctx.db, ctx.flow.id))!, now };
}

export function secretBytes(b32: string): Uint8Array {
  return Secret.fromBase32(b32).bytes;
}

/** A six-digit code guaranteed wrong for steps T−1..T+1, so a "wrong code" test can never pass by luck. */
export function wrongCode(secret: Uint8Array, now: number, totpAt: (s: Uint8Array, t: number) => string): string {
  const valid = new Set([-30_000, 0, 30_000].map((d) => totpAt(secret, now + d)));
  for (let n = 0; ; n++) {
    const c = String(n).padStart(6, "0");
    if (!valid.has(c)) return c;
  }
}

/**
 * Walks a verified flow through the steps a person clicks through after a proof (saving the
 * recovery codes, "not now" to the passkey offer) until nextStep stops there; returns the flow as
 * the next request would see it.
 */
export async function clickThrough(ctx: FactorCtx): Promise<FactorCtx> {
  for (let i = 0; i < 5; i++) {
    ctx = await reload(ctx);
    const step = nextStep(ctx.flow, await userFactors(ctx.flow, ctx.db, ctx.env), ctx.now);
    if (step.kind === "recovery-codes") await passStep(ctx, { recoveryDone: true });
    else if (step.kind === "offer-passkey") await passStep(ctx, { offerDone: true });
    else return ctx;
  }
  return reload(ctx);
}
