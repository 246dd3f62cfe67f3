/**
 * Several instances (#16 item 2): two Keystep processes of one build on one PostgreSQL database,
 * started at once (their boot migrations race), behind a real nginx that terminates the public
 * origin with the configuration docs/proxy.md gives (Host, X-Forwarded-Host, X-Forwarded-Proto).
 * nginx routes by a rule this test controls: every GET to instance A, every POST to instance B, and
 * names the instance that answered in a response header. One login then has its pages rendered by
 * A and its forms (Server Actions and form posts, with their origin checks) handled by B.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, newEmail, test } from "./support/fixtures";
import { E2E } from "./support/ports";
import { enrollAt, freshDatabase, start, stopAll, waitForOk, type Started } from "./support/processes";
import { startCommand } from "../scripts/start-command.mjs";

test.describe.configure({ mode: "serial" });

const offset = Number(process.env.E2E_PORT_OFFSET ?? 0) || 0;
const NGINX_PORT = 5010 + 10 * offset;
const PORTS = { A: 5011 + 10 * offset, B: 5012 + 10 * offset } as const;
const SIM_PORT = 5013 + 10 * offset;
/** The public origin: nginx's. */
const publicUrl = `http://localhost:${NGINX_PORT}`;
const simUrl = `http://127.0.0.1:${SIM_PORT}`;
const SECRET = crypto.randomBytes(32).toString("base64url");
const ENCRYPTION_KEY = crypto.randomBytes(32).toString("hex");
const NOBODY = 65534;

let dir = "";
let database: Awaited<ReturnType<typeof freshDatabase>>;
const instances: Partial<Record<keyof typeof PORTS, Started>> = {};

/** nginx, unprivileged, from a temporary folder: GET → A, POST → B, and who answered in X-Keystep-Upstream. */
function nginxConfig(): string {
  return `
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 128; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  map $request_method $keystep { default instance_a; POST instance_b; }
  upstream instance_a { server 127.0.0.1:${PORTS.A}; keepalive 8; }
  upstream instance_b { server 127.0.0.1:${PORTS.B}; keepalive 8; }
  server {
    listen 127.0.0.1:${NGINX_PORT};
    server_name localhost;
    location / {
      proxy_pass http://$keystep;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      add_header X-Keystep-Upstream $upstream_addr always;
    }
  }
}
`;
}

function keystepEnv(port: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: String(port),
    HOSTNAME: "127.0.0.1",
    // The same settings everywhere (docs/proxy.md): the public URL is nginx's.
    KEYSTEP_PUBLIC_URL: publicUrl,
    KEYSTEP_SECRET: SECRET,
    KEYSTEP_ENCRYPTION_KEY: ENCRYPTION_KEY,
    KEYSTEP_AUTH0_DOMAINS: simUrl,
    DATABASE_URL: database.url,
    // No REDIS_URL: the send budgets live in PostgreSQL and hold across instances.
    SMTP_URL: `smtp://127.0.0.1:${E2E.inboxSmtpPort}`,
    EMAIL_FROM: "Keystep Instances <mfa@keystep.test>",
    LOG_LEVEL: "warn",
  };
}

const instanceAt = (upstream: string) => (Object.entries(PORTS).find(([, port]) => upstream === `127.0.0.1:${port}`)?.[0] ?? `? ${upstream}`) as string;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  expect(fs.existsSync(".next/standalone/server.js"), "run `npm run build` first").toBe(true);
  dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "keystep-nginx-"));
  database = await freshDatabase("keystep_instances");

  // Both at once on the empty database: their boot migrations race.
  for (const name of ["A", "B"] as const) instances[name] = start(`keystep ${name}`, process.execPath, startCommand(), { env: keystepEnv(PORTS[name]) });
  fs.writeFileSync(path.join(dir, "nginx.conf"), nginxConfig());
  // Unprivileged: nginx runs as nobody, and writes only its folder (pid, logs, buffers).
  fs.chownSync(dir, NOBODY, NOBODY);
  const nginx = start("nginx", "setpriv", [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "nginx", "-p", dir, "-c", path.join(dir, "nginx.conf"), "-e", path.join(dir, "error.log")], {});
  const sim = start("auth0-sim", process.execPath, ["--import", "tsx", "e2e/auth0-sim/main.ts"], {
    env: { ...process.env, SIM_PORT: String(SIM_PORT), KEYSTEP_URL: publicUrl, KEYSTEP_SECRET: SECRET },
  });
  await Promise.all([waitForOk(`http://127.0.0.1:${PORTS.A}/api/health/ready`, instances.A), waitForOk(`http://127.0.0.1:${PORTS.B}/api/health/ready`, instances.B), waitForOk(`${simUrl}/`, sim)]);
  await waitForOk(`${publicUrl}/api/health/live`, nginx);
});

test.afterAll(async () => {
  await stopAll();
  await database?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("two instances starting at once on one empty database apply each migration once between them, and both are ready", async () => {
  const applied = (["A", "B"] as const).flatMap((name) => [...(instances[name]?.output() ?? "").matchAll(/\[keystep\] applied migrations: (.+)/g)].flatMap((m) => m[1]!.split(", ")));
  expect(applied.length).toBeGreaterThan(10);
  expect(new Set(applied).size).toBe(applied.length);
  expect(applied).toContain("0001_initial");
  for (const port of Object.values(PORTS)) expect((await fetch(`http://127.0.0.1:${port}/api/health/ready`)).status).toBe(200);
});

test("a login begun on instance A is finished on instance B, behind nginx, with the origin checks and Server Actions working", async ({ page }) => {
  test.setTimeout(90_000);
  /** Which instance served each of Keystep's answers, in order (static files left out). */
  const served: string[] = [];
  page.on("response", (res) => {
    const url = new URL(res.url());
    if (url.origin !== publicUrl || url.pathname.startsWith("/_next/static") || url.pathname.startsWith("/assets/")) return;
    const upstream = res.headers()["x-keystep-upstream"] ?? "";
    served.push(`${res.request().method()} ${url.pathname} ${res.status()} → instance ${instanceAt(upstream)} (${upstream})`);
  });

  const email = newEmail("instances");
  await enrollAt(page, { keystepUrl: publicUrl, simUrl, email });

  console.log(`one login through nginx (${publicUrl}):\n  ${served.join("\n  ")}`);
  const gets = served.filter((s) => s.startsWith("GET "));
  const posts = served.filter((s) => s.startsWith("POST "));
  expect(gets.length).toBeGreaterThan(2);
  expect(posts.length).toBeGreaterThan(2);
  expect(gets.every((s) => s.includes("→ instance A"))).toBe(true);
  expect(posts.every((s) => s.includes("→ instance B"))).toBe(true);
  // No answer refused: every post passed the origin check behind the proxy.
  expect(served.filter((s) => / (403|500) /.test(s))).toEqual([]);
});

test("behind nginx, a form post from another origin is still refused", async ({ request }) => {
  const res = await request.post(`${publicUrl}/choose`, { headers: { Origin: "https://attacker.example" }, form: { factor: "otp" }, maxRedirects: 0 });
  expect(res.status()).toBe(403);
  expect(res.headers()["x-keystep-upstream"]).toBe(`127.0.0.1:${PORTS.B}`);
});
