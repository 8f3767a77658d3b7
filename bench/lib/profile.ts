/**
 * CPU profiles as evidence for the benchmark report: an in-process profile of a piece of work (through
 * `node:inspector`), or a `node --cpu-prof` run of a bundle's import in a fresh process. Both are reduced to
 * self time per module (package or project file) and per function, the "hot functions" a miss is explained by.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  positionTicks?: Array<{ line: number; ticks: number }>;
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface HotSpot {
  name: string;
  /** Self time, ms. */
  ms: number;
  /** Share of all samples, 0–100. */
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  byModule: HotSpot[];
  byFunction: HotSpot[];
}

/** Maps a script URL (and line, for a bundle) to a module name: a package, a project file, or Node itself. */
export type ModuleResolver = (url: string, line: number) => string;

const PACKAGE = /node_modules\/((?:@[^/]+\/)?[^/]+)/;

/** `zod`, `@aws-sdk/client-dynamodb`, `shared/screening/screen.ts`, `node:internal`, or `(gc)`-style names. */
export const moduleOf = (url: string, root: string): string => {
  if (url === '') return '(native)';
  if (url.startsWith('node:')) return 'node:internal';
  const pkg = PACKAGE.exec(url);
  if (pkg) return pkg[1]!;
  const path = url.replace(/^file:\/\//, '');
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
};

const SPECIAL = new Set(['(program)', '(garbage collector)', '(idle)', '(root)']);

/** Self time per module and per function; `(idle)` is left out of the total. */
export const summariseProfile = (profile: CpuProfile, resolve: ModuleResolver, top = 10): ProfileSummary => {
  const selfMs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i += 1) {
    // A sample's time is the delta that follows it (V8 records the gap before the next one).
    const ms = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000;
    selfMs.set(samples[i]!, (selfMs.get(samples[i]!) ?? 0) + ms);
  }
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const ms = selfMs.get(node.id) ?? 0;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    total += ms;
    if (SPECIAL.has(functionName)) {
      byModule.set(functionName, (byModule.get(functionName) ?? 0) + ms);
      byFunction.set(functionName, (byFunction.get(functionName) ?? 0) + ms);
      continue;
    }
    // Top-level module code runs in one anonymous function; split its ticks by line when V8 gives them.
    const ticks = node.positionTicks ?? [];
    const tickTotal = ticks.reduce((sum, t) => sum + t.ticks, 0);
    const parts =
      tickTotal > 0
        ? ticks.map((t) => ({ line: t.line - 1, ms: (ms * t.ticks) / tickTotal }))
        : [{ line: lineNumber, ms }];
    for (const part of parts) {
      const module = resolve(url, part.line);
      byModule.set(module, (byModule.get(module) ?? 0) + part.ms);
      const fn = `${functionName || '(anonymous)'} ${module}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + part.ms);
    }
  }
  const rank = (map: Map<string, number>): HotSpot[] =>
    [...map.entries()]
      .map(([name, ms]) => ({ name, ms, percent: total === 0 ? 0 : (100 * ms) / total }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top);
  return { totalMs: total, byModule: rank(byModule), byFunction: rank(byFunction) };
};

/** Profiles `work` in this process (sampling every `intervalUs`). */
export const profileInProcess = async (work: () => Promise<void>, intervalUs = 200): Promise<CpuProfile> => {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
    let failure: { error: unknown } | undefined;
    try {
      await work();
    } catch (error) {
      failure = { error };
    }
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    await session.post('Profiler.disable');
    if (failure) throw failure.error;
    return profile;
  } finally {
    session.disconnect();
  }
};

/**
 * Line ranges of an unminified esbuild bundle: esbuild writes `// <input path>` before each module's code,
 * so a line number tells which input (package or project file) the code came from.
 */
export const bundleLineResolver = (bundleText: string, root: string): ModuleResolver => {
  const starts: Array<{ line: number; module: string }> = [];
  const lines = bundleText.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const match = /^\/\/ ((?:node_modules|functions|shared)\/\S+)$/.exec(lines[i]!);
    if (match) starts.push({ line: i, module: moduleOf(match[1]!, root) });
  }
  return (url, line) => {
    if (!url.endsWith('.mjs') || !url.includes('/.bench/')) return moduleOf(url, root);
    let lo = 0;
    let hi = starts.length - 1;
    let found = '(bundle glue)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]!.line <= line) {
        found = starts[mid]!.module;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
};

/** `node --cpu-prof` of one import of `file` in a fresh process with `env`; returns the profile. */
export const profileImport = async (
  file: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<CpuProfile> => {
  const dir = await mkdtemp(join(tmpdir(), 'signup-gate-cpuprof-'));
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          '--cpu-prof',
          '--cpu-prof-interval',
          '100',
          '--cpu-prof-dir',
          dir,
          '--input-type=module',
          '-e',
          'await import(process.argv[1]);',
          pathToFileURL(file).href,
        ],
        { env, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let err = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.stderr.on('data', (chunk: Buffer) => {
        err += chunk.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`profiling the import of ${file} failed (exit ${code}): ${err.slice(0, 400)}`));
      });
    });
    const [name] = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
    if (!name) throw new Error('node --cpu-prof wrote no profile');
    return JSON.parse(await readFile(join(dir, name), 'utf8')) as CpuProfile;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
