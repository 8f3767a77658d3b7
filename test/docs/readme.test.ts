/** Keeps the README and the reference pages true to the code: the policy defaults, the shipped policy.json, the local settings. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
  it('the README is a front door: at most 40 lines, then the table of the docs pages', () => {
    const lines = readme.split('\n');
    const firstHeading = lines.findIndex((line, i) => i > 0 && /^#{1,6} /.test(line));
    const firstTable = lines.findIndex((line) => line.startsWith('|'));
    expect(firstHeading).toBeGreaterThan(0);
    expect(firstHeading, 'lines before the first heading below the title').toBeLessThanOrEqual(40);
    // The first heading is the one of the table: no other section comes between the quickstart and the table.
    expect(lines.slice(firstHeading + 1, firstTable).every((line) => !line.startsWith('#'))).toBe(true);
    expect(firstTable - firstHeading, 'the table comes right under its heading').toBeLessThanOrEqual(3);
    const front = lines.slice(0, firstHeading).join('\n');
    for (const text of ['npm ci', 'npm start', 'npm test', 'trigger auth0', 'Node 20.6+']) {
      expect(front).toContain(text);
    }
    expect(front).toMatch(/!\[[^\]]+\]\(docs\/console\/queue\.png\)/);
  });

  it('the README links every page of docs/, and every link it has leads to a file', () => {
    for (const page of readdirSync('docs').filter((name) => name.endsWith('.md'))) {
      expect(readme, page).toContain(`](docs/${page})`);
    }
    for (const [, target] of readme.matchAll(/\]\(((?!https?:)[^)#]+)(#[^)]*)?\)/g)) {
      expect(existsSync(target!), target).toBe(true);
    }
  });

  it('the first screening by hand lives in docs/local.md', () => {
    expect(doc('local.md')).toContain('localhost:3000/screen');
    expect(doc('local.md')).toContain('trigger auth0');
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
