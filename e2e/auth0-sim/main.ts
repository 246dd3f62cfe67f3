// CLI: `tsx e2e/auth0-sim/main.ts` with SIM_PORT, KEYSTEP_URL and KEYSTEP_SECRET.
import { startAuth0Sim } from "./server";

async function main() {
  const secret = process.env.KEYSTEP_SECRET;
  const keystepUrl = process.env.KEYSTEP_URL;
  if (!secret || !keystepUrl) {
    console.error("set KEYSTEP_URL and KEYSTEP_SECRET");
    process.exit(1);
  }
  const sim = await startAuth0Sim({ port: Number(process.env.SIM_PORT || 4010), secret, keystepUrl });
  console.log(`Auth0 simulator: ${sim.url}/ (issuer ${sim.issuer})`);
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => void sim.close().then(() => process.exit(0)));
}

void main();
