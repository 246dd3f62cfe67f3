// CLI: `tsx e2e/dev-inbox/main.ts`. Env: INBOX_SMTP_PORT (2525), INBOX_HTTP_PORT (4020), INBOX_HOST
// (127.0.0.1), SMS_WEBHOOK_SECRET (generated and printed when unset), TWILIO_ACCOUNT_SID and
// TWILIO_AUTH_TOKEN (enable the fake Twilio API).
import crypto from "node:crypto";
import { startDevInbox } from "./server";

function port(name: string, fallback: number): number {
  const value = Number(process.env[name] || fallback);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name} must be a port number`);
  return value;
}

async function main() {
  const generated = !process.env.SMS_WEBHOOK_SECRET;
  const webhookSecret = process.env.SMS_WEBHOOK_SECRET || crypto.randomBytes(32).toString("hex");
  const sid = process.env.TWILIO_ACCOUNT_SID;
  const inbox = await startDevInbox({
    smtpPort: port("INBOX_SMTP_PORT", 2525),
    httpPort: port("INBOX_HTTP_PORT", 4020),
    host: process.env.INBOX_HOST || undefined,
    webhookSecret,
    twilio: sid ? { accountSid: sid, authToken: process.env.TWILIO_AUTH_TOKEN || "" } : undefined,
  });
  console.log(`Dev inbox:       ${inbox.url}/`);
  console.log(`  SMTP_URL        ${inbox.smtpUrl}`);
  console.log(`  SMS_WEBHOOK_URL ${inbox.webhookUrl}`);
  console.log(`  TWILIO_BASE_URL ${inbox.twilioBaseUrl}${sid ? "" : " (off: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN)"}`);
  // A dev-only secret made up on the spot; printing it is how Keystep gets configured to match.
  if (generated) console.log(`  SMS_WEBHOOK_SECRET was not set; generated: ${webhookSecret}`);
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => void inbox.close().then(() => process.exit(0)));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
