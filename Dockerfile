# RxWatch production image: `docker build -t rxwatch .`
# Runs `next start` (the same production server the end-to-end tests run) as a
# non-root user. Configuration is the environment (see .env.example and
# docs/operations.md); SQLite data lives in /app/data (mount a volume there),
# or point DATABASE_URL at PostgreSQL.

# --- dependencies: compilers only for native modules without a prebuilt binary (better-sqlite3)
FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# postinstall generates the Prisma clients from these.
COPY scripts ./scripts
COPY prisma ./prisma
RUN npm ci

# --- build: the production bundle, then development dependencies dropped
FROM deps AS build
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1
RUN node node_modules/next/dist/bin/next build \
 && npm prune --omit=dev --ignore-scripts

# --- runtime
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
# NEXT_MANUAL_SIG_HANDLE: RxWatch, not Next.js, handles SIGTERM — it drains ingest and gives back leases, then exits 0.
# MALLOC_ARENA_MAX: two malloc arenas rather than one per thread keep the processing thread's memory returned (docs/ingest.md).
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    MALLOC_ARENA_MAX=2 \
    NEXT_MANUAL_SIG_HANDLE=1 \
    PORT=3000 \
    DATABASE_URL=file:/app/data/rxwatch.db
RUN groupadd --system --gid 10001 rxwatch \
 && useradd --system --uid 10001 --gid rxwatch --home-dir /app --shell /usr/sbin/nologin rxwatch \
 && mkdir -p /app/data \
 && chown rxwatch:rxwatch /app/data
# Sources come along for the CLI (`npm run rxwatch -- user add …`) and the migrations in prisma/.
# Owned by root, so the running server cannot change its own code; only its caches and data are writable.
COPY --from=build --chown=root:root /app /app
RUN mkdir -p /app/.next/cache && chown -R rxwatch:rxwatch /app/.next/cache
USER rxwatch
VOLUME ["/app/data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself (compose adds an init for zombie reaping).
CMD ["node", "node_modules/next/dist/bin/next", "start", "-H", "0.0.0.0"]
