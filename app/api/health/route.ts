import { db } from "@/lib/db";
import { budgets } from "@/lib/delivery/wiring";
import { env } from "@/lib/env";
import { probeResponse, readiness } from "@/lib/health";

export const dynamic = "force-dynamic";

/** Readiness (lib/health.ts), for load balancers: 200 when this instance can serve logins, 503 otherwise. `/api/health/ready` is the same. */
export async function GET(): Promise<Response> {
  return probeResponse(await readiness({ db: db(), ...(env().redisUrl ? { redis: () => budgets().ping() } : {}) }));
}
