import { PostgresAdapter, sql, type ColumnDefinitionBuilder, type Kysely, type Migration } from "kysely";

/**
 * Migrations as code so the bundle carries them. Names sort in order; never edit a shipped one.
 * Timestamps are bigint: epoch milliseconds overflow a 32-bit integer.
 */
export const migrations: Record<string, Migration> = {
  "0001_initial": {
    async up(db: Kysely<any>) {
      const pg = db.getExecutor().adapter instanceof PostgresAdapter;
      // Identity columns differ: bigserial on PostgreSQL, INTEGER PRIMARY KEY AUTOINCREMENT on SQLite.
      const serial = pg ? "bigserial" : "integer";
      const identity = (c: ColumnDefinitionBuilder) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement());
      await db.schema
        .createTable("flows")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("auth0_host", "text", (c) => c.notNull())
        .addColumn("sub", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull().unique())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("context", "text", (c) => c.notNull())
        .addColumn("pending", "text")
        .addColumn("failed_attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("outcome", "text")
        .addColumn("result", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("completed_at", "bigint")
        .execute();
      await db.schema.createIndex("flows_expires_idx").on("flows").column("expires_at").execute();

      await db.schema
        .createTable("authenticators")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("auth0_host", "text", (c) => c.notNull())
        .addColumn("sub", "text", (c) => c.notNull())
        .addColumn("factor", "text", (c) => c.notNull())
        .addColumn("label", "text", (c) => c.notNull())
        .addColumn("secret", "text")
        .addColumn("destination", "text")
        .addColumn("last_used_step", "bigint")
        .addColumn("failure_count", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("disabled_at", "bigint")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("last_used_at", "bigint")
        .execute();
      await db.schema.createIndex("authenticators_user_idx").on("authenticators").columns(["auth0_host", "sub"]).execute();

      await db.schema
        .createTable("attempts")
        .addColumn("id", serial as "integer", identity)
        .addColumn("bucket", "text", (c) => c.notNull())
        .addColumn("at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("attempts_bucket_idx").on("attempts").columns(["bucket", "at"]).execute();

      await db.schema
        .createTable("audit_events")
        .addColumn("id", serial as "integer", identity)
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("auth0_host", "text")
        .addColumn("sub", "text")
        .addColumn("flow_id", "text")
        .addColumn("event", "text", (c) => c.notNull())
        .addColumn("factor", "text")
        .addColumn("outcome", "text")
        .addColumn("ip", "text")
        .addColumn("user_agent", "text")
        .addColumn("detail", "text")
        .execute();
      await db.schema.createIndex("audit_user_idx").on("audit_events").columns(["auth0_host", "sub", "at"]).execute();
    },
  },
  "0002_challenges": {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("challenges")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("flow_id", "text", (c) => c.notNull())
        .addColumn("factor", "text", (c) => c.notNull())
        .addColumn("purpose", "text", (c) => c.notNull())
        .addColumn("destination", "text", (c) => c.notNull())
        .addColumn("code_hash", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("consumed_at", "bigint")
        .addColumn("superseded_at", "bigint")
        .execute();
      await db.schema.createIndex("challenges_flow_idx").on("challenges").columns(["flow_id", "factor", "created_at"]).execute();
    },
  },
  "0003_webauthn": {
    async up(db: Kysely<any>) {
      for (const [name, type] of [
        ["credential_id", "text"],
        ["public_key", "text"],
        ["counter", "bigint"],
        ["transports", "text"],
        ["aaguid", "text"],
        ["backed_up", "integer"],
        ["user_verified", "integer"],
      ] as const) {
        await db.schema.alterTable("authenticators").addColumn(name, type).execute();
      }
      // Credential IDs are unique across all users (WebAuthn §7.1 step 22). NULLs (other factors) do not collide.
      await db.schema.createIndex("authenticators_credential_idx").on("authenticators").column("credential_id").unique().execute();
    },
  },
  "0004_recovery_and_links": {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("recovery_codes")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("auth0_host", "text", (c) => c.notNull())
        .addColumn("sub", "text", (c) => c.notNull())
        .addColumn("code_hash", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("used_at", "bigint")
        .execute();
      await db.schema.createIndex("recovery_codes_user_idx").on("recovery_codes").columns(["auth0_host", "sub", "code_hash"]).execute();
      await db.schema
        .createTable("magic_links")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("flow_id", "text", (c) => c.notNull())
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("number", "integer", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("superseded_at", "bigint")
        .addColumn("approved_at", "bigint")
        .addColumn("refused_at", "bigint")
        .addColumn("consumed_at", "bigint")
        .execute();
      await db.schema.createIndex("magic_links_flow_idx").on("magic_links").columns(["flow_id", "created_at"]).execute();
    },
  },
  "0005_devices_and_signals": {
    async up(db: Kysely<any>) {
      // A browser that passed MFA for a user. The cookie holds a random token; only its keyed hash is stored.
      await db.schema
        .createTable("devices")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("token_hash", "text", (c) => c.notNull())
        .addColumn("auth0_host", "text", (c) => c.notNull())
        .addColumn("sub", "text", (c) => c.notNull())
        .addColumn("app_device_hash", "text") // keyed hash of the device_id the app forwarded, if any
        .addColumn("user_agent", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("last_mfa_at", "bigint", (c) => c.notNull())
        .addColumn("remembered_until", "bigint") // set when the user ticked "Don't ask again"
        .addColumn("revoked_at", "bigint")
        .execute();
      await db.schema.createIndex("devices_token_user_idx").on("devices").columns(["token_hash", "auth0_host", "sub"]).unique().execute();
      await db.schema.createIndex("devices_user_idx").on("devices").columns(["auth0_host", "sub"]).execute();
      // Per-user counters the policy rules can read (e.g. "This wasn't me" reports).
      await db.schema
        .createTable("user_signals")
        .addColumn("auth0_host", "text", (c) => c.notNull())
        .addColumn("sub", "text", (c) => c.notNull())
        .addColumn("wasnt_me_count", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("last_wasnt_me_at", "bigint")
        .addPrimaryKeyConstraint("user_signals_pk", ["auth0_host", "sub"])
        .execute();
    },
  },
  "0006_hot_path_indexes": {
    async up(db: Kysely<any>) {
      // Every request of a round trip lists the user's authenticators ordered by created_at
      // (lib/factors/authenticators.ts listActive). With (auth0_host, sub) alone both databases
      // sort the rows after the lookup (SQLite: "USE TEMP B-TREE FOR ORDER BY"; PostgreSQL: a Sort
      // node over a bitmap scan); with created_at in the key the index returns them in order.
      // It replaces the old index, whose columns are its prefix, so writes maintain no extra index.
      // The other hot-path queries were checked with EXPLAIN on 1M users and 10M audit events and
      // already use an index (README "Performance").
      await db.schema.createIndex("authenticators_user_created_idx").on("authenticators").columns(["auth0_host", "sub", "created_at"]).execute();
      await db.schema.dropIndex("authenticators_user_idx").execute();
    },
  },
  "0007_webauthn_backup_eligible": {
    async up(db: Kysely<any>) {
      // The backup-eligible flag (BE) is fixed for a credential's life (WebAuthn §6.1 "Backup
      // Eligibility"): it is stored at registration and a later assertion that flips it is refused.
      // Rows from before this column: a credential seen backed up (BS=1) is backup-eligible by
      // definition; for the rest BE is recorded at their next sign-in (lib/factors/webauthn/factor.ts).
      await db.schema.alterTable("authenticators").addColumn("backup_eligible", "integer").execute();
      await db.updateTable("authenticators").set({ backup_eligible: 1 }).where("backed_up", "=", 1).execute();
    },
  },
  "0008_entry_token_single_use": {
    async up(db: Kysely<any>) {
      // Auth0's session token has no jti, so the token itself is made single-use: the keyed hash
      // of the token that opened a flow is unique (lib/flow/repo.ts openFlow). It lives and goes
      // with its flow row; a token outlives neither its own `exp` nor the flow. Older rows hold
      // NULL, which a unique index allows any number of times on both databases.
      await db.schema.alterTable("flows").addColumn("entry_token_hash", "text").execute();
      await db.schema.createIndex("flows_entry_token_idx").on("flows").column("entry_token_hash").unique().execute();
    },
  },
  "0009_authenticator_default_labels": {
    async up(db: Kysely<any>) {
      // Labels are only what a user named an authenticator; an empty one shows the factor's name
      // in the reader's language. The English defaults Keystep used to store are cleared, so they
      // too are shown translated.
      await db.updateTable("authenticators").set({ label: "" }).where("label", "in", ["Authenticator app", "Email", "Text message", "Passkey", "Security key"]).execute();
    },
  },
  "0010_enroll_is_the_word": {
    async up(db: Kysely<any>) {
      // One word for one idea: what the code called "setup" (a challenge's purpose, a WebAuthn
      // ceremony kept on a flow) is "enroll", Auth0's word. Rows written before this release are
      // renamed so a code or a ceremony in flight at the upgrade still completes.
      await db.updateTable("challenges").set({ purpose: "enroll" }).where("purpose", "=", "setup").execute();
      await db
        .updateTable("flows")
        .set((eb) => ({ pending: eb.fn("replace", ["pending", eb.val('"purpose":"setup"'), eb.val('"purpose":"enroll"')]) }))
        .where("pending", "like", '%"purpose":"setup"%')
        .execute();
    },
  },
  "0011_users_are_keyed_by_tenant": {
    async up(db: Kysely<any>) {
      // Users are keyed by their Auth0 tenant, not the domain a login came through (#15): the
      // column says so. The values move from a domain to the tenant's key at boot, where the
      // configuration is known (lib/users/rekey.ts). Indexes and keys follow a renamed column.
      for (const table of ["flows", "authenticators", "audit_events", "recovery_codes", "devices", "user_signals"]) {
        await db.schema.alterTable(table).renameColumn("auth0_host", "tenant").execute();
      }
    },
  },
  "0012_webauthn_user_handle": {
    async up(db: Kysely<any>) {
      // A passkey keeps the user handle it was made with for its whole life, inside the
      // authenticator; Keystep keys rotate (docs/decisions/0010-key-rotation.md). So the handle is
      // stored with the credential and compared as stored, whatever key derived it. Older rows hold
      // NULL and are checked against the handle KEYSTEP_SECRET derives, then filled on their next use.
      await db.schema.alterTable("authenticators").addColumn("user_handle", "text").execute();
    },
  },
  "0013_enrollment_links": {
    async up(db: Kysely<any>) {
      // Enrollment links (docs/decisions/0012-enrollment-links.md): support issues one for a user;
      // the token and the browser's claim are stored as keyed hashes only. `factor` NULL means any
      // factor the deployment offers. A link is claimed once (claimed_at, claim_hash) and used once
      // (used_at), each by a conditional UPDATE.
      await db.schema
        .createTable("enrollment_links")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant", "text", (c) => c.notNull())
        .addColumn("sub", "text", (c) => c.notNull())
        .addColumn("factor", "text")
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("return_to", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("created_by", "text", (c) => c.notNull())
        .addColumn("claim_hash", "text", (c) => c.unique())
        .addColumn("claimed_at", "bigint")
        .addColumn("used_at", "bigint")
        .addColumn("revoked_at", "bigint")
        .execute();
      await db.schema.createIndex("enrollment_links_user_idx").on("enrollment_links").columns(["tenant", "sub"]).execute();
      await db.schema.createIndex("enrollment_links_expires_idx").on("enrollment_links").column("expires_at").execute();
    },
  },
  "0014_recovery_requests": {
    async up(db: Kysely<any>) {
      // Self-service recovery with a waiting period (#17, docs/decisions/0013-self-service-recovery.md).
      // Tokens (cancel links, the restore link) are stored as keyed hashes only.
      await db.schema
        .createTable("recovery_requests")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant", "text", (c) => c.notNull())
        .addColumn("sub", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("device_hash", "text", (c) => c.notNull())
        .addColumn("user_agent", "text")
        .addColumn("ip", "text")
        .addColumn("email", "text", (c) => c.notNull())
        .addColumn("locale", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("ready_at", "bigint", (c) => c.notNull())
        .addColumn("reminded_at", "bigint")
        .addColumn("completed_at", "bigint")
        .addColumn("cancelled_at", "bigint")
        .addColumn("cancel_reason", "text")
        .addColumn("cancel_token_hash", "text", (c) => c.notNull())
        .addColumn("reminder_cancel_token_hash", "text")
        .addColumn("approved_by", "text")
        .addColumn("approve_reason", "text")
        .addColumn("disabled_factors", "text")
        .addColumn("restore_token_hash", "text")
        .addColumn("restore_until", "bigint")
        .addColumn("restored_at", "bigint")
        .addColumn("seen_at", "bigint")
        .execute();
      // One open request per user, in the database: a partial unique index (SQLite and PostgreSQL alike).
      await sql`create unique index recovery_requests_open_idx on recovery_requests (tenant, sub) where status in ('pending', 'ready')`.execute(db);
      await db.schema.createIndex("recovery_requests_user_idx").on("recovery_requests").columns(["tenant", "sub", "created_at"]).execute();
      await db.schema.createIndex("recovery_requests_cancel_idx").on("recovery_requests").column("cancel_token_hash").execute();
      await db.schema.createIndex("recovery_requests_reminder_cancel_idx").on("recovery_requests").column("reminder_cancel_token_hash").execute();
      await db.schema.createIndex("recovery_requests_restore_idx").on("recovery_requests").column("restore_token_hash").execute();
      await db.schema.createIndex("recovery_requests_ready_idx").on("recovery_requests").columns(["status", "ready_at"]).execute();
    },
  },
  "0015_console_sessions": {
    async up(db: Kysely<any>) {
      // The support console's sign-ins (docs/console.md): the cookie's keyed hash is the id, so the
      // table alone cannot mint a session. An idle and an absolute limit end each one.
      await db.schema
        .createTable("console_sessions")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("operator_sub", "text", (c) => c.notNull())
        .addColumn("operator_email", "text")
        .addColumn("operator_name", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("last_seen_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("console_sessions_expires_idx").on("console_sessions").column("expires_at").execute();
    },
  },
};
