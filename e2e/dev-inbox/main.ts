// CLI: `tsx e2e/dev-inbox/main.ts` (INBOX_SMTP_PORT, INBOX_HTTP_PORT, SMS_WEBHOOK_SECRET).
import { startDevInbox } from "./server";

async function main() {
  const inbox = await startDevInbox({
    smtpPort: Number(process.env.INBOX_SMTP_PORT || 2525),
    httpPort: Number(process.env.INBOX_HTTP_PORT || 4020),
    webhookSecret: process.env.SMS_WEBHOOK_SECRET || "",
    twilio: process.env.TWILIO_ACCOUNT_SID ? { accountSid: process.env.TWILIO_ACCOUNT_SID, authToken: process.env.TWILIO_AUTH_TOKEN || "" } : undefined,
  });
  console.log(`Dev inbox: ${inbox.url}/ (SMTP ${inbox.smtpUrl}, SMS webhook ${inbox.webhookUrl})`);
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => void inbox.close().then(() => process.exit(0)));
}

void main();
