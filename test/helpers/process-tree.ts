/**
 * Test helper: long-running npm commands (`npm start`, `npm run cli -- console`, `npx signup-gate console`)
 * spawned as a user starts them, in their own process group, and the processes each one started, from `ps`
 * (Linux and macOS), so a test can signal one PID and then check that the whole tree is gone.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';

/** `pid` and its descendants now. */
export const treeOf = (pid: number): number[] => {
  const rows = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const tree = [pid];
  for (let i = 0; i < tree.length; i += 1) {
    for (const [child, parent] of rows) if (parent === tree[i] && !tree.includes(child)) tree.push(child);
  }
  return tree;
};

/** Alive and not a zombie waiting to be reaped. */
export const isAlive = (pid: number): boolean => {
  try {
    const stat = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return stat !== '' && !stat.startsWith('Z');
  } catch {
    return false; // ps exits 1 when there is no such process
  }
};

/** Polls `check` every 50 ms; a generous bound, since the suite shares two cores. */
export const waitFor = async (
  check: () => boolean | Promise<boolean>,
  what: string,
  ms: number,
): Promise<void> => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** True when something answers HTTP at `url`. */
export const answers = async (url: string): Promise<boolean> => {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
};

export interface NpmProcess {
  /** npm itself: the one PID a script or a process manager signals. */
  npm: ChildProcess;
  output: () => string;
  exited: Promise<void>;
}

/** A fresh environment (never the developer's tokens): PATH and HOME plus `env`. */
const baseEnv = (env: Record<string, string>): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  npm_config_update_notifier: 'false',
  ...env,
});

/**
 * Spawns `npm <args>` (or `npx`) in `cwd`, in its own process group as a terminal starts a foreground job.
 * `running` collects it, so that `killGroups` can clean up after a failed test.
 */
export const spawnNpm = (
  command: 'npm' | 'npx',
  args: string[],
  options: { cwd: string; env: Record<string, string>; running: ChildProcess[] },
): NpmProcess => {
  let out = '';
  const npm = spawn(command, args, {
    cwd: options.cwd,
    env: baseEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  options.running.push(npm);
  npm.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  npm.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
  return { npm, output: () => out, exited };
};

/** Safety net for a failed test: SIGKILL to each detached group (npm, its shell and node, even re-parented). */
export const killGroups = (running: ChildProcess[]): void => {
  for (const child of running.splice(0)) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
};
