/** The setting values the guides show (README.md, docs/*.md), for the tests that check each against the code. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { PROJECT_ROOT } from '../../infra/bundling.js';
import { ContextError, DEFAULT_CONFIG, readInfraConfig } from '../../infra/context.js';

const SETTING_KEYS = new Set(Object.keys(DEFAULT_CONFIG));
const guides = [
  ['README.md', readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8')],
  ...readdirSync(join(PROJECT_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => [`docs/${name}`, readFileSync(join(PROJECT_ROOT, 'docs', name), 'utf8')]),
] as const;

export type Pair = [key: string, value: unknown];

/** `-c key=value` (a string, as the CLI passes it) and `"key": value` (JSON, as cdk.json holds it). */
const pairsIn = (text: string): Pair[] => [
  ...[...text.matchAll(/-c ([A-Za-z]+)=([^\s`'"]+)/g)].map((m): Pair => [m[1]!, m[2]!]),
  ...[...text.matchAll(/"([A-Za-z]+)":\s*("(?:[^"\\]|\\.)*"|true|false|-?\d+(?:\.\d+)?)/g)].map(
    (m): Pair => [m[1]!, JSON.parse(m[2]!)],
  ),
];

export const documented: Pair[] = guides
  .flatMap(([, text]) => pairsIn(text))
  .filter(([key]) => SETTING_KEYS.has(key));

/** The choices the deploy.md table lists for the keys that take one of a few words. */
const deployDoc = guides.find(([name]) => name === 'docs/deploy.md')![1];
export const choices: Pair[] = ['removalPolicy', 'logLevel'].flatMap((key) => {
  const row = deployDoc.split('\n').find((line) => line.startsWith(`| \`${key}\``))!;
  const meaning = row.split('|')[3]!.split('(')[0]!;
  return [...meaning.matchAll(/`([A-Za-z]+)`/g)].map((m): Pair => [key, m[1]!]);
});

/** Settings shown together: the pairs of one paragraph or code block, when there are several. */
export const combinations: Record<string, unknown>[] = guides
  .flatMap(([, text]) => text.split(/\n\s*\n/))
  .map((paragraph) => pairsIn(paragraph).filter(([key]) => SETTING_KEYS.has(key)))
  .filter((pairs) => new Set(pairs.map(([key]) => key)).size > 1)
  .map((pairs) => Object.fromEntries(pairs));

/**
 * Every documented value that reads without error, as one context (the last shown wins for a key), without
 * `policyFile` (the guides name files of your own).
 */
export const validDocumentedValues = (): Record<string, unknown> =>
  Object.fromEntries(
    documented.filter(([key, value]) => {
      if (key === 'policyFile') return false;
      try {
        readInfraConfig(new App({ context: { [key]: value } }).node);
        return true;
      } catch (error) {
        if (error instanceof ContextError) return false;
        throw error;
      }
    }),
  );
