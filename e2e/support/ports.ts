/**
 * Ports and secrets for the e2e stack; distinct from the demo's (3000/4010/4020/2525) so both can
 * run. E2E_PORT_OFFSET shifts every port, so two checkouts can run their suites side by side.
 */
const offset = Number(process.env.E2E_PORT_OFFSET ?? 0) || 0;
const port = (p: number) => p + offset;

export const E2E = {
  keystepPort: port(3100),
  keystepUrl: `http://localhost:${port(3100)}`,
  simPort: port(4110),
  simUrl: `http://127.0.0.1:${port(4110)}`,
  /** The same simulated tenant through a custom domain: `iss` is this host (#15 item 3). */
  simCustomDomainUrl: `http://localhost:${port(4110)}`,
  secret: "e2e-shared-secret-between-auth0-and-keystep-0123456789",
  /** The simulated tenant's Management API client, for revocations (#15 item 4). */
  simManagement: { clientId: "e2e-keystep-revoker", clientSecret: "e2e-management-secret-0123456789-abcdef" },
  /** A second tenant ("sim-dev") with a secret of its own: a result minted for one is refused by the other. */
  devSimPort: port(4130),
  devSimUrl: `http://127.0.0.1:${port(4130)}`,
  devSecret: "e2e-development-tenant-secret-9876543210-zyxwvu",
  inboxSmtpPort: port(2625),
  inboxHttpPort: port(4120),
  inboxUrl: `http://127.0.0.1:${port(4120)}`,
  smsWebhookSecret: "e2e-sms-webhook-secret-0123456789-abcdef",
  /** Bearer token of Keystep's admin API (/api/admin) in the e2e stack. */
  adminToken: "e2e-admin-token-0123456789-abcdefghijklmnop",
  /** The support console's Auth0 application on the simulated tenant (docs/console.md). */
  console: { clientId: "e2e-keystep-console", clientSecret: "e2e-console-client-secret-0123456789-abcdef" },
  /** Bearer token of /api/metrics in the e2e stack. */
  metricsToken: "e2e-metrics-token-0123456789-abcdefghijklmno",
};
