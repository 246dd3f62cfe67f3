// Compiles the two command-line entries that ship in the artefact into plain JavaScript, so they
// run on production dependencies only (no tsx): `npm run build` runs this before `next build`
// (the prebuild script), and next.config.mjs lists dist/cli/ in outputFileTracingIncludes, so the
// standalone output carries them.
//   scripts/migrate.ts → dist/cli/migrate.cjs: `npm run migrate`;
//   scripts/keystep.ts → dist/cli/keystep.cjs: `npm run keystep` (the support CLI).
// The app code is bundled under the react-server condition (lib/ modules marked "server-only"
// load outside Next). The packages Next keeps outside its own server bundle
// (next.config.mjs serverExternalPackages, plus ioredis) stay outside this one too: they are
// native or must be one copy per process, and the standalone output's node_modules holds them.
// The outputs sit two folders under the root, as lib/support/ does, so paths a module takes
// relative to its own folder (auth0/action.js) resolve the same from source and from the bundle.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const CLI_DIR = "dist/cli";
/** Entry (under scripts/) → output (under dist/cli/). */
export const ENTRIES = [
  ["migrate.ts", "migrate.cjs"],
  ["keystep.ts", "keystep.cjs"],
];
/** Runtime packages required, never bundled (see the header). */
export const EXTERNAL = ["better-sqlite3", "pg", "pino", "nodemailer", "prom-client", "ioredis"];

export async function buildCli({ out = path.join(root, CLI_DIR), quiet = false } = {}) {
  const written = [];
  for (const [entry, file] of ENTRIES) {
    const outfile = path.join(out, file);
    await build({
      entryPoints: [path.join(root, "scripts", entry)],
      outfile,
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      conditions: ["react-server"],
      external: EXTERNAL,
      alias: { "@": root },
      legalComments: "none",
      logLevel: "warning",
    });
    if (!quiet) console.log(`cli: ${path.relative(root, outfile)}`);
    written.push(outfile);
  }
  return written;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildCli().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
