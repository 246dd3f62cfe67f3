import { revokeAtAuth0 } from "@/lib/auth0/revoke";
import { z } from "zod";
import { audit, auditWho } from "@/lib/audit";
import { revokeDevices } from "@/lib/devices/repo";
import { listActive } from "@/lib/factors/authenticators";
import { notifyUser } from "@/lib/delivery/wiring";
import type { FactorCtx } from "@/lib/factors/types";

/** A name a person typed for their authenticator: trimmed, 1–64 characters, no control characters. */
export const authenticatorName = z
  .string()
  .transform((s) => s.normalize("NFC").replace(/\s+/g, " ").trim())
  .pipe(
    z
      .string()
      .min(1)
      .max(64)
      .regex(/^[^\p{Cc}\p{Cf}]+$/u),
  );

export type ManageResult = "renamed" | "removed" | "forgotten" | "name_invalid" | "last_factor" | "not_found";

const who = (ctx: FactorCtx) => auditWho(ctx.flow);
const user = (ctx: FactorCtx) => ({ tenant: ctx.flow.tenant, sub: ctx.flow.sub });

/** Renames one of the user's own authenticators. */
export async function renameAuthenticator(ctx: FactorCtx, id: string, raw: unknown): Promise<ManageResult> {
  const name = authenticatorName.safeParse(raw);
  if (!name.success) return "name_invalid";
  const res = await ctx.db
    .updateTable("authenticators")
    .set({ label: name.data })
    .where("id", "=", id)
    .where("tenant", "=", ctx.flow.tenant)
    .where("sub", "=", ctx.flow.sub)
    .where("disabled_at", "is", null)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return "not_found";
  await audit(ctx.db, { ...who(ctx), event: "factor.renamed", outcome: "success", detail: { authenticator: id } });
  return "renamed";
}

/**
 * Removes one of the user's authenticators. The last one stays: Keystep always requires a second
 * factor, and a user with none would be back to first-time setup, which a stolen password could
 * then complete. Remembered devices are forgotten, since they vouched with the removed factor.
 */
export async function removeAuthenticator(ctx: FactorCtx, id: string): Promise<ManageResult> {
  const rows = await listActive(ctx.db, user(ctx));
  const row = rows.find((r) => r.id === id);
  if (!row) return "not_found";
  if (rows.length <= 1) return "last_factor";
  await ctx.db.deleteFrom("authenticators").where("id", "=", id).where("tenant", "=", ctx.flow.tenant).where("sub", "=", ctx.flow.sub).execute();
  const forgotten = await revokeDevices(ctx.db, user(ctx), ctx.now);
  await audit(ctx.db, { ...who(ctx), event: "factor.removed", factor: row.factor, outcome: "success", detail: { authenticator: id, devicesForgotten: forgotten } });
  if (forgotten > 0) await audit(ctx.db, { ...who(ctx), event: "device.forgotten", outcome: "success", detail: { count: forgotten, why: "factor_removed" } });
  await notifyUser(ctx, "factorRemoved");
  // Other sessions vouched with the removed factor: they pass Keystep again (this login goes on).
  await revokeAtAuth0(ctx.db, ctx.env, user(ctx), "factor_removed", { now: ctx.now });
  return "removed";
}

/** "Forget remembered devices": every browser will be asked again. */
export async function forgetDevices(ctx: FactorCtx): Promise<ManageResult> {
  const count = await revokeDevices(ctx.db, user(ctx), ctx.now);
  await audit(ctx.db, { ...who(ctx), event: "device.forgotten", outcome: "success", detail: { count, why: "user" } });
  return "forgotten";
}
