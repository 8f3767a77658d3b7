/**
 * The import graph: nothing in shared/ reaches up into the apps, the entry points or the clients (functions/, bin/,
 * local/, cli/, console/, infra/, openapi/). Every static and dynamic import of every module under shared/ is resolved
 * and checked; a planted violation proves the check can fail.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = process.cwd();
const FORBIDDEN = ['functions', 'bin', 'local', 'cli', 'console', 'infra', 'openapi'];

const sourcesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourcesUnder(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });

const SPECIFIERS = [
  /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /^\s*import\s*['"]([^'"]+)['"]/gm,
];

/** The project-relative paths a module's relative imports resolve to. */
const importsOf = (file: string, text: string): string[] =>
  SPECIFIERS.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]!))
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => relative(ROOT, normalize(join(dirname(file), specifier))));

/** The imports of `file` that reach a forbidden top-level folder. */
const violations = (file: string, text: string): string[] =>
  importsOf(file, text).filter((target) => FORBIDDEN.includes(target.split(/[\\/]/)[0]!));

describe('the import graph', () => {
  const files = sourcesUnder(join(ROOT, 'shared'));

  it('reads every module of shared/ and resolves their imports', () => {
    expect(files.length).toBeGreaterThan(80);
    const total = files.reduce((sum, file) => sum + importsOf(file, readFileSync(file, 'utf8')).length, 0);
    expect(total).toBeGreaterThan(300);
  });

  it('has nothing in shared/ import from functions/, bin/, local/, cli/, console/, infra/ or openapi/', () => {
    const found = files.flatMap((file) =>
      violations(file, readFileSync(file, 'utf8')).map((target) => `${relative(ROOT, file)} → ${target}`),
    );
    expect(found).toEqual([]);
  });

  it('would catch an import that climbs out of shared/', () => {
    const file = join(ROOT, 'shared', 'screening', 'example.ts');
    const text = [
      "import { createApiApp } from '../../functions/api/app.js';",
      "import type { X } from '../../local/server.js';",
      "export { y } from '../../cli/wire.js';",
      "const lazy = () => import('../../infra/functions.js');",
      "import { ok } from '../core/levels.js';",
    ].join('\n');
    expect(violations(file, text)).toEqual([
      join('functions', 'api', 'app.js'),
      join('local', 'server.js'),
      join('cli', 'wire.js'),
      join('infra', 'functions.js'),
    ]);
  });
});
