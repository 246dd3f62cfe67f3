import { defineConfig } from "@playwright/test";
import { E2E } from "./e2e/support/ports";

/**
 * Journeys run in Debian's Chromium (browsers cannot be downloaded here): /usr/bin/chromium or
 * CHROMIUM_PATH. Keystep is the production build on SQLite; the Auth0 simulator runs the real
 * auth0/action.js. `npm test` builds first (scripts/test.mjs).
 */
export default defineConfig({
  testDir: "./e2e",
  testMatch: "**/*.spec.ts",
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"], ["json", { outputFile: "test-results/playwright.json" }]] : [["list"], ["json", { outputFile: "test-results/playwright.json" }]],
  outputDir: "test-results/artifacts",
  use: {
    browserName: "chromium",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  webServer: [
    {
      command: "npx tsx e2e/dev-inbox/main.ts",
      url: `${E2E.inboxUrl}/api/messages`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: { INBOX_SMTP_PORT: String(E2E.inboxSmtpPort), INBOX_HTTP_PORT: String(E2E.inboxHttpPort), SMS_WEBHOOK_SECRET: E2E.smsWebhookSecret },
    },
    {
      command: "npx tsx e2e/support/keystep-server.ts",
      url: `${E2E.keystepUrl}/api/health`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "pipe",
    },
    {
      command: "npx tsx e2e/auth0-sim/main.ts",
      url: `${E2E.simUrl}/`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: {
        SIM_PORT: String(E2E.simPort),
        KEYSTEP_URL: E2E.keystepUrl,
        KEYSTEP_SECRET: E2E.secret,
        SIM_CUSTOM_DOMAINS: new URL(E2E.simCustomDomainUrl).host,
        SIM_MANAGEMENT_CLIENT_ID: E2E.simManagement.clientId,
        SIM_MANAGEMENT_CLIENT_SECRET: E2E.simManagement.clientSecret,
        SIM_CONSOLE_CLIENT_ID: E2E.console.clientId,
        SIM_CONSOLE_CLIENT_SECRET: E2E.console.clientSecret,
        SIM_CONSOLE_REDIRECT_URI: `${E2E.keystepUrl}/console/callback`,
      },
    },
    {
      // A second Auth0 tenant with a secret of its own (journeys in e2e/tenants.spec.ts).
      command: "npx tsx e2e/auth0-sim/main.ts",
      url: `${E2E.devSimUrl}/`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: { SIM_PORT: String(E2E.devSimPort), KEYSTEP_URL: E2E.keystepUrl, KEYSTEP_SECRET: E2E.devSecret, SIM_TENANT_ID: "sim-dev" },
    },
  ],
});
