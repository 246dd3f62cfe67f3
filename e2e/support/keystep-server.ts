// Starts the built Keystep for Playwright on a fresh SQLite file (run by playwright.config.ts).
import { spawn } from "node:child_process";
import fs from "node:fs";
import { E2E } from "./ports";
import { E2E_DATA_DIR, keystepEnv } from "./keystep-env";
import { startCommand } from "../../scripts/start-command.mjs";

fs.rmSync(E2E_DATA_DIR, { recursive: true, force: true });
fs.mkdirSync(E2E_DATA_DIR, { recursive: true });
// The production entry (`npm start`'s script), so journeys see what users get.
const child = spawn(process.execPath, startCommand(), { stdio: "inherit", env: { ...keystepEnv(), PORT: String(E2E.keystepPort) } });
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 0));
