import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import type { Tenant } from "@/lib/env";
import type { UserKey } from "@/lib/factors/authenticators";
import { resetUser, revokeUserDevices, setFactorEnabled, unlockUser, type Actor, type OpsResult } from "@/lib/support/ops";

/**
 * What an operator can do to a user from the console, one entry per action. Each entry only
 * calls the support operation (lib/support/ops.ts), the one decider the CLI and the admin API
 * share; the console adds the confirmation step, the reason and the operator's identity. A new
 * action (approve or cancel a recovery request, issue an enrollment link) is one more entry here
 * and its words under `console.actions.<id>` in every catalogue.
 */
export interface ConsoleAction {
  id: string;
  /** Whether the action is about one authenticator (the form carries its id). */
  perAuthenticator: boolean;
  /** Only offered for a factor in this state (per-authenticator actions). */
  when?: (factor: { status: "active" | "disabled" }) => boolean;
  run(db: Kysely<Database>, user: UserKey, actor: Actor, tenants: readonly Tenant[], authenticatorId: string | null): Promise<OpsResult<unknown>>;
}

export const CONSOLE_ACTIONS: readonly ConsoleAction[] = [
  { id: "reset", perAuthenticator: false, run: (db, user, actor, tenants) => resetUser(db, user, actor, Date.now(), tenants) },
  { id: "unlock", perAuthenticator: false, run: (db, user, actor) => unlockUser(db, user, actor) },
  { id: "revoke_devices", perAuthenticator: false, run: (db, user, actor) => revokeUserDevices(db, user, actor) },
  {
    id: "disable",
    perAuthenticator: true,
    when: (f) => f.status === "active",
    run: (db, user, actor, tenants, id) => setFactorEnabled(db, user, id ?? "", false, actor, Date.now(), tenants),
  },
  {
    id: "enable",
    perAuthenticator: true,
    when: (f) => f.status === "disabled",
    run: (db, user, actor, tenants, id) => setFactorEnabled(db, user, id ?? "", true, actor, Date.now(), tenants),
  },
];

export const consoleAction = (id: string | null | undefined): ConsoleAction | undefined => CONSOLE_ACTIONS.find((a) => a.id === id);

/** The reason an operator gives: required, trimmed, at most 500 characters. */
export function parseReason(raw: unknown): string | null {
  const reason = typeof raw === "string" ? raw.trim() : "";
  return reason.length >= 3 && reason.length <= 500 ? reason : null;
}
