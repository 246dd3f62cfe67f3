// `npm start` (or `node scripts/start.mjs`): the production server. Builds once if needed, then
// serves with Next in this very process, the code screens HTML-only (scripts/html-only).
// Migrations run at boot (instrumentation.ts) before the first request; a bad setting stops the
// process with the variable's name.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { withHtmlOnly } from "./html-only/server.mjs";

/**
 * V8 heap settings for production. Node sizes the heap from the machine, not from what Keystep
 * needs: on a 24 GiB host the old generation may grow to 4 GB and V8 lets it fill with garbage
 * several times the live data before collecting. Measured with `npm run bench` (50 users, SQLite):
 * 398 MB RSS, yet only ~50 MB of the heap was live after a full GC, the same as the framework's
 * own floor page (which reached 389 MB under the same load). So the memory was V8's headroom, not
 * a leak, and these flags are the fix:
 *
 * - `--max-old-space-size=256`: a 256 MB ceiling, 5× the live heap, also makes V8 grow the old
 *   generation in small steps instead of up to 4×. A heap that is really full fails loudly
 *   (out of memory, the process exits and the supervisor restarts it) instead of swapping.
 * - `--max-semi-space-size=8`: young generation 2 × 8 MB instead of 2 × 16 MB. Scavenges get more
 *   frequent but each stays short; requests' short-lived garbage still dies young.
 *
 * Operators with other needs set their own values in NODE_OPTIONS or on the command line: a flag
 * given there wins and is not added again.
 */
export const NODE_FLAGS = ["--max-old-space-size=256", "--max-semi-space-size=8"];

/** The flags of NODE_FLAGS that this process was not started with (by name, whatever the value). */
export function missingNodeFlags(execArgv = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? "") {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map((a) => a.split("=")[0].replace(/_/g, "-"));
  return NODE_FLAGS.filter((f) => !given.includes(f.split("=")[0]));
}

function main() {
  process.env.NEXT_TELEMETRY_DISABLED = "1";
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  process.chdir(root);
  const next = path.join(root, "node_modules/next/dist/bin/next");
  // The browser assets first (scripts/build-assets.mjs, what `npm run build` runs before `next build`).
  const absent = (f) => !fs.existsSync(f);
  if (absent(".next/BUILD_ID") || absent("public/assets/html-only.js")) {
    const a = spawnSync(process.execPath, ["scripts/build-assets.mjs"], { stdio: "inherit" });
    if (a.status !== 0) process.exit(a.status ?? 1);
  }
  if (absent(".next/BUILD_ID")) {
    const r = spawnSync(process.execPath, [next, "build"], { stdio: "inherit" });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  const missing = missingNodeFlags();
  if (missing.length > 0) {
    // Started as plain `node scripts/start.mjs`: heap flags cannot be applied to a running V8, so
    // run the server once more with them (`npm start` passes them and needs no second process).
    const child = spawn(process.execPath, [...missing, ...process.execArgv, fileURLToPath(import.meta.url)], { stdio: "inherit" });
    for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
    child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
    return;
  }
  serve(root).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

/**
 * Next's own server (the custom-server API: same routing, proxy, compression and caching as
 * `next start`) in this process, behind one wrapper: the code screens are served HTML-only
 * (scripts/html-only/server.mjs explains why). Listens on PORT (3000) on every interface, as
 * `next start` does; SIGTERM/SIGINT stop taking connections and let requests in flight finish.
 */
async function serve(root) {
  const port = Number(process.env.PORT || 3000);
  const createNext = createRequire(import.meta.url)("next");
  const app = createNext({ dev: false, dir: root, port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const handler = withHtmlOnly((req, res) => handle(req, res));
  const server = http.createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((e) => {
      console.error(e);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end("Internal Server Error");
    });
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections?.();
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  await new Promise((resolve, reject) => server.once("error", reject).listen(port, resolve));
  console.log(`Keystep ready on http://localhost:${port}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
