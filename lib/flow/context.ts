import { cookies } from "next/headers";
import { cache } from "react";
import { FLOW_COOKIE, type FlowLookup, flowFromCookie } from "./cookie";

/** The request's flow on a React screen or server action, read once per request from the opaque cookie (lib/flow/cookie.ts). */
export const currentFlow = cache(async (): Promise<FlowLookup> => flowFromCookie((await cookies()).get(FLOW_COOKIE)?.value));
