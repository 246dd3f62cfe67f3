# syntax=docker/dockerfile:1
# Keystep's image: the standalone artefact of one build (docs/operations.md#deploy), run by a
# non-root user on a read-only root filesystem; only /data (the volume) is written.
#   docker build -t keystep .
#   docker build --secret id=server_actions_key,src=server-actions.key -t keystep .   # several builds of one release
ARG NODE_IMAGE=node:20-bookworm-slim

# 1. deps: every package, dev ones included (the build needs them). better-sqlite3 compiles
#    from source when no prebuilt binary matches, hence the toolchain (this stage only).
FROM ${NODE_IMAGE} AS deps
WORKDIR /src
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# `npm install`, not `npm ci`: see README (lockfiles made on some registries lack other platforms' optional packages).
RUN npm install --no-audit --no-fund

# 2. build: browser assets, the compiled CLI and migrations, next build, then the standalone
#    artefact in .next/standalone (package.json's prebuild, build and postbuild scripts).
FROM deps AS build
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1
# The release's id (next.config.mjs): without it, package version and commit when .git is present.
ARG NEXT_DEPLOYMENT_ID
ENV NEXT_DEPLOYMENT_ID=${NEXT_DEPLOYMENT_ID}
# Next's Server Actions key is generated per build unless set; give the same one to every build
# of a release that is built more than once (docs/proxy.md#several-instances). A secret mount
# keeps it out of the image's layers and history.
RUN --mount=type=secret,id=server_actions_key,required=false \
    if [ -s /run/secrets/server_actions_key ]; then export NEXT_SERVER_ACTIONS_ENCRYPTION_KEY="$(cat /run/secrets/server_actions_key)"; fi; \
    npm run build

# 3. runtime: the artefact only (server.js, the traced production node_modules, static files,
#    dist/cli/ for migrations and the support CLI, auth0/action.js). No compiler, no dev packages.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    HOSTNAME=0.0.0.0 \
    DATABASE_URL=sqlite:/data/keystep.db
WORKDIR /app
# Owned by root and not writable by the user that runs it.
COPY --from=build --chown=root:root /src/.next/standalone ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
# The startup probe: 200 once this process has migrated and serves; a database outage does not
# make it fail, so an orchestrator that restarts unhealthy containers does not restart them all
# (docs/operations.md#probes). Node has fetch; the slim image has no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health/startup').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# package.json's start script, run from the artefact's own folder.
CMD ["node", "--max-old-space-size=256", "--max-semi-space-size=8", "server.js"]
