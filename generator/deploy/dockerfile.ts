import type { DeployTarget } from './target.js';

/**
 * A two-stage image: the build stage installs everything (the code generator
 * is a devDependency), generates and compiles; the runtime stage installs the
 * production dependencies only (`npm ci --omit=dev`) and copies the build
 * output and the descriptors (a process re-reads its .tsk when it is there).
 * It runs as the image's unprivileged `node` user, which the Deployment's
 * securityContext also demands. The test replays these steps without a
 * container engine (the last test of test/e2e/readme-tour.test.ts).
 */
export function dockerfile(target: DeployTarget, header: string, dockerfilePath: string): string {
  const base = target.deploy.baseImage;
  const ports = [target.grpcPort, target.metricsPort, target.httpPort].filter((port): port is number => port !== null);
  return `${header}
# Build from the project folder (the one holding package.json and buf.yaml):
#   docker build -f ${dockerfilePath} -t ${target.image} .
FROM ${base} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run generate && npm run build

FROM ${base} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/proto ./proto
USER node
EXPOSE ${ports.join(' ')}
CMD ${JSON.stringify(target.deploy.command)}
`;
}

/**
 * `Dockerfile.dockerignore` beside the Dockerfile (BuildKit reads it for that
 * Dockerfile only): what the host built or installed never enters the build
 * context, so the image is built from sources and the lockfile alone.
 */
export function dockerignore(header: string, outFolder: string): string {
  return `${header}\n${['.git', 'node_modules', 'dist', 'gen', outFolder, '*.tgz'].filter((entry) => entry !== '').join('\n')}\n`;
}
