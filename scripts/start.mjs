// `npm start`: build once if needed, then serve. Migrations run at boot (instrumentation.ts)
// before the first request; a bad setting stops the process with the variable's name.
import { spawnSync, spawn } from "node:child_process";
import fs from "node:fs";

process.env.NEXT_TELEMETRY_DISABLED = "1";
const next = "node_modules/next/dist/bin/next";
if (!fs.existsSync(".next/BUILD_ID")) {
  const r = spawnSync(process.execPath, [next, "build"], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const child = spawn(process.execPath, [next, "start", "-p", process.env.PORT || "3000"], { stdio: "inherit" });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 0));
