# One image for every jetnotes service and the web gateway; compose.yaml picks the entry point per container.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# The manifests first, so the dependency layer is rebuilt only when they change. One line per workspace
# listed in package.json: `npm ci` fails if one is missing.
COPY package.json package-lock.json ./
COPY schemas/package.json schemas/
COPY platform/package.json platform/
COPY testing/package.json testing/
COPY command-service/package.json command-service/
COPY projector/package.json projector/
COPY query-service/package.json query-service/
COPY bench/package.json bench/
COPY web/package.json web/
# Dev dependencies too (NODE_ENV=production would leave them out): the services run their TypeScript through
# tsx, a dev dependency, exactly as `npm start` and the tests do, so there is no build output that could
# differ from what was tested. The price is a larger image (TypeScript, vitest, Biome); moving tsx to
# "dependencies" and using --omit=dev would slim it.
RUN npm ci --include=dev --no-audit --no-fund
COPY . .
# The web app the gateway serves (web/dist), built in the image: a local web/dist is not copied in.
RUN npm run build -w web
# Nothing is written to disk (all state is in NATS), so the unprivileged user can run from root-owned files.
USER node
CMD ["node", "--import", "tsx", "command-service/src/server.ts"]
