# One image for every jetnotes service; compose.yaml picks the entry point per container.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY schemas/package.json schemas/
COPY platform/package.json platform/
COPY testing/package.json testing/
COPY command-service/package.json command-service/
COPY projector/package.json projector/
COPY query-service/package.json query-service/
# Dev dependencies are installed too: the services run their TypeScript through tsx (a dev dependency), the
# same way `npm start` does, so there is no separate build that could drift from what the tests ran.
RUN npm ci --include=dev --no-audit --no-fund
COPY . .
USER node
CMD ["node", "--import", "tsx", "command-service/src/server.ts"]
