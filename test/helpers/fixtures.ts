/** Reads a JSON fixture of `test/fixtures/` (raw text too, for signing the exact bytes). */
import { readFileSync } from 'node:fs';

export const fixtureText = (path: string): string =>
  readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');

export const readFixture = <T = Record<string, unknown>>(path: string): T =>
  JSON.parse(fixtureText(path)) as T;

/** A fixture document as tests edit it, field by field, to make each case. */
// biome-ignore lint/suspicious/noExplicitAny: test cases reach into provider payloads freely; zod checks them.
export type Doc = Record<string, any>;
