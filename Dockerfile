# nodeport-sim as a container image: the CLI is the entrypoint, results go to the mounted /work.
#   docker build -t nodeport-sim:0.1.0 .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/work" nodeport-sim:0.1.0 run experiments/default.yaml
# The image installs the same tarball `npm pack` makes, so it runs exactly what the package ships.

# 1. Build: compile with the locked toolchain, then pack (LICENSE, NOTICE and README go in the tarball).
FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY scripts/bundle-cli.mjs ./scripts/
# npm ci runs `prepare`, which builds dist/.
RUN npm ci --no-audit --no-fund
COPY LICENSE NOTICE README.md experiment.schema.json ./
RUN npm pack --ignore-scripts --pack-destination /tmp && mv /tmp/nodeport-sim-*.tgz /tmp/nodeport-sim.tgz

# 2. Install: the tarball and its runtime dependencies only, as a user's `npm install` would.
FROM node:20-slim AS install
WORKDIR /opt/nodeport-sim
COPY --from=build /tmp/nodeport-sim.tgz /tmp/nodeport-sim.tgz
RUN echo '{"private": true}' > package.json \
 && npm install --omit=dev --no-audit --no-fund /tmp/nodeport-sim.tgz

# 3. Run: no compiler, no npm cache; a non-root user; /work is where experiments are read and
# results/<name>/ written (mount a folder there, or pass --out to a mounted path).
FROM node:20-slim
ENV NODE_ENV=production
COPY --from=install /opt/nodeport-sim /opt/nodeport-sim
RUN mkdir /work && chown node:node /work
USER node
WORKDIR /work
ENTRYPOINT ["node", "/opt/nodeport-sim/node_modules/nodeport-sim/dist/cli/main.js"]
CMD ["--help"]
