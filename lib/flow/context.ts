import { cookies } from "next/headers";
import { cache } from "react";
import { FLOW_COOKIE, type FlowLookup, flowFromCookie } from "./cookie";
import type { Flow } from "./types";

/** The request's flow on a React screen or server action, read once per request from the opaque cookie (lib/flow/cookie.ts). */
export const currentFlow = cache(async (): Promise<FlowLookup> => flowFromCookie((await cookies()).get(FLOW_COOKIE)?.value));

/**
 * The flow as what frames a page sees it (branding, the session timer): null when there is none
 * or when reading it failed. The frame never decides anything: when the database is down the
 * frame falls back to the default branding, and the page's own harness (`reactScreen`, or a route
 * handler's own check) answers the failure, so the error page itself still renders.
 */
export const frameFlow = cache(async (): Promise<Flow | null> => {
  try {
    const lookup = await currentFlow();
    return lookup.ok ? lookup.flow : null;
  } catch {
    return null;
  }
});
