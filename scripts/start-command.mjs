// The production command line, read from `npm start`'s script in package.json, for the scripts
// that run Keystep as it is deployed (the demo, the journeys' server, the bench), minus npm.
import fs from "node:fs";

/**
 * The arguments after `node` in package.json's start script (V8 heap flags, then the standalone
 * server, .next/standalone/server.js, which runs in its own folder: pass absolute paths).
 * @returns {string[]}
 */
export function startCommand(file = "package.json") {
  const script = JSON.parse(fs.readFileSync(file, "utf8")).scripts.start;
  const [node, ...args] = script.split(/\s+/);
  if (node !== "node") throw new Error(`package.json's start script must begin with "node": ${script}`);
  return args;
}
