import crypto from "node:crypto";
import { loadEnv, type Env } from "@/lib/env";

export const TEST_SECRET = "test-secret-that-is-at-least-32-bytes-long!";

/** A valid environment for unit tests, overridable per test. */
export function testEnv(overrides: Record<string, string> = {}): Env {
  return loadEnv({
    NODE_ENV: "test",
    KEYSTEP_PUBLIC_URL: "http://localhost:3000",
    KEYSTEP_SECRET: TEST_SECRET,
    KEYSTEP_AUTH0_DOMAINS: "tenant.eu.auth0.com, http://127.0.0.1:4010",
    KEYSTEP_ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex"),
    DATABASE_URL: "sqlite::memory:",
    ...overrides,
  });
}
