// The last step of `npm run build` (the postbuild script): Next's documented deployment step for
// `output: "standalone"`. The standalone server serves the static files and public/ from its own
// folder but the build leaves them outside it, so they are copied in:
//   .next/static → .next/standalone/.next/static,  public → .next/standalone/public.
// .next/standalone is then the whole artefact: copy that folder anywhere with Node 20 and run
// `node server.js` there (docs/operations.md#deploy).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const ARTEFACT = path.join(root, ".next/standalone");

for (const [from, to] of [
  [".next/static", ".next/standalone/.next/static"],
  ["public", ".next/standalone/public"],
]) {
  fs.rmSync(path.join(root, to), { recursive: true, force: true });
  fs.cpSync(path.join(root, from), path.join(root, to), { recursive: true });
}
for (const required of ["server.js", "dist/cli/migrate.cjs", "dist/cli/keystep.cjs", "auth0/action.js", "public/assets/html-only.js"]) {
  if (!fs.existsSync(path.join(ARTEFACT, required))) {
    console.error(`artefact: ${required} is missing from .next/standalone`);
    process.exit(1);
  }
}
console.log(`artefact: ${path.relative(root, ARTEFACT)} (node server.js)`);
