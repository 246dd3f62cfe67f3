import { cache } from "react";
import { brandingFor, type Branding } from "@/lib/config";
import { currentFlow } from "./context";

/** The branding for this request's application (by the flow's client_id), read once per request. */
export const currentBranding = cache(async (): Promise<Branding> => {
  const flow = await currentFlow();
  return brandingFor(flow.ok ? flow.flow.context.claims.client_id : undefined);
});
