/** Keeps the README and the reference pages true to the code: the policy defaults, the shipped policy.json, the local settings. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, parsePolicyJson } from '../../shared/policy/schema.js';

const readme = readFileSync('README.md', 'utf8');
const doc = (name: string) => readFileSync(`docs/${name}`, 'utf8');

/** The first ```json block of `text`. */
const firstJson = (text: string): unknown => {
  const block = /```json\n([\s\S]*?)```/.exec(text);
  expect(block).not.toBeNull();
  return JSON.parse(block![1]!);
};

describe('docs/policy.md', () => {
  it('shows exactly the built-in policy defaults', () => {
    const { sources, ...rest } = firstJson(doc('policy.md')) as Record<string, unknown>;
    expect(sources).toEqual({});
    expect(rest).toEqual(DEFAULT_POLICY);
  });

  it('matches the shipped policy.json, which holds the defaults', () => {
    expect(parsePolicyJson(readFileSync('policy.json', 'utf8')).base).toEqual(DEFAULT_POLICY);
  });
});

describe('docs/local.md', () => {
  it('documents every local server variable the config reads', () => {
    const config = readFileSync('shared/config/local.ts', 'utf8');
    const local = doc('local.md');
    const names = [...config.matchAll(/^\s{2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(local, name).toContain(`\`${name}\``);
  });
});

describe('README and docs/api.md', () => {
  it('the README shows the two commands, a first screening and links every reference page', () => {
    for (const text of ['npm start', 'npm test', 'localhost:3000/screen']) expect(readme).toContain(text);
    for (const page of ['api', 'verdict', 'lists', 'reviews', 'waves', 'events', 'policy', 'local']) {
      expect(readme).toContain(`](docs/${page}.md)`);
    }
  });

  it('docs/api.md has a curl example for every route', () => {
    const api = doc('api.md');
    for (const text of [
      '/screen',
      '/verdicts/',
      '/verdicts?',
      '/hooks/auth0',
      '/hooks/stripe',
      '/hooks/supabase',
      '/hooks/okta',
      '/hooks/kratos',
    ]) {
      expect(api).toContain(text);
    }
  });

  it('lists every hook route in docs/api.md and a row for each provider in the README', () => {
    const api = doc('api.md');
    for (const provider of ['okta', 'kratos', 'paddle', 'clerk', 'firebase', 'workos']) {
      expect(api).toContain(`| \`POST /hooks/${provider}\``);
      expect(readme).toMatch(
        new RegExp(`\\| [^\\n]*\`POST /hooks/${provider}\`[^\\n]*\\]\\(docs/${provider}\\.md\\)`),
      );
      expect(doc(`${provider}.md`)).not.toMatch(/being wired/);
    }
  });
});
