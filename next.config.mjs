import createNextIntlPlugin from "next-intl/plugin";

const withNextIntl = createNextIntlPlugin("./i18n/request.ts");

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
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
