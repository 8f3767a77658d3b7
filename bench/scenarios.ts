/**
 * `npm run scenarios`: scripted signup traffic through the real local server and the Defastra sandbox on
 * loopback (bench/lib/scenarios.ts), one fresh server per scenario under the default policy. Prints a table;
 * with --write it also replaces the scenarios section of docs/benchmarks.md. `--help` lists the flags.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startOwnServer } from './lib/local.js';
import { policyOf, runScenario, SCENARIOS, type ScenarioResult, scenarioTable } from './lib/scenarios.js';

const OUT = 'docs/benchmarks.md';
const BEGIN = '<!-- scenarios:begin -->';
const END = '<!-- scenarios:end -->';
const USAGE = `Usage: npm run scenarios -- [options]

Runs each scenario (steady good traffic, a one-IP bot flood, +tag and gmail dot variants, a distributed flood
with Defastra rate-limited, a Defastra outage, the spend cap reached mid-wave) through the local server and
the sandbox on 127.0.0.1, then re-screens every provisional verdict and reports the time until all are final.

  --count <n>     signups per scenario (default 200, 10 to 2000)
  --only <name>   run only scenarios whose name contains this text
  --write         write the table into ${OUT} (between the scenarios markers)
  -h, --help      show this help and exit
`;

const { values: flags } = parseArgs({
  options: {
    count: { type: 'string', default: '200' },
    only: { type: 'string' },
    write: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flags.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const count = Number(flags.count);
if (!Number.isInteger(count) || count < 10 || count > 2000) {
  process.stderr.write(`scenarios: --count must be a whole number from 10 to 2000, got "${flags.count}"\n`);
  process.exit(2);
}

const results: ScenarioResult[] = [];
for (const scenario of SCENARIOS.filter((s) => !flags.only || s.name.includes(flags.only ?? ''))) {
  // re-screens are driven by the route here, so the server's own loop is off
  const server = await startOwnServer({
    policy: policyOf(scenario, count),
    env: { RESCREEN_INTERVAL_MS: '0' },
    countStore: false,
  });
  try {
    const result = await runScenario(server, scenario, count);
    results.push(result);
    process.stderr.write(`${scenario.name}: done\n`);
  } finally {
    await server.close();
  }
}
const table = scenarioTable(results);
process.stdout.write(`${table.join('\n')}\n`);

if (flags.write) {
  const section = [
    BEGIN,
    '',
    `\`npm run scenarios\` (${count} signups per scenario, default policy, a fresh local server and sandbox each; ${new Date().toISOString().slice(0, 10)}). "Risky" is what the script means to be fraud: high-risk emails, one IP flooding, one gmail inbox under many variants. "Admitted clean" is an allow with no degradation (the default policy let it through and nothing will look again); "admitted provisional" is an allow while Defastra could not answer, queued for a re-screen. The time until all final is from the sandbox healing to the last provisional verdict re-screened through \`POST /verdicts/{id}/rescreen\` (the server's own loop does the same every RESCREEN_INTERVAL_MS).`,
    '',
    ...table,
    '',
    END,
  ].join('\n');
  const doc = await readFile(OUT, 'utf8');
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  const next =
    start >= 0 && end > start
      ? `${doc.slice(0, start)}${section}${doc.slice(end + END.length)}`
      : `${doc.trimEnd()}\n\n## Scenarios\n\n${section}\n`;
  await writeFile(OUT, next);
  process.stderr.write(`scenarios: wrote ${OUT}\n`);
}
