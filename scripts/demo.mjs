// `npm run demo`: Keystep on an embedded SQLite database plus the Auth0 simulator, which runs
// the real auth0/action.js. Prints one URL to open. Ctrl+C stops both.
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { startCommand } from "./start-command.mjs";

const KEYSTEP_PORT = Number(process.env.PORT || 3000);
const SIM_PORT = Number(process.env.SIM_PORT || 4010);
const INBOX_PORT = Number(process.env.INBOX_PORT || 4020);
const SMTP_PORT = Number(process.env.INBOX_SMTP_PORT || 2525);
const keystepUrl = `http://localhost:${KEYSTEP_PORT}`;
const inboxUrl = `http://127.0.0.1:${INBOX_PORT}`;
const simUrl = `http://127.0.0.1:${SIM_PORT}`;
const dir = path.resolve("data/demo");
fs.mkdirSync(dir, { recursive: true });

/** Reads a generated secret from the data folder, creating it on first run. */
function persisted(name, make) {
  const file = path.join(dir, name);
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  const value = make();
  fs.writeFileSync(file, value + "\n", { mode: 0o600 });
  console.log(`• generated ${path.relative(process.cwd(), file)} (demo only; production sets it in the environment)`);
  return value;
}
const secret = persisted("action-secret", () => crypto.randomBytes(32).toString("base64url"));
const encryptionKey = persisted("encryption.key", () => crypto.randomBytes(32).toString("hex"));
const smsSecret = persisted("sms-webhook-secret", () => crypto.randomBytes(32).toString("base64url"));
// The support console's application on the simulated tenant (docs/console.md).
const consoleSecret = persisted("console-client-secret", () => crypto.randomBytes(32).toString("base64url"));
const CONSOLE_CLIENT_ID = "keystep-console";

/** Rebuilds when the build is missing or older than any source file. */
function needsBuild() {
  const id = ".next/BUILD_ID";
  if (!fs.existsSync(id)) return true;
  const built = fs.statSync(id).mtimeMs;
  const newer = (p) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) return fs.readdirSync(p).some((f) => newer(path.join(p, f)));
    return st.mtimeMs > built;
  };
  if (!fs.existsSync("public/assets/html-only.js") || !fs.existsSync(".next/standalone/server.js")) return true;
  return ["app", "pages", "client", "lib", "components", "messages", "i18n", "proxy.ts", "next.config.mjs"].some((p) => fs.existsSync(p) && newer(p));
}

process.env.NEXT_TELEMETRY_DISABLED = "1";
if (needsBuild()) {
  console.log("• building Keystep (about 30 s the first time)…");
  // `npm run build`: the browser assets (scripts/build-assets.mjs), then `next build`.
  const r = spawnSync("npm", ["run", "build"], { stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) {
    console.error("build failed; run `npm run build` to see why");
    process.exit(1);
  }
}

const children = [];
function start(name, cmd, args, env) {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const prefix = (chunk) =>
    chunk
      .toString()
      .split("\n")
      .filter(Boolean)
      .map((l) => `[${name}] ${l}`)
      .join("\n") + "\n";
  child.stdout.on("data", (c) => process.env.DEMO_VERBOSE && process.stdout.write(prefix(c)));
  child.stderr.on("data", (c) => process.stderr.write(prefix(c)));
  child.on("exit", (code) => {
    if (!stopping) {
      console.error(`${name} exited (${code}); stopping the demo`);
      stop(1);
    }
  });
  children.push(child);
}
let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const c of children) c.kill("SIGTERM");
  process.exit(code);
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

// The production entry (what `npm start` runs), so the demo shows what users get.
start("keystep", process.execPath, startCommand(), {
  NODE_ENV: "production",
  PORT: String(KEYSTEP_PORT),
  KEYSTEP_PUBLIC_URL: keystepUrl,
  KEYSTEP_SECRET: secret,
  KEYSTEP_AUTH0_DOMAINS: simUrl,
  KEYSTEP_ENCRYPTION_KEY: encryptionKey,
  KEYSTEP_ISSUER_NAME: "Keystep Demo",
  DATABASE_URL: `sqlite:${path.join(dir, "keystep.db")}`,
  // Real SMTP and a real signed SMS/WhatsApp webhook, received by the dev inbox below.
  SMTP_URL: `smtp://127.0.0.1:${SMTP_PORT}`,
  EMAIL_FROM: "Keystep Demo <mfa@keystep.test>",
  SMS_PROVIDER: "webhook",
  SMS_WEBHOOK_URL: `${inboxUrl}/sms`,
  SMS_WEBHOOK_SECRET: smsSecret,
  SMS_ALLOWED_COUNTRIES: "*",
  // WhatsApp codes go through the same signed webhook, marked "channel": "whatsapp".
  WHATSAPP_PROVIDER: "webhook",
  // A sample second brand: log in from http://127.0.0.1:4010/?client_id=nightjar to see it.
  // Absolute: the standalone server runs in its own folder (.next/standalone).
  KEYSTEP_CONFIG: path.resolve(process.env.KEYSTEP_CONFIG || "docs/demo.config.json"),
  // The pseudo-locale (accented, ~40% longer) is in the language menu of the demo.
  KEYSTEP_PSEUDO_LOCALE: "1",
  // The support console at /console: operators are the simulator's operator-…@ addresses.
  KEYSTEP_CONSOLE_ISSUER: simUrl,
  KEYSTEP_CONSOLE_CLIENT_ID: CONSOLE_CLIENT_ID,
  KEYSTEP_CONSOLE_CLIENT_SECRET: consoleSecret,
  KEYSTEP_SMS_PRICES: JSON.stringify({ GB: 0.04, US: 0.008, "*": 0.1 }),
});
start("dev-inbox", process.execPath, ["node_modules/tsx/dist/cli.mjs", "e2e/dev-inbox/main.ts"], {
  INBOX_SMTP_PORT: String(SMTP_PORT),
  INBOX_HTTP_PORT: String(INBOX_PORT),
  SMS_WEBHOOK_SECRET: smsSecret,
});
start("auth0-sim", process.execPath, ["node_modules/tsx/dist/cli.mjs", "e2e/auth0-sim/main.ts"], {
  SIM_PORT: String(SIM_PORT),
  KEYSTEP_URL: keystepUrl,
  KEYSTEP_SECRET: secret,
  SIM_CONSOLE_CLIENT_ID: CONSOLE_CLIENT_ID,
  SIM_CONSOLE_CLIENT_SECRET: consoleSecret,
  SIM_CONSOLE_REDIRECT_URI: `${keystepUrl}/console/callback`,
});

async function waitFor(url) {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not come up`);
}
await Promise.all([waitFor(`${keystepUrl}/api/health`), waitFor(`${simUrl}/`), waitFor(`${inboxUrl}/api/messages`)]).catch((e) => {
  console.error(e.message);
  stop(1);
});
console.log(`
  Keystep demo is running.

  Open ${simUrl}/ and click "Log in" (demo@keystep.test / demo-password is filled in).
  Pick a method: an authenticator app (scan the QR code, or run oathtool --totp -b <key>),
  a text message, or an email code. Emails and texts arrive in the dev inbox:

    Dev inbox: ${inboxUrl}/

  Keystep: ${keystepUrl}   Data: ${path.relative(process.cwd(), dir)}/   Stop: Ctrl+C
`);
