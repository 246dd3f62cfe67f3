// CLI: `tsx e2e/auth0-sim/main.ts` with SIM_PORT (default 4010), KEYSTEP_URL and KEYSTEP_SECRET
// (optional: SIM_TENANT_ID, default `sim`, and SIM_CUSTOM_DOMAINS, e.g. `localhost:4010`); the
// fake Management API's client is SIM_MANAGEMENT_CLIENT_ID / SIM_MANAGEMENT_CLIENT_SECRET (default:
// keystep-installer and a random secret, printed: it is a test double's throwaway credential).
import { startAuth0Sim } from "./server";

async function main() {
  const secret = process.env.KEYSTEP_SECRET;
  const keystepUrl = process.env.KEYSTEP_URL;
  const port = Number(process.env.SIM_PORT || 4010);
  if (!secret || !keystepUrl || !Number.isInteger(port)) {
    console.error("Auth0 simulator: set KEYSTEP_URL and KEYSTEP_SECRET (and SIM_PORT, default 4010).");
    process.exit(1);
  }
  const management = { clientId: process.env.SIM_MANAGEMENT_CLIENT_ID || undefined, clientSecret: process.env.SIM_MANAGEMENT_CLIENT_SECRET || undefined };
  const customDomains = (process.env.SIM_CUSTOM_DOMAINS ?? "")
    .split(",")
    .map((d) => d.trim().toLowerCase())
    .filter(Boolean);
  // Keystep's support console as an OIDC client (SIM_CONSOLE_CLIENT_ID, _SECRET and _REDIRECT_URI, all three or none).
  const consoleClient = process.env.SIM_CONSOLE_CLIENT_ID;
  const oidcClients =
    consoleClient && process.env.SIM_CONSOLE_CLIENT_SECRET && process.env.SIM_CONSOLE_REDIRECT_URI
      ? [{ clientId: consoleClient, clientSecret: process.env.SIM_CONSOLE_CLIENT_SECRET, name: "Keystep console", redirectUris: [process.env.SIM_CONSOLE_REDIRECT_URI] }]
      : [];
  const sim = await startAuth0Sim({ port, secret, keystepUrl, management, tenantId: process.env.SIM_TENANT_ID || undefined, customDomains, oidcClients });
  console.log(`Auth0 simulator: ${sim.url}/ (issuer ${sim.issuer}, Keystep at ${keystepUrl})`);
  console.log(`  Management API: ${sim.url}/api/v2/ (client ${sim.management.clientId}, secret ${sim.management.clientSecret})`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((e: unknown) => {
  console.error("Auth0 simulator failed to start:", e);
  process.exit(1);
});
