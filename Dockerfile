# syntax=docker/dockerfile:1
# lakeformation-credential-sidecar (lfcs) image.
#   docker build -t lakeformation-credential-sidecar:0.1.0 .
# Two stages: "build" compiles TypeScript with the dev dependencies; "runtime"
# installs production dependencies only and copies the compiled dist/. No
# credentials or tokens are ever baked in: the token file is generated at run
# time into a mounted volume, and AWS credentials come from IRSA / Pod Identity.

# Node 24 LTS, pinned: the same version scripts/offline-base.sh stands in for.
FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
# `npm ci` runs the package's prepare script (tsc -p tsconfig.build.json) into dist/.
RUN npm ci --no-audit --no-fund \
 && test -f dist/cli/main.js \
 && chmod 0555 dist/cli/main.js

FROM node:24.22.3-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; --ignore-scripts so no dependency (and not our
# own prepare/tsc) runs code at install time. npm leaves its cache and debug logs
# in /root/.npm and its V8 compile cache in /tmp: none of it belongs in the image.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --no-update-notifier \
 && rm -rf /root/.npm /tmp/node-compile-cache \
 && ln -s /app/dist/cli/main.js /usr/local/bin/lfcs
COPY --from=build /app/dist ./dist
# The labels come after the RUN steps: a build argument in scope changes the
# cache key of every later RUN, so a new REVISION would re-run npm ci.
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="lakeformation-credential-sidecar" \
      org.opencontainers.image.description="Caches AWS Lake Formation temporary table and partition credentials and serves them on a loopback container-credentials endpoint" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
# Non-root, numeric (Kubernetes runAsNonRoot can only verify a numeric UID).
# Everything under /app stays root-owned and read-only for this user.
USER 65532:65532
# 9180: credentials listener (the chart binds it to 127.0.0.1).
# 9181: admin listener (/metrics, /healthz, /readyz, /v1/cache).
EXPOSE 9180 9181
# For `docker run` only (Kubernetes uses the chart's probes); no curl needed.
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9181/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself (graceful drain). lfcs
# re-executes itself in place (process.execve, same PID) with the V8 heap
# options it derives from cache.maxEntries and the container's memory limit.
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["serve", "--config", "/etc/lfcs/config.yaml"]
