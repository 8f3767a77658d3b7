/** `npm start`: the local server on one port, with the embedded store and the Defastra sandbox unless a key is set. */
import { ConfigError, loadLocalConfig } from '../shared/config/local.js';
import { startLocalServer } from '../shared/local/server.js';
import { createConsoleTelemetry } from '../shared/observability/console.js';
import { PolicyError } from '../shared/policy/schema.js';

// The AWS SDK warns once that its 2027 releases will need Node 22; this server supports Node 20+ today.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const main = async (): Promise<void> => {
  const config = loadLocalConfig(process.env);
  const level = process.env.LOG_LEVEL === 'debug' ? 'debug' : 'info';
  const server = await startLocalServer(config, createConsoleTelemetry(level));
  const { info } = server;
  const lines = [
    `signup-gate listening on ${server.url}`,
    info.mode === 'sandbox'
      ? `  Defastra: sandbox at ${server.sandbox?.url} (set DEFASTRA_API_KEY to call the real API)`
      : '  Defastra: live API (DEFASTRA_API_KEY is set)',
    `  store:    ${info.store}, data in ${info.dataDir}`,
    `  secrets:  ${info.secretsFile} (API token, hook secrets, hashing pepper)`,
    `  policy:   ${info.policy}`,
    `  try:      curl -s ${server.url}/health`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: shutting down\n`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
};

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof PolicyError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`signup-gate: ${known ? message : `cannot start: ${message}`}\n`);
  process.exit(1);
});
