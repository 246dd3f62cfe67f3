import { redirect } from "next/navigation";

/** Every reason a person can land on the error page; each has a message in `error.reasons`. */
export const ERROR_REASONS = [
  "token_missing",
  "token_invalid",
  "token_expired",
  "issuer_not_allowed",
  "state_invalid",
  "state_replayed",
  "no_flow",
  "flow_expired",
  "unavailable",
  "not_found",
  "link_unknown",
  "link_used",
  "link_expired",
  "link_refused",
  "request_refused",
] as const;
export type ErrorReason = (typeof ERROR_REASONS)[number];

/** The request header by which proxy.ts tells the error page why it refused a request. */
export const REFUSAL_HEADER = "x-keystep-refusal";

export function isErrorReason(v: unknown): v is ErrorReason {
  return typeof v === "string" && (ERROR_REASONS as readonly string[]).includes(v);
}

/**
 * Sends the browser to the error page for `reason`. The error page is a route handler that
 * answers 403 with fully server-rendered HTML: Next's notFound()/forbidden() thrown from a page
 * ship an empty body that only JavaScript fills in (vercel/next.js#62228), which fails our
 * "works without JavaScript" bar.
 */
export function failPage(reason: ErrorReason): never {
  redirect(`/error?reason=${reason}`);
}

/**
 * Where a screen sends the browser when a dependency (the database, mostly) failed while it
 * answered: the error page's `unavailable` reason, a localised page with status 503 that says to
 * try again. Both kinds of screen use it, each through its own harness: HTML-only screens
 * (lib/pages/screen.ts `htmlOnlyScreen`) and React screens (lib/flow/guard.ts `reactScreen`).
 */
export const UNAVAILABLE_PATH = "/error?reason=unavailable";
