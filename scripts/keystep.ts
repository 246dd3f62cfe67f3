// `npm run keystep -- <command>`: support tools (show, reset, disable, enable) and `auth0 install`; see `help`.
// Runs under the react-server condition so lib/ modules marked "server-only" load outside Next.

// Audit log lines go to stderr, so stdout carries only the command's own output (tables, --json).
process.env.KEYSTEP_LOG_STDERR = "1";

async function main(): Promise<number> {
  const { runCli } = await import("../lib/support/cli");
  return runCli(process.argv.slice(2), {
    env: process.env,
    out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
  });
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (e: unknown) => {
    // runCli reports expected failures itself; this is the last guard against a stack trace.
    process.stderr.write(`keystep: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
