import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import type { Env } from "@/lib/env";
import type { UserKey } from "@/lib/factors/authenticators";
import { notify } from "@/lib/recovery/wiring";
import { type Actor, approveRecovery, cancelRecovery, type OpsResult, resetUser, revokeUserDevices, setFactorEnabled, unlockUser, type UserView } from "@/lib/support/ops";

/** What one run of a console action gets: the user, the operator (with their reason), and the deployment. */
export interface ActionRun {
  db: Kysely<Database>;
  user: UserKey;
  actor: Actor;
  env: Pick<Env, "tenants" | "keys" | "publicUrl">;
  /** The authenticator a per-authenticator action is about. */
  authenticatorId: string | null;
}

/**
 * What an operator can do to a user from the console, one entry per action. Each entry only
 * calls the support operation (lib/support/ops.ts), the one decider the CLI and the admin API
 * share; the console adds the confirmation step, the reason and the operator's identity. A new
 * action is one more entry here and its words under `console.actions.<id>` in every catalogue.
 * Issuing an enrollment link is not an entry: its answer is a URL shown once
 * (app/console/EnrollLinkForm.tsx), not a redirect.
 */
export interface ConsoleAction {
  id: string;
  /** Whether the action is about one authenticator (the form carries its id). */
  perAuthenticator: boolean;
  /** Only offered for a factor in this state (per-authenticator actions). */
  when?: (factor: { status: "active" | "disabled" }) => boolean;
  /** Only offered for a user in this state (user actions). */
  offered?: (user: Pick<UserView, "recovery">) => boolean;
  run(r: ActionRun): Promise<OpsResult<unknown>>;
}

const recoveryOps = (r: ActionRun) => ({ keys: r.env.keys, publicUrl: r.env.publicUrl.toString(), notify });
const hasRecovery = (u: Pick<UserView, "recovery">) => u.recovery !== null;

export const CONSOLE_ACTIONS: readonly ConsoleAction[] = [
  { id: "reset", perAuthenticator: false, run: (r) => resetUser(r.db, r.user, r.actor, Date.now(), r.env.tenants) },
  { id: "unlock", perAuthenticator: false, run: (r) => unlockUser(r.db, r.user, r.actor) },
  { id: "revoke_devices", perAuthenticator: false, run: (r) => revokeUserDevices(r.db, r.user, r.actor) },
  {
    id: "approve_recovery",
    perAuthenticator: false,
    offered: hasRecovery,
    run: (r) => approveRecovery(r.db, r.user, r.actor, r.actor.reason, recoveryOps(r), Date.now(), r.env.tenants),
  },
  {
    id: "cancel_recovery",
    perAuthenticator: false,
    offered: hasRecovery,
    run: (r) => cancelRecovery(r.db, r.user, r.actor, r.actor.reason, recoveryOps(r), Date.now(), r.env.tenants),
  },
  {
    id: "disable",
    perAuthenticator: true,
    when: (f) => f.status === "active",
    run: (r) => setFactorEnabled(r.db, r.user, r.authenticatorId ?? "", false, r.actor, Date.now(), r.env.tenants),
  },
  {
    id: "enable",
    perAuthenticator: true,
    when: (f) => f.status === "disabled",
    run: (r) => setFactorEnabled(r.db, r.user, r.authenticatorId ?? "", true, r.actor, Date.now(), r.env.tenants),
  },
];

export const consoleAction = (id: string | null | undefined): ConsoleAction | undefined => CONSOLE_ACTIONS.find((a) => a.id === id);

/** The enrollment-link form's answer: the URL, shown once, or what was wrong, in the operator's language. */
export type IssuedLinkState = { url: string; message: string } | { error: string } | null;

/** The lifetimes the enrollment-link form offers (lib/support/ops.ts parseLifetime). */
export const LINK_LIFETIMES = ["1d", "7d", "30d"] as const;

/** The reason an operator gives: required, trimmed, at most 500 characters. */
export function parseReason(raw: unknown): string | null {
  const reason = typeof raw === "string" ? raw.trim() : "";
  return reason.length >= 3 && reason.length <= 500 ? reason : null;
}
