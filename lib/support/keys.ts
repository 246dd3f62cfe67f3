import { type Kysely, sql } from "kysely";
import { audit } from "@/lib/audit";
import type { Database } from "@/lib/db/schema";
import { authenticatorAad } from "@/lib/factors/otp/factor";
import type { KeyRing } from "@/lib/security/keys";

/**
 * Key rotation for operators (docs/operations.md, "Rotating keys"): `rotate` re-seals every stored
 * TOTP secret under the current KEYSTEP_ENCRYPTION_KEY; `keys status` counts what still depends on
 * each key, so the operator knows when a previous key (or the legacy KEYSTEP_SECRET) can go.
 */

export interface RotateSummary {
  keyId: string;
  /** Re-sealed under the current key by this run. */
  rotated: number;
  /** Already under the current key. */
  current: number;
  /** No configured key opens them (a key was removed too early): listed by authenticator id. */
  unreadable: string[];
}

export const ROTATE_BATCH = 200;

/**
 * Re-seals every TOTP secret not under the current key, in batches of ROTATE_BATCH, each batch
 * one transaction. Each row is replaced only if it still holds the value that was read
 * (compare-and-set), so a user enrolling or being reset meanwhile is never overwritten. Running it
 * again changes nothing. Flows keep their sealed values only for their own lifetime, so they are
 * left to expire (the rollover window).
 */
export async function rotateKeys(db: Kysely<Database>, keys: KeyRing, opts: { actor: string; progress?: (done: number) => void; batchSize?: number }): Promise<RotateSummary> {
  const batchSize = opts.batchSize ?? ROTATE_BATCH;
  const summary: RotateSummary = { keyId: keys.current.id, rotated: 0, current: 0, unreadable: [] };
  let after = "";
  for (;;) {
    const rows = await db.selectFrom("authenticators").select(["id", "secret"]).where("secret", "is not", null).where("id", ">", after).orderBy("id").limit(batchSize).execute();
    const last = rows.at(-1);
    if (!last) break;
    after = last.id;
    await db.transaction().execute(async (trx) => {
      for (const row of rows) {
        const sealed = row.secret;
        if (sealed === null) continue;
        if (keys.isCurrent(sealed)) {
          summary.current++;
          continue;
        }
        let plain: Buffer;
        try {
          plain = keys.open("totp", sealed, authenticatorAad(row.id));
        } catch {
          summary.unreadable.push(row.id);
          continue;
        }
        const res = await trx
          .updateTable("authenticators")
          .set({ secret: keys.seal("totp", plain, authenticatorAad(row.id)) })
          .where("id", "=", row.id)
          .where("secret", "=", sealed)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) === 1) summary.rotated++;
      }
    });
    opts.progress?.(summary.rotated + summary.current + summary.unreadable.length);
  }
  await audit(db, {
    event: "keys.rotated",
    outcome: summary.unreadable.length ? "partial" : "success",
    detail: { actor: opts.actor, keyId: summary.keyId, rotated: summary.rotated, current: summary.current, unreadable: summary.unreadable.length },
  });
  return summary;
}

/** Where a stored value's key stands: the current key, a previous one, before key ids (legacy), or a key no longer configured. */
export type KeyState = "current" | "previous" | "legacy" | "unknown";

export interface KeyUse {
  /** What is stored (e.g. "TOTP secrets"). */
  what: string;
  /** The key id, or null for values from before key ids. */
  keyId: string | null;
  state: KeyState;
  rows: number;
}

export interface KeyStatus {
  current: string;
  previous: string[];
  uses: KeyUse[];
  /** Passkeys registered before user handles were stored, not used since: they are checked with KEYSTEP_SECRET (or KEYSTEP_LEGACY_HASH_SECRET). */
  legacyPasskeys: number;
  /** Whether each previous key, and the legacy KEYSTEP_SECRET, is still needed. */
  stillNeeded: { previous: Record<string, boolean>; legacySecret: boolean };
}

/**
 * What depends on which key: long-lived values (TOTP secrets, unused recovery codes, devices not
 * revoked, open enrollment links) and flows that have not expired yet (their ids, codes and links live as long as they do).
 */
export async function keyStatus(db: Kysely<Database>, keys: KeyRing, now = Date.now()): Promise<KeyStatus> {
  const kid = (column: string) => sql<string | null>`case when substr(${sql.ref(column)}, 9, 1) = '$' then substr(${sql.ref(column)}, 1, 8) else null end`;
  const counted = async (what: string, q: Promise<Array<{ kid: string | null; n: number | string | bigint }>>) =>
    (await q).map((r) => ({ what, keyId: r.kid, state: stateOf(keys, r.kid), rows: Number(r.n) }));
  const count = sql<number>`count(*)`;
  const uses = [
    ...(await counted(
      "TOTP secrets",
      db
        .selectFrom("authenticators")
        .select([kid("secret").as("kid"), count.as("n")])
        .where("secret", "is not", null)
        .groupBy(kid("secret"))
        .execute(),
    )),
    ...(await counted(
      "recovery codes (unused)",
      db
        .selectFrom("recovery_codes")
        .select([kid("code_hash").as("kid"), count.as("n")])
        .where("used_at", "is", null)
        .groupBy(kid("code_hash"))
        .execute(),
    )),
    ...(await counted(
      "devices (not revoked)",
      db
        .selectFrom("devices")
        .select([kid("token_hash").as("kid"), count.as("n")])
        .where("revoked_at", "is", null)
        .groupBy(kid("token_hash"))
        .execute(),
    )),
    ...(await counted(
      "app device ids",
      db
        .selectFrom("devices")
        .select([kid("app_device_hash").as("kid"), count.as("n")])
        .where("revoked_at", "is", null)
        .where("app_device_hash", "is not", null)
        .groupBy(kid("app_device_hash"))
        .execute(),
    )),
    // An open enrollment link is found by its token's hash, a claimed one also by its claim's (lib/enrollment-links.ts).
    ...(await counted(
      "enrollment links (open)",
      db
        .selectFrom("enrollment_links")
        .select([kid("token_hash").as("kid"), count.as("n")])
        .where("used_at", "is", null)
        .where("revoked_at", "is", null)
        .where("expires_at", ">", now)
        .groupBy(kid("token_hash"))
        .execute(),
    )),
    ...(await counted(
      "enrollment link claims (open)",
      db
        .selectFrom("enrollment_links")
        .select([kid("claim_hash").as("kid"), count.as("n")])
        .where("claim_hash", "is not", null)
        .where("used_at", "is", null)
        .where("revoked_at", "is", null)
        .where("expires_at", ">", now)
        .groupBy(kid("claim_hash"))
        .execute(),
    )),
    ...(await counted(
      "flows (not expired)",
      db
        .selectFrom("flows")
        .select([kid("id").as("kid"), count.as("n")])
        .where("expires_at", ">", now)
        .groupBy(kid("id"))
        .execute(),
    )),
  ].sort((a, b) => a.what.localeCompare(b.what) || String(a.keyId).localeCompare(String(b.keyId)));
  const passkeys = await db.selectFrom("authenticators").select(count.as("n")).where("credential_id", "is not", null).where("user_handle", "is", null).executeTakeFirstOrThrow();
  const legacyPasskeys = Number(passkeys.n);
  const previous = keys.previous.map((k) => k.id);
  return {
    current: keys.current.id,
    previous,
    uses,
    legacyPasskeys,
    stillNeeded: {
      // A TOTP secret from before key ids was sealed with the raw key of its day, which may be any of them.
      previous: Object.fromEntries(previous.map((id) => [id, uses.some((u) => u.rows > 0 && (u.keyId === id || (u.state === "legacy" && u.what === "TOTP secrets")))])),
      legacySecret: legacyPasskeys > 0 || uses.some((u) => u.state === "legacy" && u.what !== "TOTP secrets" && u.rows > 0),
    },
  };
}

function stateOf(keys: KeyRing, kid: string | null): KeyState {
  if (kid === null) return "legacy";
  if (kid === keys.current.id) return "current";
  return keys.root(kid) ? "previous" : "unknown";
}
