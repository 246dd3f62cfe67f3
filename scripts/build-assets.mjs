// Builds the browser scripts Keystep owns (client/) into public/assets/, a build output (not in
// git): `npm run build` and `npm run dev` run it first (prebuild, predev), and so do the scripts
// that call `next build` themselves (scripts/test.mjs, demo.mjs, bench.ts, start.mjs).
//   client/html-only.ts → public/assets/html-only.js: the script of every HTML-only screen;
//   client/webauthn-box.ts → public/assets/webauthn.js: the passkey button, on the WebAuthn challenges only.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The assets: entry (under client/) → output (under public/assets/). */
export const ASSETS = [
  ["html-only.ts", "html-only.js"],
  ["webauthn-box.ts", "webauthn.js"],
];

/** Builds every asset into `out` (default public/assets); returns the files written. */
export async function buildAssets({ out = path.join(root, "public/assets"), quiet = false } = {}) {
  const written = [];
  fs.mkdirSync(out, { recursive: true });
  for (const [entry, file] of ASSETS) {
    const outfile = path.join(out, file);
    await build({
      entryPoints: [path.join(root, "client", entry)],
      outfile,
      bundle: true,
      minify: true,
      format: "iife",
      target: "es2019",
      platform: "browser",
      legalComments: "none",
      logLevel: "warning",
    });
    const bytes = fs.readFileSync(outfile);
    if (!quiet) console.log(`assets: ${path.relative(root, outfile)} ${bytes.length} B (${zlib.gzipSync(bytes, { level: 9 }).length} B gzipped)`);
    written.push(outfile);
  }
  return written;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildAssets().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
