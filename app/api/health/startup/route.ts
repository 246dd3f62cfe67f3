import { migrationState } from "@/lib/db";
import { probeResponse, startup } from "@/lib/health";

export const dynamic = "force-dynamic";

/** Startup (lib/health.ts): 200 once this process has applied the migrations at boot. */
export function GET(): Response {
  return probeResponse(startup(migrationState()));
}
