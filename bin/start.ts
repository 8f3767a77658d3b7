/** `npm start`: the local server on one port, with the embedded store and the Defastra sandbox unless a key is set. */
import { bannerLines } from '../local/banner.js';
import { startLocalServer } from '../local/server.js';
import { ConfigError, listenFailureLine, loadLocalConfig } from '../shared/config/local.js';
import { createConsoleTelemetry } from '../shared/observability/console.js';
import { PolicyError } from '../shared/policy/schema.js';

// The AWS SDK warns once that its 2027 releases will need Node 22; this server supports Node 20+ today.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** How often to check that the process that started us (npm's shell, tsx) is still there. */
const PARENT_CHECK_MS = 250;
/** A shutdown that takes longer than this (a stuck connection) ends with exit code 1. */
const SHUTDOWN_LIMIT_MS = 10_000;

// A closed terminal or pipe must not turn a shutdown line into a crash that skips the store's flush.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

const main = async (): Promise<void> => {
  const config = loadLocalConfig(process.env);
  const level = process.env.LOG_LEVEL === 'debug' ? 'debug' : 'info';
  const server = await startLocalServer(config, createConsoleTelemetry(level)).catch((error: unknown) => {
    const line = listenFailureLine(error, config); // a port taken: say what to set instead
    throw line ? new ConfigError(line) : error;
  });
  process.stdout.write(`${bannerLines(server).join('\n')}\n`);

  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${why}: shutting down\n`);
    setTimeout(() => process.exit(1), SHUTDOWN_LIMIT_MS).unref();
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  // `kill <npm pid>` reaches npm, which passes SIGTERM to its `sh -c`, which dies without passing it on:
  // this process is then re-parented. A new parent id means whoever started us is gone, so stop too.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop('parent process exited');
  }, PARENT_CHECK_MS).unref();
};

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof PolicyError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`signup-gate: ${known ? message : `cannot start: ${message}`}\n`);
  process.exit(1);
});
