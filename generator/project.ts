import { existsSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { GeneratorError } from './errors.js';

/** Where the buf workspace is and how paths are shown to the user. */
export interface Project {
  /** Absolute folder buf runs in (the one holding buf.yaml). */
  readonly dir: string;
  /** Absolute path of the buf.yaml in use. */
  readonly configFile: string;
  /** True when the config file is not `<dir>/buf.yaml`, so buf must be told. */
  readonly explicitConfig: boolean;
  /** Paths in messages are relative to the folder the command was run in. */
  displayPath(absolutePath: string): string;
}

/**
 * `--config` may name buf.yaml itself or the folder holding it. Without it,
 * the nearest buf.yaml in the current folder or above is used, as git finds
 * its repository, so the commands work from any folder of the project.
 */
export function resolveProject(configOption: string | undefined, cwd: string = process.cwd()): Project {
  const target = configOption === undefined ? (nearestFolderWith('buf.yaml', cwd) ?? cwd) : resolve(cwd, configOption);
  const displayPath = displayPathFrom(cwd);
  const isFolder = existsSync(target) && statSync(target).isDirectory();
  const configFile = isFolder ? join(target, 'buf.yaml') : target;
  if (!existsSync(configFile)) {
    throw GeneratorError.atFile(
      displayPath(configFile),
      `no buf.yaml here${configOption === undefined ? ' or in a folder above' : ''}: pass --config <path to buf.yaml or its folder>, or scaffold one with "tusk-grpc init <package.Service>"`,
    );
  }
  return {
    dir: dirname(configFile),
    configFile,
    explicitConfig: basename(configFile) !== 'buf.yaml',
    displayPath,
  };
}

/** Paths as shown in messages: relative when inside `cwd` (the usual case), absolute otherwise ("../../../tmp/x" helps nobody). */
export function displayPathFrom(cwd: string): (absolutePath: string) => string {
  return (absolutePath) => {
    const shown = relative(cwd, absolutePath);
    if (shown === '') return '.';
    return shown.startsWith('..') || isAbsolute(shown) ? absolutePath : shown;
  };
}

function nearestFolderWith(fileName: string, start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, fileName))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
