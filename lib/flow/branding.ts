import { cache } from "react";
import { brandingFor, type Branding } from "@/lib/config";
import { frameFlow } from "./context";

/**
 * The branding for this request's application (by the flow's client_id), read once per request.
 * The default branding when there is no flow or the database cannot say (the error page that
 * reports the outage must still render).
 */
export const currentBranding = cache(async (): Promise<Branding> => brandingFor((await frameFlow())?.context.claims.client_id));
