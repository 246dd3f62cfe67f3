import { execFileSync } from "node:child_process";
import fs from "node:fs";
import createNextIntlPlugin from "next-intl/plugin";

const withNextIntl = createNextIntlPlugin("./i18n/request.ts");

/**
 * The release's identity, the same in every instance of one build: NEXT_DEPLOYMENT_ID when the
 * build sets it, else the package version and the commit (when built from a git checkout).
 * Next stamps it on asset URLs and answers, and a browser holding pages of another build
 * reloads instead of posting to a server that cannot read its forms (docs/proxy.md).
 */
/** Next allows letters, digits, hyphens and underscores only: 0.1.0 → 0_1_0. */
const safe = (id) => id.replace(/[^A-Za-z0-9_-]/g, "_");

export function deploymentId(env = process.env) {
  if (env.NEXT_DEPLOYMENT_ID) return env.NEXT_DEPLOYMENT_ID;
  const { version } = JSON.parse(fs.readFileSync(new URL("./package.json", import.meta.url), "utf8"));
  try {
    const sha = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return safe(sha ? `${version}-${sha}` : version);
  } catch {
    return safe(version); // no git, or not a checkout (a Docker build context without .git)
  }
}

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // The artefact: .next/standalone holds the server and only the node_modules it needs; the
  // build copies the static files and public/ into it (scripts/standalone.mjs, Next's documented
  // step), and it carries the compiled migrations and support CLI (scripts/build-cli.mjs) and
  // the Action's code for `keystep auth0 install`. docs/decisions/0009-the-artefact.md.
  output: "standalone",
  outputFileTracingIncludes: { "/*": ["./dist/cli/*.cjs", "./auth0/action.js"] },
  deploymentId: deploymentId(),
  reactStrictMode: true,
  // Native and Node-only modules stay outside the server bundle. prom-client too: its registry
  // must be one per process, shared by the App Router, Pages Router and route-handler bundles
  // (lib/metrics.ts), which would each get their own copy if it were bundled.
  serverExternalPackages: ["better-sqlite3", "pg", "pino", "nodemailer", "prom-client"],
  // /api/* answers come from route handlers that the proxy skips (proxy.ts), so the headers every
  // answer needs are set here: no MIME sniffing of JSON, and HSTS as on the pages
  // (lib/security/headers.ts; next.config.test.ts keeps the two equal).
  async headers() {
    return [
      {
        source: "/api/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" },
        ],
      },
    ];
  },
  experimental: {
    // Tailwind's whole stylesheet is a few KB gzipped: inlining it removes the one render-blocking
    // request before first paint, which matters most on the slow phone connections a login meets.
    inlineCss: true,
  },
};

export default withNextIntl(nextConfig);
