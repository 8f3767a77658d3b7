/** `npm run sandbox`: starts the Defastra sandbox alone and prints how to point `npm start` at it. */
import { describeFaults } from '../shared/defastra/sandbox/env.js';
import { faultsFromEnv, listenFromEnv, startSandbox } from '../shared/defastra/sandbox/index.js';

/** How often to check that the process that started us is still there. */
const PARENT_CHECK_MS = 250;

/** What to type so that `npm start` calls this sandbox: both variables, or the app starts its own. */
const pointAtSandbox = (url: string, apiKey: string): string[] => [
  'Point npm start at it (both variables: without DEFASTRA_API_KEY the app starts its own sandbox):',
  `  DEFASTRA_BASE_URL=${url} DEFASTRA_API_KEY=${apiKey} npm start`,
];

const main = async (): Promise<void> => {
  const listen = listenFromEnv(process.env);
  const faults = faultsFromEnv(process.env);
  const sandbox = await startSandbox({
    ...listen,
    faults,
    log: (line) => console.log(`[sandbox] ${line}`),
  });
  console.log(`Defastra sandbox listening on ${sandbox.url}`);
  console.log(`API key: ${sandbox.apiKey}   (header X-API-KEY)`);
  for (const line of pointAtSandbox(sandbox.url, sandbox.apiKey)) console.log(line);
  const active = describeFaults(faults);
  if (active.length > 0) console.log(`Faults: ${active.join(', ')}`);
  console.log('Test identities: docs/sandbox.md. Ctrl+C to stop.');

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Started as `node --import tsx`, `kill <npm pid>` leaves this process re-parented: stop with the parent.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop();
  }, PARENT_CHECK_MS).unref();
};

main().catch((error: unknown) => {
  console.error(`sandbox: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
