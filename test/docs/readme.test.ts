/** Keeps the README true to the code: the policy defaults, the shipped policy.json and the local settings. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, parsePolicyJson } from '../../shared/policy/schema.js';

const readme = readFileSync('README.md', 'utf8');

/** The first ```json block after `heading`. */
const jsonAfter = (heading: string): unknown => {
  const from = readme.indexOf(heading);
  expect(from, heading).toBeGreaterThanOrEqual(0);
  const block = /```json\n([\s\S]*?)```/.exec(readme.slice(from));
  expect(block).not.toBeNull();
  return JSON.parse(block![1]!);
};

describe('README', () => {
  it('shows exactly the built-in policy defaults', () => {
    const { sources, ...rest } = jsonAfter('## The policy file') as Record<string, unknown>;
    expect(sources).toEqual({});
    expect(rest).toEqual(DEFAULT_POLICY);
  });

  it('matches the shipped policy.json, which holds the defaults', () => {
    expect(parsePolicyJson(readFileSync('policy.json', 'utf8')).base).toEqual(DEFAULT_POLICY);
  });

  it('documents every local server variable the config reads', () => {
    const config = readFileSync('shared/config/local.ts', 'utf8');
    const names = [...config.matchAll(/^\s{2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(readme, name).toContain(`\`${name}\``);
  });

  it('shows the two commands and a curl example for every route', () => {
    for (const text of [
      'npm start',
      'npm test',
      '/screen',
      '/verdicts/',
      '/verdicts?',
      '/hooks/auth0',
      '/hooks/stripe',
    ]) {
      expect(readme).toContain(text);
    }
  });
});
