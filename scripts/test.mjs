// `npm test`: format and lint (Biome), unit + integration (Vitest, SQLite and PostgreSQL), then the Playwright journeys
// against a production build, then the bench smoke run. Ends with one line summed over every
// runner: "N passed, N failed".
import { spawnSync } from "node:child_process";
import fs from "node:fs";

process.env.NEXT_TELEMETRY_DISABLED = "1";
fs.rmSync("test-results", { recursive: true, force: true });
fs.mkdirSync("test-results", { recursive: true });

const totals = { passed: 0, failed: 0, skipped: 0 };
let broken = false;

function run(title, cmd, args) {
  console.log(`\n=== ${title} ===`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env: process.env });
  return r.status === 0;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

// 0. Format and lint (Biome, biome.json): the code's shape and the layer rules. One check.
const biomeOk = run("format + lint (biome)", "npx", ["biome", "ci", "--reporter=summary", "."]);
totals[biomeOk ? "passed" : "failed"] += 1;

// 1. Vitest: unit tests and storage/flow integration tests on SQLite and PostgreSQL.
const vitestOk = run("unit + integration (vitest)", "npx", ["vitest", "run", "--reporter=default", "--reporter=json", "--outputFile=test-results/vitest.json"]);
const v = readJson("test-results/vitest.json");
if (v) {
  totals.passed += v.numPassedTests;
  totals.failed += v.numFailedTests;
  totals.skipped += v.numPendingTests + (v.numTodoTests ?? 0);
  if (!vitestOk && v.numFailedTests === 0) broken = true;
} else broken = true;

// 2. Production build, then the browser journeys.
// `npm run build`: the browser assets (scripts/build-assets.mjs, the prebuild script), then `next build`.
if (run("build", "npm", ["run", "build"])) {
  const pwOk = run("journeys (playwright, Debian chromium)", "npx", ["playwright", "test"]);
  const p = readJson("test-results/playwright.json");
  if (p?.stats) {
    totals.passed += p.stats.expected + p.stats.flaky;
    totals.failed += p.stats.unexpected;
    totals.skipped += p.stats.skipped;
    if (!pwOk && p.stats.unexpected === 0) broken = true;
  } else broken = true;

  // 3. Bench smoke (BENCH_SMOKE=1 npm run bench, under a minute): round trips under load on both
  // databases, one check per database, passed when every round trip completed. Speed is
  // reported in bench/results.smoke.json, never judged here (the machine may be busy).
  console.log("\n=== bench smoke ===");
  const benchPort = process.env.BENCH_PORT ?? String(3300 + Number(process.env.E2E_PORT_OFFSET ?? 0));
  const bench = spawnSync("npx", ["tsx", "--conditions=react-server", "scripts/bench.ts"], {
    env: { ...process.env, BENCH_SMOKE: "1", BENCH_PORT: benchPort },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 16 * 1024 * 1024,
  });
  process.stdout.write(bench.stdout ?? "");
  const b = /^bench: (\d+) passed, (\d+) failed$/m.exec(bench.stdout ?? "");
  if (b) {
    totals.passed += Number(b[1]);
    totals.failed += Number(b[2]);
    if (bench.status !== 0 && Number(b[2]) === 0) broken = true;
  } else broken = true;
} else {
  console.error("build failed: journeys and bench not run");
  broken = true;
}

if (broken) {
  totals.failed += 1;
  console.error("a test runner failed outside its tests (counted as one failure)");
}
const skipped = totals.skipped ? `, ${totals.skipped} skipped` : "";
console.log(`\n${totals.passed} passed, ${totals.failed} failed${skipped}`);
process.exit(totals.failed > 0 ? 1 : 0);
