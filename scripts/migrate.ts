// `npm run migrate`: apply pending migrations to DATABASE_URL and exit. Runs under the
// react-server condition so lib/ modules marked "server-only" load outside Next.
import { EnvError, loadEnv } from "../lib/env";
import { connect, migrateToLatest } from "../lib/db/connect";

async function main() {
  let url: string;
  try {
    // Only DATABASE_URL matters here; the other settings are checked when the server boots.
    const placeholders = { KEYSTEP_SECRET: "x".repeat(32), KEYSTEP_AUTH0_DOMAINS: "unused.example", KEYSTEP_ENCRYPTION_KEY: "0".repeat(64) };
    url = loadEnv({ ...placeholders, NODE_ENV: "development", DATABASE_URL: process.env.DATABASE_URL, DATABASE_URL_FILE: process.env.DATABASE_URL_FILE }).databaseUrl;
  } catch (e) {
    console.error(e instanceof EnvError ? e.message : e);
    process.exit(1);
  }
  const db = connect(url);
  try {
    const applied = await migrateToLatest(db);
    console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
  } finally {
    await db.destroy();
  }
}

main().catch((e) => {
  console.error(`migration failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
