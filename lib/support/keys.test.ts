import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, migrateToLatest } from "@/lib/db/connect";
import type { Database } from "@/lib/db/schema";
import { recordDeviceMfa } from "@/lib/devices/repo";
import { insertAuthenticator } from "@/lib/factors/authenticators";
import { authenticatorAad } from "@/lib/factors/otp/factor";
import { issueRecoveryCodes } from "@/lib/factors/recovery-code/factor";
import { encrypt } from "@/lib/security/crypto";
import { storedKeyId } from "@/lib/security/keys";
import { BACKENDS } from "@/lib/test/databases";
import { TEST_SECRET, testEnv } from "@/lib/test/env";
import { claimLink, createLink } from "@/lib/enrollment-links";
import { EXIT, runCli } from "./cli";
import { keyStatus, rotateKeys } from "./keys";

const keyA = crypto.randomBytes(32);
const keyB = crypto.randomBytes(32);
const hex = (k: Buffer) => k.toString("hex");
const envA = testEnv({ KEYSTEP_ENCRYPTION_KEY: hex(keyA) });
const envB = testEnv({ KEYSTEP_ENCRYPTION_KEY: hex(keyB), KEYSTEP_PREVIOUS_ENCRYPTION_KEYS: hex(keyA) });
const envBOnly = testEnv({ KEYSTEP_ENCRYPTION_KEY: hex(keyB) });
const TENANT = "tenant.eu.auth0.com";

type Sealer = (id: string, secret: Buffer) => string;
/** How TOTP secrets were stored: before key ids (the raw key, the old formula), under A, under B. */
const sealers: Record<string, Sealer> = {
  legacy: (id, s) => encrypt(keyA, s, authenticatorAad(id)),
  a: (id, s) => envA.keys.seal("totp", s, authenticatorAad(id)),
  b: (id, s) => envB.keys.seal("totp", s, authenticatorAad(id)),
};

async function seed(db: Kysely<Database>, how: Sealer, n: number): Promise<Map<string, Buffer>> {
  const secrets = new Map<string, Buffer>();
  for (let i = 0; i < n; i++) {
    const id = crypto.randomUUID();
    const secret = crypto.randomBytes(20);
    await insertAuthenticator(db, { tenant: TENANT, sub: `auth0|${crypto.randomUUID()}` }, { id, factor: "otp", label: "", secret: how(id, secret) });
    secrets.set(id, secret);
  }
  return secrets;
}

describe.each(BACKENDS)("rotate and keys status on $name", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());

  it("re-encrypts every TOTP secret under the current key, in batches, idempotently, and audits it", async () => {
    const secrets = new Map([...(await seed(db, sealers.legacy!, 3)), ...(await seed(db, sealers.a!, 3)), ...(await seed(db, sealers.b!, 2))]);
    const before = await keyStatus(db, envB.keys);
    expect(before.stillNeeded.previous).toEqual({ [envA.keys.current.id]: true });
    expect(before.uses.filter((u) => u.what === "TOTP secrets").map((u) => [u.state, u.rows])).toEqual(
      expect.arrayContaining([
        ["legacy", 3],
        ["previous", 3],
        ["current", 2],
      ]),
    );
    const progress: number[] = [];
    const first = await rotateKeys(db, envB.keys, { actor: "test", batchSize: 3, progress: (n) => progress.push(n) });
    expect(first).toEqual({ keyId: envB.keys.current.id, rotated: 6, current: 2, unreadable: [] });
    expect(progress).toEqual([3, 6, 8]);
    // Every secret now opens with B alone: A can be removed.
    const rows = await db.selectFrom("authenticators").select(["id", "secret"]).execute();
    for (const r of rows) {
      expect(storedKeyId(r.secret!)).toBe(envB.keys.current.id);
      expect(envBOnly.keys.open("totp", r.secret!, authenticatorAad(r.id)).equals(secrets.get(r.id)!)).toBe(true);
    }
    expect((await keyStatus(db, envB.keys)).stillNeeded.previous).toEqual({ [envA.keys.current.id]: false });
    // Running it again changes nothing.
    const snapshot = JSON.stringify(await db.selectFrom("authenticators").select(["id", "secret"]).orderBy("id").execute());
    expect(await rotateKeys(db, envB.keys, { actor: "test" })).toEqual({ keyId: envB.keys.current.id, rotated: 0, current: 8, unreadable: [] });
    expect(JSON.stringify(await db.selectFrom("authenticators").select(["id", "secret"]).orderBy("id").execute())).toBe(snapshot);
    const audited = await db.selectFrom("audit_events").select(["event", "outcome", "detail"]).where("event", "=", "keys.rotated").execute();
    expect(audited).toHaveLength(2);
    expect(JSON.parse(audited[0]!.detail!)).toMatchObject({ actor: "test", keyId: envB.keys.current.id, rotated: 6, current: 2, unreadable: 0 });
    await db.deleteFrom("authenticators").execute();
  });

  it("a secret no configured key opens is reported by id and left as it was", async () => {
    const lost = await seed(db, (id, s) => testEnv().keys.seal("totp", s, authenticatorAad(id)), 1);
    const [id] = [...lost.keys()];
    const before = await db.selectFrom("authenticators").select("secret").where("id", "=", id!).executeTakeFirstOrThrow();
    expect(await rotateKeys(db, envB.keys, { actor: "test" })).toMatchObject({ rotated: 0, unreadable: [id] });
    expect((await db.selectFrom("authenticators").select("secret").where("id", "=", id!).executeTakeFirstOrThrow()).secret).toBe(before.secret);
    expect((await keyStatus(db, envB.keys)).uses).toContainEqual(expect.objectContaining({ what: "TOTP secrets", state: "unknown", rows: 1 }));
    await db.deleteFrom("authenticators").execute();
  });

  it("keys status counts recovery codes, devices, flows and passkeys by key, and says when the legacy KEYSTEP_SECRET can go", async () => {
    const user = { tenant: TENANT, sub: `auth0|${crypto.randomUUID()}` };
    await issueRecoveryCodes(db, envA.keys, user);
    await recordDeviceMfa(db, user, { tokenHash: envB.keys.hash("device-cookie", "c1") });
    const status = await keyStatus(db, envB.keys);
    expect(status.uses).toContainEqual({ what: "recovery codes (unused)", keyId: envA.keys.current.id, state: "previous", rows: 10 });
    expect(status.uses).toContainEqual({ what: "devices (not revoked)", keyId: envB.keys.current.id, state: "current", rows: 1 });
    expect(status.stillNeeded).toEqual({ previous: { [envA.keys.current.id]: true }, legacySecret: false });
    // An open enrollment link issued under the previous key, claimed under the current one.
    const link = await createLink(db, envA.keys, { user, factor: null, ttlMs: 86_400_000, returnTo: null, createdBy: "cli" }, Date.now());
    expect(await claimLink(db, envB.keys, link.id, Date.now())).toEqual(expect.any(String));
    const linked = await keyStatus(db, envB.keys);
    expect(linked.uses).toContainEqual({ what: "enrollment links (open)", keyId: envA.keys.current.id, state: "previous", rows: 1 });
    expect(linked.uses).toContainEqual({ what: "enrollment link claims (open)", keyId: envB.keys.current.id, state: "current", rows: 1 });
    // A device remembered before key ids (HMAC under KEYSTEP_SECRET), and a passkey without a stored handle, need the legacy secret.
    await recordDeviceMfa(db, user, { tokenHash: crypto.createHmac("sha256", TEST_SECRET).update("device-cookie\0c2").digest("base64url") });
    await insertAuthenticator(db, user, { factor: "webauthn-platform", label: "", credential_id: crypto.randomBytes(16).toString("base64url"), public_key: "pk" });
    const later = await keyStatus(db, envB.keys);
    expect(later.uses).toContainEqual({ what: "devices (not revoked)", keyId: null, state: "legacy", rows: 1 });
    expect(later.legacyPasskeys).toBe(1);
    expect(later.stillNeeded.legacySecret).toBe(true);
  });
});

describe("rotate and keys status from the CLI", () => {
  let dir: string;
  let databaseUrl: string;
  let db: Kysely<Database>;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "keystep-keys-"));
    databaseUrl = `sqlite:${path.join(dir, "keystep.db")}`;
    db = connect(databaseUrl);
    await migrateToLatest(db);
  });
  afterAll(async () => {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function cli(argv: string[], settings: Record<string, string | undefined>) {
    const out: string[] = [];
    const err: string[] = [];
    const status = await runCli(argv, { env: { DATABASE_URL: databaseUrl, ...settings }, out: (t) => out.push(t), err: (t) => err.push(t) });
    return { status, out: out.join("\n"), err: err.join("\n") };
  }
  const rotating = { KEYSTEP_ENCRYPTION_KEY: hex(keyB), KEYSTEP_PREVIOUS_ENCRYPTION_KEYS: hex(keyA) };

  it("rotate re-encrypts, prints counts and the status; keys status --json says the previous key can go", async () => {
    await seed(db, sealers.legacy!, 2);
    await seed(db, sealers.a!, 1);
    const before = await cli(["keys", "status"], rotating);
    expect(before.out).toContain(`Previous key ${envA.keys.current.id} is still needed by TOTP secrets (1): run rotate for the TOTP secrets;`);
    const r = await cli(["rotate"], rotating);
    expect(r.status).toBe(EXIT.ok);
    expect(r.out).toContain(`Re-encrypted 3 TOTP secrets under key ${envB.keys.current.id} (0 already were).`);
    expect(r.out).toContain(`Previous key ${envA.keys.current.id} is no longer needed`);
    expect(r.out).not.toContain(hex(keyA));
    expect(r.out).not.toContain(hex(keyB));
    const s = await cli(["keys", "status", "--json"], rotating);
    expect(s.status).toBe(EXIT.ok);
    expect(JSON.parse(s.out)).toMatchObject({ current: envB.keys.current.id, stillNeeded: { previous: { [envA.keys.current.id]: false } } });
  });

  it("refuses to run without the server's encryption key, or with a bad previous key, with a message and no stack", async () => {
    const none = await cli(["rotate"], {});
    expect(none).toMatchObject({ status: EXIT.usage, err: expect.stringContaining("Set KEYSTEP_ENCRYPTION_KEY") });
    const bad = await cli(["keys", "status"], { KEYSTEP_ENCRYPTION_KEY: hex(keyB), KEYSTEP_PREVIOUS_ENCRYPTION_KEYS: "nope" });
    expect(bad).toMatchObject({ status: EXIT.usage, err: expect.stringContaining("KEYSTEP_PREVIOUS_ENCRYPTION_KEYS entry 1") });
    expect(bad.err).not.toMatch(/\n\s+at /);
    expect((await cli(["keys", "frob"], rotating)).status).toBe(EXIT.usage);
  });

  it("exits 1 and names the secrets no configured key opens", async () => {
    const ids = [...(await seed(db, sealers.a!, 1)).keys()];
    const r = await cli(["rotate"], { KEYSTEP_ENCRYPTION_KEY: hex(keyB) });
    expect(r.status).toBe(EXIT.failed);
    expect(r.err).toContain(ids[0]);
  });
});
