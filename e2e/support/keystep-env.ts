import crypto from "node:crypto";
import path from "node:path";
import { E2E } from "./ports";

/** Where the e2e Keystep keeps its SQLite database; keystep-server.ts empties it at start. */
export const E2E_DATA_DIR = "data/e2e";

/** The e2e Keystep's stdout (its JSON log lines), written by keystep-server.ts. */
export const E2E_LOG_FILE = `${E2E_DATA_DIR}/keystep.log`;

/**
 * The e2e Keystep's settings. The server (keystep-server.ts) and the support CLI that journeys
 * spawn must agree on every one, so the encryption key is derived, not random per process.
 */
export function keystepEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: String(E2E.keystepPort),
    KEYSTEP_PUBLIC_URL: E2E.keystepUrl,
    KEYSTEP_SECRET: E2E.secret,
    // Two tenants, each with its own secret; the first also has a custom domain and Management API
    // credentials, so every journey runs the multi-tenant configuration (#15 items 3 and 4).
    KEYSTEP_AUTH0_DOMAINS: undefined,
    KEYSTEP_AUTH0_TENANT: undefined,
    KEYSTEP_TENANTS: "sim,sim-dev",
    KEYSTEP_TENANT_SIM_SECRET: E2E.secret,
    KEYSTEP_TENANT_SIM_DOMAINS: `${E2E.simUrl},${E2E.simCustomDomainUrl}`,
    KEYSTEP_TENANT_SIM_MANAGEMENT_CLIENT_ID: E2E.simManagement.clientId,
    KEYSTEP_TENANT_SIM_MANAGEMENT_CLIENT_SECRET: E2E.simManagement.clientSecret,
    KEYSTEP_TENANT_SIM_DEV_SECRET: E2E.devSecret,
    KEYSTEP_TENANT_SIM_DEV_DOMAINS: E2E.devSimUrl,
    KEYSTEP_ENCRYPTION_KEY: crypto.createHash("sha256").update(`e2e-encryption-key:${E2E.secret}`).digest("hex"),
    KEYSTEP_ISSUER_NAME: "Keystep E2E",
    KEYSTEP_ADMIN_TOKEN: E2E.adminToken,
    KEYSTEP_METRICS_TOKEN: E2E.metricsToken,
    // The support console signs operators in through the simulated tenant (e2e/console.spec.ts).
    KEYSTEP_CONSOLE_ISSUER: E2E.simUrl,
    KEYSTEP_CONSOLE_CLIENT_ID: E2E.console.clientId,
    KEYSTEP_CONSOLE_CLIENT_SECRET: E2E.console.clientSecret,
    KEYSTEP_CONSOLE_TENANT: "sim",
    // Absolute paths: the standalone server runs in its own folder (.next/standalone), not here.
    DATABASE_URL: `sqlite:${path.resolve(E2E_DATA_DIR, "keystep.db")}`,
    LOG_LEVEL: "warn",
    SMTP_URL: `smtp://127.0.0.1:${E2E.inboxSmtpPort}`,
    EMAIL_FROM: "Keystep E2E <mfa@keystep.test>",
    SMS_PROVIDER: "webhook",
    SMS_WEBHOOK_URL: `${E2E.inboxUrl}/sms`,
    SMS_WEBHOOK_SECRET: E2E.smsWebhookSecret,
    SMS_ALLOWED_COUNTRIES: "GB,US",
    WHATSAPP_PROVIDER: "webhook",
    // Every journey comes from one loopback address, and every first setup sends an email code
    // (policy firstEnrollment), so the per-IP email budget is sized for the suite, not a person.
    EMAIL_BUDGET_PER_IP: "1000",
    KEYSTEP_CONFIG: path.resolve("e2e/support/keystep.config.json"),
    // The shortest allowed link lifetime, so a journey can watch a link expire in real time.
    KEYSTEP_MAGIC_LINK_TTL_SECONDS: "60",
  };
}
