/** `npm run openapi`: writes docs/openapi.json from the code (openapi/document.ts); `--check` fails when it is stale. */
import { readFile, writeFile } from 'node:fs/promises';
import { openApiText } from '../openapi/document.js';

const FILE = new URL('../docs/openapi.json', import.meta.url);

const text = openApiText();
if (process.argv.includes('--check')) {
  const committed = await readFile(FILE, 'utf8').catch(() => '');
  if (committed !== text) {
    console.error('docs/openapi.json is stale: run `npm run openapi` and commit it');
    process.exit(1);
  }
  console.log('docs/openapi.json is current');
} else {
  await writeFile(FILE, text);
  console.log('wrote docs/openapi.json');
}
