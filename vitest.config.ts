/**
 * Vitest configuration: every suite under test/, run in forked processes so servers never share state, except the
 * in-process CDK synths, which share one process per worker (see CDK_FILES).
 */
import { defineConfig } from 'vitest/config';

/**
 * Files that synthesise the stack in process. The first synth in a process loads most of aws-cdk-lib and cdk-nag
 * (seconds of CPU); later ones cost a fraction of it. These files keep no state between them (each synth has its own
 * App and temp directory), so they run without isolation and pay that first load once per worker, not once per file.
 */
const CDK_FILES = ['test/infra/**/*.test.ts', 'test/cognito/infra.test.ts'];

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
      { extends: true, test: { name: 'cdk', include: CDK_FILES, isolate: false } },
      { extends: true, test: { name: 'isolated', include: ['test/**/*.test.ts'], exclude: CDK_FILES } },
    ],
  },
});
