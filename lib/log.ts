import { isSpanContextValid, trace } from "@opentelemetry/api";
import pino from "pino";

/**
 * The id of the request being handled: its trace id (lib/tracing.ts registers the provider that
 * makes Next.js run each request inside a span), or null outside a request.
 */
export function correlationId(): string | null {
  const span = trace.getActiveSpan()?.spanContext();
  return span && isSpanContextValid(span) ? span.traceId : null;
}

/** `X-Request-Id: <the request's id>` for a response, so a proxy or a user can quote it to support. */
export function requestIdHeader(): Record<string, string> {
  const id = correlationId();
  return id ? { "X-Request-Id": id } : {};
}

/**
 * Tokens, codes and secrets are redacted by key wherever they appear, because DESIGN §4 forbids
 * secrets in logs and a future call site will forget.
 */
export const LOG_OPTIONS: pino.LoggerOptions = {
  level: process.env.LOG_LEVEL || (process.env.NODE_ENV === "test" ? "silent" : "info"),
  base: { app: "keystep" },
  // Every line written while a request is handled names the request (lib/tracing.ts).
  mixin() {
    const id = correlationId();
    return id ? { req_id: id } : {};
  },
  redact: {
    paths: ["session_token", "token", "code", "secret", "*.session_token", "*.token", "*.code", "*.secret", "req.headers.cookie"],
    censor: "[redacted]",
  },
};

/** A logger with Keystep's options writing to `destination` (stdout when omitted). */
export function createLogger(destination?: pino.DestinationStream): pino.Logger {
  return destination ? pino(LOG_OPTIONS, destination) : pino(LOG_OPTIONS);
}

/**
 * Structured logs, one JSON object a line, to stdout. The support CLI sets KEYSTEP_LOG_STDERR=1
 * so its own stdout stays clean for tables and `--json`.
 */
export const log = createLogger(process.env.KEYSTEP_LOG_STDERR === "1" ? pino.destination(2) : undefined);
