/** Ports and secrets for the e2e stack; distinct from the demo's (3000/4010/4020/2525) so both can run. */
export const E2E = {
  keystepPort: 3100,
  keystepUrl: "http://localhost:3100",
  simPort: 4110,
  simUrl: "http://127.0.0.1:4110",
  secret: "e2e-shared-secret-between-auth0-and-keystep-0123456789",
  inboxSmtpPort: 2625,
  inboxHttpPort: 4120,
  inboxUrl: "http://127.0.0.1:4120",
  smsWebhookSecret: "e2e-sms-webhook-secret-0123456789-abcdef",
};
