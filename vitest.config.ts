/**
 * Vitest configuration: every suite under test/, in forked processes. Most files share their worker's module cache
 * (no isolation); the files listed in ISOLATED_FILES each get a fresh process.
 */
import { defineConfig } from 'vitest/config';

/**
 * Files that change process-wide state or rely on per-file module state: environment variables (Powertools, the
 * secret fallbacks), the CLI's private HOME per file (test/cli/run-cli.ts), and the artifact test's own servers and
 * runner copy. A new file that sets process.env, stubs globals, mocks modules or keeps state at module level belongs
 * here.
 */
const ISOLATED_FILES = [
  'test/cli/**/*.test.ts',
  'test/artifact/**/*.test.ts',
  'test/observability/powertools.test.ts',
  'test/faults/secrets.test.ts',
];

export default defineConfig({
  test: {
    pool: 'forks',
    /**
     * Two cores: vitest's default (cores - 1) would run one file at a time, while most files wait on child
     * processes, servers, a browser or timers rather than compute.
     */
    maxWorkers: 3,
    testTimeout: 20_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      /**
       * Without isolation a worker loads the AWS SDK, Hono, zod, aws-cdk-lib (the first in-process synth alone costs
       * about 7 s of CPU) and the project's modules once, not once per file: half the CPU of a run.
       */
      {
        extends: true,
        test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: ISOLATED_FILES, isolate: false },
      },
      { extends: true, test: { name: 'isolated', include: ISOLATED_FILES } },
    ],
  },
});
