// The promises the Dockerfile and compose.yaml make (docs/operations.md#deploy), read from the
// files themselves: a runtime stage that runs as a non-root user, with a HEALTHCHECK on a probe
// and the production start's V8 flags; a compose service on a read-only root filesystem whose
// secrets all come from files. The artefact they carry is exercised by e2e/artefact.spec.ts.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { startCommand } from "./scripts/start-command.mjs";

const dockerfile = fs.readFileSync("Dockerfile", "utf8");
/** The Dockerfile's instructions, continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/g, " ")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#"));
const stages = instructions.reduce<string[][]>((acc, l) => (l.startsWith("FROM ") ? [...acc, [l]] : (acc.at(-1)?.push(l), acc)), []);

describe("Dockerfile", () => {
  const runtime = stages.at(-1) ?? [];

  it("is multi-stage on node:20-bookworm-slim, and the runtime stage copies only the artefact", () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(instructions).toContain("ARG NODE_IMAGE=node:20-bookworm-slim");
    expect(runtime.filter((l) => l.startsWith("COPY"))).toEqual(["COPY --from=build --chown=root:root /src/.next/standalone ./"]);
  });

  it("runs as a non-root user, writes only the /data volume, and has a HEALTHCHECK on a probe", () => {
    const user = runtime.filter((l) => l.startsWith("USER ")).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
    expect(runtime).toContain("VOLUME /data");
    expect(runtime.find((l) => l.startsWith("ENV "))).toMatch(/DATABASE_URL=sqlite:\/data\/keystep\.db/);
    expect(runtime.find((l) => l.startsWith("ENV "))).toMatch(/NEXT_TELEMETRY_DISABLED=1/);
    expect(runtime.find((l) => l.startsWith("HEALTHCHECK "))).toMatch(/CMD \["node", "-e", ".*\/api\/health\/(startup|ready|live)/);
  });

  it("starts server.js with the production start's V8 flags (package.json)", () => {
    const cmd = runtime.find((l) => l.startsWith("CMD "));
    const flags = startCommand().filter((a) => a.startsWith("--"));
    expect(JSON.parse(cmd?.slice(4) ?? "[]")).toEqual(["node", ...flags, "server.js"]);
  });
});

describe("compose.yaml", () => {
  const compose = fs.readFileSync("compose.yaml", "utf8");
  /** One top-level service's block (indented two spaces under `services:`). */
  const service = (name: string) => new RegExp(`^  ${name}:\\n((?:    .*\\n|\\n)*)`, "m").exec(compose)?.[1] ?? "";

  it("runs Keystep read-only with the data volume, after healthy PostgreSQL 15 and Redis 7", () => {
    const keystep = service("keystep");
    expect(keystep).toMatch(/^    read_only: true$/m);
    expect(keystep).toMatch(/^      - keystep-data:\/data$/m);
    expect(keystep).toMatch(/postgres:\n\s+condition: service_healthy/);
    expect(keystep).toMatch(/redis:\n\s+condition: service_healthy/);
    expect(service("postgres")).toMatch(/^    image: postgres:15$/m);
    expect(service("redis")).toMatch(/^    image: redis:7$/m);
    expect(service("postgres")).toMatch(/healthcheck:/);
    expect(service("redis")).toMatch(/healthcheck:/);
  });

  it("gives every secret as a file: each *_FILE names a Docker secret the service mounts and the file defines", () => {
    const keystep = service("keystep");
    const files = [...keystep.matchAll(/^      ([A-Z0-9_]+)_FILE: \/run\/secrets\/([a-z_]+)$/gm)].map((m) => ({ name: m[1]!, secret: m[2]! }));
    expect(files.map((f) => f.name)).toEqual(expect.arrayContaining(["KEYSTEP_SECRET", "KEYSTEP_ENCRYPTION_KEY", "DATABASE_URL"]));
    for (const { secret } of files) {
      expect(keystep, secret).toMatch(new RegExp(`^      - ${secret}$`, "m"));
      expect(compose, secret).toMatch(new RegExp(`^  ${secret}:\\n    file: \\./secrets/${secret}$`, "m"));
    }
    // No secret value in the file itself.
    expect(keystep).not.toMatch(/^      (KEYSTEP_SECRET|KEYSTEP_ENCRYPTION_KEY|SMTP_URL|REDIS_URL): .*(:\/\/[^@\s]+:[^@\s]+@|[0-9a-f]{32})/m);
  });
});
