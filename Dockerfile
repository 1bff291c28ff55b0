# syntax=docker/dockerfile:1
# Plinth's container image (docs/operations.md, "Deploying"). Stages:
#   build      all dependencies, TypeScript and Vite: builds dist/ (the server and dist/dashboard)
#   prod-deps  `npm ci --omit=dev` with the tools to compile native modules
#   runtime    node:20-bookworm-slim with prod-deps' node_modules, dist/ and bin/, as user node
# Build: docker build -t plinth .    Run: docker run -p 8090:8090 -v plinth-data:/data plinth

# ---- build: compile src/ to dist/ with the dev dependencies ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
# The build needs no native addon (the runtime's come from prod-deps): install scripts
# are skipped, prepare included, and the build runs once the sources are in.
RUN npm ci --no-audit --no-fund --ignore-scripts \
 && npm rebuild esbuild
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
COPY dashboard ./dashboard
RUN npm run build \
 && test -f dist/dashboard/index.html

# ---- prod-deps: runtime dependencies only, native modules compiled for this image ----
FROM node:20-bookworm-slim AS prod-deps
WORKDIR /app
# NOTE: better-sqlite3 downloads a prebuilt addon when one matches this Node and libc,
# else compiles it with these tools; sharp and argon2 come prebuilt in their packages.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY scripts ./scripts
# prepare (scripts/prepare.mjs) skips the build when TypeScript is absent, as here.
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# ---- runtime ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json ./
COPY --chown=root:root bin ./bin
# dist/ holds the dashboard too (dist/dashboard, served at /_/, docs/dashboard.md).
COPY --from=build --chown=root:root /app/dist ./dist
# The code stays root-owned (read-only to the server); only /data is the server's.
RUN mkdir -p /data /app/plinth_hooks /app/plinth_migrations \
 && chown node:node /data
USER node
VOLUME /data
EXPOSE 8090
# NOTE: slim images have neither curl nor wget; Node's fetch asks the readiness check.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8090/api/health?ready=1').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself (graceful shutdown, docs/operations.md, "Deploying").
STOPSIGNAL SIGTERM
CMD ["node", "bin/plinth.js", "serve", "--http=0.0.0.0:8090", "--dir=/data", "--hooksDir=/app/plinth_hooks", "--migrationsDir=/app/plinth_migrations"]
