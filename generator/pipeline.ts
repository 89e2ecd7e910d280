import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { buildImage, generateFromImage, listProtoSources, type ProtoSource } from './buf.js';
import { checkDescriptors, type DescriptorCheck } from './descriptors.js';
import { GeneratorError } from './errors.js';
import { readImageServices, type ProtoServices } from './image.js';
import { checkHttpRules } from './http-rules-check.js';
import { assertReplaceable, createStagingDir, listFiles, replaceDir } from './output.js';
import { resolveProject, type Project } from './project.js';
import type { Reporter } from './reporter.js';
import { resolveToolchain, TS_PROTO_OPTIONS, TUSK_PLUGIN_OPTIONS, type Toolchain } from './toolchain.js';

export interface CheckOptions {
  /** buf.yaml or its folder; default: the current folder. */
  readonly config?: string;
  readonly cwd?: string;
}

export interface GenerateOptions extends CheckOptions {
  /** Output folder, replaced as a whole; default "gen". */
  readonly out?: string;
}

export interface Checked {
  readonly project: Project;
  readonly toolchain: Toolchain;
  readonly sources: readonly ProtoSource[];
  readonly files: readonly ProtoServices[];
  readonly descriptors: DescriptorCheck;
  readonly imagePath: string;
}

/** Steps shared by check, generate and deploy: compile the protos, validate the descriptors. */
export async function compileAndValidate(options: CheckOptions, workDir: string, reporter: Reporter): Promise<Checked> {
  const project = resolveProject(options.config, options.cwd);
  const toolchain = resolveToolchain();
  const sources = await listProtoSources(project, toolchain.buf);
  if (sources.length === 0) throw GeneratorError.atFile(project.displayPath(project.configFile), 'the workspace has no .proto files');
  reporter.step(`read ${project.displayPath(project.configFile)}: ${sources.length} proto file${plural(sources.length)}`);
  const imagePath = join(workDir, 'image.binpb');
  await buildImage(project, toolchain.buf, imagePath, sources);
  const files = await readImageServices(imagePath);
  const own = new Set(sources.map((source) => source.importPath));
  const serviceCount = files.filter((file) => own.has(file.file)).reduce((sum, file) => sum + file.services.length, 0);
  reporter.step(`compiled protos with buf: ${serviceCount} service${plural(serviceCount)}`);
  const descriptors = checkDescriptors(sources, files, project.displayPath);
  if (descriptors.issues.length > 0) throw new GeneratorError(descriptors.issues);
  const described = descriptors.descriptorFiles;
  reporter.step(`validated ${described.length} descriptor${plural(described.length)}${described.length ? `: ${described.join(', ')}` : ''}`);
  return { project, toolchain, sources, files, descriptors, imagePath };
}

/** A private scratch folder for one command, removed whatever happens. */
export async function withWorkDir<T>(body: (workDir: string) => Promise<T>): Promise<T> {
  const workDir = await mkdtemp(join(tmpdir(), 'tusk-grpc-'));
  try {
    return await body(workDir);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

export interface CheckSummary {
  readonly protoFiles: number;
  readonly descriptorFiles: readonly string[];
}

/** `tusk-grpc check`: validates protos and descriptors, writes nothing. */
export async function runCheck(options: CheckOptions, reporter: Reporter): Promise<CheckSummary> {
  return withWorkDir(async (workDir) => {
    const checked = await compileAndValidate(options, workDir, reporter);
    const summary = { protoFiles: checked.sources.length, descriptorFiles: checked.descriptors.descriptorFiles };
    reporter.summary(`checked ${summary.protoFiles} proto file${plural(summary.protoFiles)} and ${summary.descriptorFiles.length} descriptor${plural(summary.descriptorFiles.length)}: ok`);
    return summary;
  });
}

export interface GenerateSummary {
  readonly outDir: string;
  /** Relative to outDir, sorted. */
  readonly files: readonly string[];
}

/**
 * `tusk-grpc generate`: everything is generated into a staging folder beside
 * the output folder, which replaces the output folder only when all steps
 * succeeded; any error leaves the output folder exactly as it was.
 */
export async function runGenerate(options: GenerateOptions, reporter: Reporter): Promise<GenerateSummary> {
  return withWorkDir(async (workDir) => {
    const checked = await compileAndValidate(options, workDir, reporter);
    const { project, toolchain } = checked;
    // --out is relative to where the command runs; the default sits beside buf.yaml, where buf.gen.yaml writes too.
    const outDir = options.out === undefined ? join(project.dir, 'gen') : resolve(options.cwd ?? process.cwd(), options.out);
    await assertReplaceable(outDir, [project.dir, options.cwd ?? process.cwd()], project.displayPath);
    // protoc-gen-tusk writes openapi.json; its rules are checked here first, so a bad one names the proto on disk.
    checkHttpRules(checked.imagePath, checked.sources, project.displayPath);
    const descriptorsPath = join(workDir, 'descriptors.json');
    await writeFile(descriptorsPath, JSON.stringify(checked.descriptors.configs));
    await mkdir(dirname(outDir), { recursive: true });
    const staging = await createStagingDir(outDir);
    try {
      const templatePath = join(workDir, 'buf.gen.json');
      await writeFile(templatePath, JSON.stringify(generateTemplate(toolchain, staging, descriptorsPath, outDir), null, 2));
      await generateFromImage(project, toolchain.buf, checked.imagePath, templatePath);
      const files = await listFiles(staging);
      reporter.step(`ran ts-proto and protoc-gen-tusk: ${files.length} file${plural(files.length)}`);
      await replaceDir(staging, outDir);
      for (const file of files.filter((name) => name.endsWith('.tusk.ts'))) reporter.step(`wrote ${project.displayPath(join(outDir, file))}`);
      reporter.summary(`generated ${files.length} file${plural(files.length)} into ${project.displayPath(outDir)}`);
      return { outDir, files };
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  });
}

/** `stagingDir` is where buf writes; `outDir` where the files end up (each descriptor records its .tsk relative to it). */
function generateTemplate(toolchain: Toolchain, stagingDir: string, descriptorsPath: string, outDir: string): object {
  return {
    version: 'v2',
    plugins: [
      // strategy "all": one plugin run over every file, so ts-proto writes each imported file once.
      { local: toolchain.tsProtoPlugin, out: stagingDir, strategy: 'all', opt: TS_PROTO_OPTIONS },
      { local: toolchain.tuskPlugin, out: stagingDir, strategy: 'all', opt: [...TUSK_PLUGIN_OPTIONS, `descriptors=${descriptorsPath}`, `out=${outDir}`] },
    ],
  };
}

function plural(count: number): string {
  return count === 1 ? '' : 's';
}
