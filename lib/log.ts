import "server-only";
import pino from "pino";

/**
 * Structured logs. Tokens, codes and secrets are redacted by key wherever they appear, because
 * DESIGN §4 forbids secrets in logs and a future call site will forget.
 */
export const log = pino({
  level: process.env.LOG_LEVEL || (process.env.NODE_ENV === "test" ? "silent" : "info"),
  base: { app: "keystep" },
  redact: {
    paths: ["session_token", "token", "code", "secret", "*.session_token", "*.token", "*.code", "*.secret", "req.headers.cookie"],
    censor: "[redacted]",
  },
});
