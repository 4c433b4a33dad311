# syntax=docker/dockerfile:1
# Build on the current Node LTS; the code also runs on Node 20.19+.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
# Listen on every interface inside the container, so its published port reaches /healthz
# (outside a container the default is loopback). Publish it only where it should be reachable.
ENV HOST=0.0.0.0
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node public ./public
COPY --chown=node:node config/handoff.example.yaml config/handoff.schema.json ./config/
USER node
# The slim image has no curl: Node's own fetch asks the worker's liveness probe on its PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node is PID 1 (no npm wrapper in between), so SIGTERM reaches it directly.
# Mount your definition at /app/config/handoff.yaml or set HANDOFF_CONFIG.
# The heap cap keeps memory flat on long backfills (Handoff holds one batch at a time).
ENTRYPOINT ["node", "--max-old-space-size=256", "dist/cli.js"]
EXPOSE 3000
CMD ["run"]
