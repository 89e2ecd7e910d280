// Replays a generated Dockerfile without a container engine (this machine has
// the docker CLI but no daemon): each stage is a folder standing for its /app,
// COPY copies from the build context (minus Dockerfile.dockerignore) or from an
// earlier stage, RUN runs the command there with the stage's ENV, and CMD is
// returned for the caller to start. FROM's base image is the host's Node; USER
// cannot switch users here and is recorded only. Only the instructions deploy
// writes are understood: anything else fails the replay.
import { cp, mkdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { runShell } from '../../e2e/readme-tour.js';

export interface ReplayedImage {
  /** The runtime stage's /app. */
  readonly appDir: string;
  readonly cmd: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly user: string | undefined;
  readonly exposed: readonly number[];
}

interface Stage {
  readonly name: string;
  readonly dir: string;
  env: Record<string, string>;
}

const APP = '/app';

function ignoredBy(patterns: readonly string[], path: string): boolean {
  const first = path.split('/')[0]!;
  return patterns.some((pattern) => (pattern.startsWith('*') ? path.endsWith(pattern.slice(1)) : first === pattern || path === pattern));
}

export async function replayDockerfile(dockerfilePath: string, context: string, workDir: string, hostEnv: NodeJS.ProcessEnv): Promise<ReplayedImage> {
  const lines = (await readFile(dockerfilePath, 'utf8')).split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const ignore = (await readFile(`${dockerfilePath}.dockerignore`, 'utf8')).split('\n').filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Stage[] = [];
  let cmd: string[] = [];
  let user: string | undefined;
  const exposed: number[] = [];
  const current = (): Stage => {
    const stage = stages.at(-1);
    if (!stage) throw new Error('an instruction before FROM');
    return stage;
  };
  const inApp = (stage: Stage, path: string): string => join(stage.dir, relative(APP, path.startsWith('/') ? path : join(APP, path)));
  for (const line of lines) {
    const [instruction, ...words] = line.split(' ');
    const rest = line.slice(instruction!.length + 1);
    switch (instruction) {
      case 'FROM': {
        const name = words[2] ?? `stage${stages.length}`;
        const dir = join(workDir, name);
        await mkdir(dir, { recursive: true });
        stages.push({ name, dir, env: {} });
        break;
      }
      case 'WORKDIR':
        if (rest !== APP) throw new Error(`WORKDIR ${rest}: the replay maps only ${APP}`);
        break;
      case 'ENV': {
        const [key, value] = rest.split('=') as [string, string];
        current().env[key] = value;
        break;
      }
      case 'COPY': {
        const from = words[0]!.startsWith('--from=') ? stages.find((stage) => stage.name === words[0]!.slice('--from='.length)) : undefined;
        const paths = from ? words.slice(1) : words;
        const destination = inApp(current(), paths.at(-1)!);
        for (const source of paths.slice(0, -1)) {
          const sourcePath = from ? inApp(from, source) : join(context, source);
          const target = source === '.' || destination.endsWith('/') || paths.length > 2 ? join(destination, source === '.' ? '' : source) : destination;
          await cp(sourcePath, target, {
            recursive: true,
            filter: (path) => from !== undefined || relative(context, path) === '' || !ignoredBy(ignore, relative(context, path)),
          });
        }
        break;
      }
      case 'RUN': {
        const result = await runShell(rest, current().dir, { ...hostEnv, ...current().env }, 300_000);
        if (result.code !== 0) throw new Error(`RUN ${rest} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
        break;
      }
      case 'USER':
        user = rest;
        break;
      case 'EXPOSE':
        exposed.push(...words.map(Number));
        break;
      case 'CMD':
        cmd = JSON.parse(rest) as string[];
        break;
      default:
        throw new Error(`the replay does not know ${instruction}`);
    }
  }
  const runtime = current();
  return { appDir: runtime.dir, cmd, env: runtime.env, user, exposed };
}
