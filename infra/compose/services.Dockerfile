# The three services (user, order, payment) in one image, built the way the native path builds
# them (npm install, nest build --all) and started the way `nest start` starts them: through
# tools/node-with-telemetry, which preloads @tracehop/telemetry. Build context: the repository root.
ARG NODE_IMAGE=node:24-bookworm-slim
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY nest-cli.json tsconfig.json ./
COPY apps apps
COPY libs libs
RUN npx nest build --all && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY tools/node-with-telemetry tools/node-with-telemetry
USER node
ENTRYPOINT ["tools/node-with-telemetry", "--enable-source-maps"]
