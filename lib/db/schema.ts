import type { Generated, Insertable, Selectable } from "kysely";

/** Times are epoch milliseconds; booleans are 0/1 so SQLite and PostgreSQL read alike. */
export interface FlowsTable {
  id: string; // keyed hash of the cookie value: a leaked table cannot be replayed as cookies
  tenant: string;
  sub: string;
  state: string; // Auth0's transaction state; unique, so a replayed entry is refused
  status: "active" | "done";
  context: string; // JSON FlowContext
  pending: string | null; // JSON: enrollment in progress (secrets encrypted)
  failed_attempts: number;
  outcome: "success" | "denied" | null;
  result: string | null; // JSON: amr, enrolled, reason
  created_at: number;
  expires_at: number;
  completed_at: number | null;
  /** Keyed hash of the session token that opened the flow; unique, so a token opens one flow (0008). Null on older rows. */
  entry_token_hash: string | null;
}

export interface AuthenticatorsTable {
  id: string;
  tenant: string;
  sub: string;
  factor: string;
  label: string;
  secret: string | null; // AES-256-GCM sealed
  destination: string | null;
  last_used_step: number | null; // TOTP: RFC 6238 §5.2 — a code is accepted once
  failure_count: number; // consecutive; reset on success
  disabled_at: number | null;
  created_at: number;
  last_used_at: number | null;
  credential_id: string | null; // WebAuthn, base64url
  public_key: string | null; // COSE, base64url
  counter: number | null;
  transports: string | null; // JSON
  aaguid: string | null;
  backed_up: number | null; // backup state (BS): 1 = synced passkey, 0 = this device only
  backup_eligible: number | null; // backup eligibility (BE), fixed at registration; null on rows from before 0007
  user_verified: number | null;
  /** WebAuthn: the user handle the credential was registered with (base64url); null on rows from before 0012 until their next use. */
  user_handle: string | null;
}

export interface AttemptsTable {
  id: Generated<number>;
  bucket: string;
  at: number;
}

export interface AuditEventsTable {
  id: Generated<number>;
  at: number;
  tenant: string | null;
  sub: string | null;
  flow_id: string | null;
  event: string;
  factor: string | null;
  outcome: string | null;
  ip: string | null;
  user_agent: string | null;
  detail: string | null;
}

/** A code sent by email or SMS: stored only as a keyed hash, single use, bound to its flow. */
export interface ChallengesTable {
  id: string;
  flow_id: string;
  factor: string;
  /** `recovery`: the email proof of a self-service recovery request (lib/recovery), never a sign-in proof. */
  purpose: "enroll" | "challenge" | "recovery";
  destination: string;
  code_hash: string;
  attempts: number;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
  superseded_at: number | null; // a resend retires the previous code
}

/** Ten per user; only keyed hashes are stored; each works once. */
export interface RecoveryCodesTable {
  id: string;
  tenant: string;
  sub: string;
  code_hash: string;
  created_at: number;
  used_at: number | null;
}

/** A sign-in link: the token is stored hashed; approval (another device) and consumption are separate. */
export interface MagicLinksTable {
  id: string;
  flow_id: string;
  token_hash: string;
  number: number; // the 2-digit number the waiting tab shows, for cross-device matching
  created_at: number;
  expires_at: number;
  superseded_at: number | null;
  approved_at: number | null;
  refused_at: number | null;
  consumed_at: number | null;
}

/** A browser that passed MFA for a user; `remembered_until` is set when the user asked not to be asked again. */
export interface DevicesTable {
  id: string;
  token_hash: string;
  tenant: string;
  sub: string;
  app_device_hash: string | null;
  user_agent: string | null;
  created_at: number;
  last_mfa_at: number;
  remembered_until: number | null;
  revoked_at: number | null;
}

/** A support-issued enrollment link (lib/enrollment-links.ts); token and claim are keyed hashes. */
export interface EnrollmentLinksTable {
  id: string;
  tenant: string;
  sub: string;
  /** The factor to set up; null: any factor the deployment offers. */
  factor: string | null;
  token_hash: string;
  /** The application's sign-in URL the link page points to, when support gave one. */
  return_to: string | null;
  created_at: number;
  expires_at: number;
  /** Who issued it: "cli", "api" (the Actor kind). */
  created_by: string;
  /** Keyed hash of the claiming browser's cookie value. */
  claim_hash: string | null;
  claimed_at: number | null;
  used_at: number | null;
  revoked_at: number | null;
}

export interface UserSignalsTable {
  tenant: string;
  sub: string;
  wasnt_me_count: number;
  last_wasnt_me_at: number | null;
}

export type RecoveryRequestStatus = "pending" | "ready" | "cancelled" | "completed" | "expired";

/** A self-service recovery request (lib/recovery/requests.ts): open while `pending` or `ready`; tokens stored as keyed hashes. */
export interface RecoveryRequestsTable {
  id: string;
  tenant: string;
  sub: string;
  status: RecoveryRequestStatus;
  device_hash: string;
  user_agent: string | null;
  ip: string | null;
  email: string;
  locale: string | null;
  created_at: number;
  ready_at: number;
  reminded_at: number | null;
  completed_at: number | null;
  cancelled_at: number | null;
  cancel_reason: string | null;
  cancel_token_hash: string;
  reminder_cancel_token_hash: string | null;
  approved_by: string | null;
  approve_reason: string | null;
  /** JSON: the authenticator and recovery-code ids disabled at completion, for the restore link. */
  disabled_factors: string | null;
  restore_token_hash: string | null;
  restore_until: number | null;
  restored_at: number | null;
  /** When the sign-in page last showed the "a recovery was requested" banner. */
  seen_at: number | null;
}

/** A support console sign-in (docs/console.md); `id` is the keyed hash of the cookie value. */
export interface ConsoleSessionsTable {
  id: string;
  operator_sub: string;
  operator_email: string | null;
  operator_name: string | null;
  created_at: number;
  last_seen_at: number;
  /** The absolute end (sign-in + 8 hours); the idle limit is counted from last_seen_at. */
  expires_at: number;
}

export interface Database {
  flows: FlowsTable;
  authenticators: AuthenticatorsTable;
  attempts: AttemptsTable;
  audit_events: AuditEventsTable;
  challenges: ChallengesTable;
  recovery_codes: RecoveryCodesTable;
  magic_links: MagicLinksTable;
  devices: DevicesTable;
  user_signals: UserSignalsTable;
  enrollment_links: EnrollmentLinksTable;
  recovery_requests: RecoveryRequestsTable;
  console_sessions: ConsoleSessionsTable;
}

export type FlowRow = Selectable<FlowsTable>;
export type AuthenticatorRow = Selectable<AuthenticatorsTable>;
export type NewAuthenticator = Insertable<AuthenticatorsTable>;

export type ChallengeRow = Selectable<ChallengesTable>;
export type DeviceRow = Selectable<DevicesTable>;
export type RecoveryRequestRow = Selectable<RecoveryRequestsTable>;
