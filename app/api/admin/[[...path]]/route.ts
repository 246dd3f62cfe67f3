import { handleAdminRequest } from "@/lib/support/api";

export const dynamic = "force-dynamic";

/**
 * Every path and method below /api/admin lands here, so the token check runs before any
 * routing and even unknown paths and methods answer JSON, never Next's HTML pages.
 * The routes themselves are in lib/support/api.ts.
 */
const handle = (request: Request) => handleAdminRequest(request);

export const GET = handle;
export const HEAD = handle;
export const POST = handle;
export const PUT = handle;
export const PATCH = handle;
export const DELETE = handle;
