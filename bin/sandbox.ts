/** `npm run sandbox`: starts the Defastra sandbox alone and prints its URL and API key. */
import { faultsFromEnv, listenFromEnv, startSandbox } from '../shared/defastra/sandbox/index.js';

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
  console.log(`Point the app at it with DEFASTRA_BASE_URL=${sandbox.url}`);
  if (Object.keys(faults).length > 0) console.log(`Faults from environment: ${JSON.stringify(faults)}`);
  console.log('Test identities: docs/sandbox.md. Ctrl+C to stop.');

  const stop = (): void => {
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
};

main().catch((error: unknown) => {
  console.error(`sandbox: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
