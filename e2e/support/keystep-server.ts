// Starts the built Keystep for Playwright on a fresh SQLite file (run by playwright.config.ts).
import { spawn } from "node:child_process";
import fs from "node:fs";
import readline from "node:readline";
import { E2E } from "./ports";
import { E2E_DATA_DIR, E2E_LOG_FILE, keystepEnv } from "./keystep-env";
import { startCommand } from "../../scripts/start-command.mjs";

fs.rmSync(E2E_DATA_DIR, { recursive: true, force: true });
fs.mkdirSync(E2E_DATA_DIR, { recursive: true });
// The production entry (`npm start`'s script), so journeys see what users get.
// Every log line (info and up) goes to a file that journeys read (e2e/logs.spec.ts); the console
// gets warnings, errors and anything that is not a JSON line, as with LOG_LEVEL=warn before.
const child = spawn(process.execPath, startCommand(), { stdio: ["ignore", "pipe", "inherit"], env: { ...keystepEnv(), LOG_LEVEL: "info", PORT: String(E2E.keystepPort) } });
const logFile = fs.createWriteStream(E2E_LOG_FILE);
child.stdout.pipe(logFile);
readline.createInterface({ input: child.stdout }).on("line", (line) => {
  let level = 100;
  try {
    level = line.startsWith("{") ? Number(JSON.parse(line).level) : 100;
  } catch {}
  if (level >= 40) process.stdout.write(`${line}\n`);
});
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 0));
