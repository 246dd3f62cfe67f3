import { env, EnvError } from "@/lib/env";
import { db, ensureMigrated } from "@/lib/db";
import { purgeExpired } from "@/lib/retention";
import { config, ConfigError, contrastWarnings } from "@/lib/config";
import { registerTracing } from "@/lib/tracing";

/**
 * Validates every setting and applies pending migrations before the first request. A bad
 * setting stops the process with a message naming the variable (DESIGN §2).
 */
export async function boot(): Promise<void> {
  // First, so every request, the first included, runs in a span and its log lines carry its id.
  registerTracing();
  try {
    env();
  } catch (e) {
    console.error(e instanceof EnvError ? e.message : e);
    process.exit(1);
  }
  try {
    for (const warning of contrastWarnings(config())) console.warn(`[keystep] contrast warning: ${warning}`);
  } catch (e) {
    console.error(e instanceof ConfigError ? e.message : e);
    process.exit(1);
  }
  try {
    const applied = await ensureMigrated();
    if (applied.length) console.log(`[keystep] applied migrations: ${applied.join(", ")}`);
  } catch (e) {
    console.error(`[keystep] database migration failed: ${(e as Error).message}`);
    process.exit(1);
  }
  // Expired flows, old budget spends, audit events and devices past their retention
  // (lib/retention.ts) are purged every 15 minutes, so no table grows forever.
  const purge = () => purgeExpired(db(), { auditRetentionDays: env().auditRetentionDays }).catch((e: Error) => console.warn(`[keystep] purge failed: ${e.message}`));
  setInterval(purge, 15 * 60_000).unref();
  void purge();
  // The "recovery ends soon" notices (lib/recovery/requests.ts sendReminders): once per request,
  // a day before its wait ends; each instance may run it, the conditional UPDATE sends each once.
  const remind = async () => {
    try {
      const { sendReminders } = await import("@/lib/recovery/requests");
      const { recoveryDeps } = await import("@/lib/recovery/wiring");
      await sendReminders(recoveryDeps(), Date.now());
    } catch (e) {
      console.warn(`[keystep] recovery reminders failed: ${(e as Error).message}`);
    }
  };
  setInterval(remind, 15 * 60_000).unref();
  void remind();
}
