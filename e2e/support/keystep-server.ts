// Starts the built Keystep for Playwright on a fresh SQLite file (run by playwright.config.ts).
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { E2E } from "./ports";

const dir = "data/e2e";
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
const env = {
  ...process.env,
  NODE_ENV: "production" as const,
  NEXT_TELEMETRY_DISABLED: "1",
  PORT: String(E2E.keystepPort),
  KEYSTEP_PUBLIC_URL: E2E.keystepUrl,
  KEYSTEP_SECRET: E2E.secret,
  KEYSTEP_AUTH0_DOMAINS: E2E.simUrl,
  KEYSTEP_ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex"),
  KEYSTEP_ISSUER_NAME: "Keystep E2E",
  DATABASE_URL: `sqlite:./${dir}/keystep.db`,
  LOG_LEVEL: "warn",
  SMTP_URL: `smtp://127.0.0.1:${E2E.inboxSmtpPort}`,
  EMAIL_FROM: "Keystep E2E <mfa@keystep.test>",
  SMS_PROVIDER: "webhook",
  SMS_WEBHOOK_URL: `${E2E.inboxUrl}/sms`,
  SMS_WEBHOOK_SECRET: E2E.smsWebhookSecret,
  SMS_ALLOWED_COUNTRIES: "GB,US",
  KEYSTEP_CONFIG: "e2e/support/keystep.config.json",
  // The shortest allowed link lifetime, so a journey can watch a link expire in real time.
  KEYSTEP_MAGIC_LINK_TTL_SECONDS: "60",
};
const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(E2E.keystepPort)], { stdio: "inherit", env });
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 0));
