// Prints the plain "N passed, M failed" line CI counts, read from vitest's summary line.
import { readFileSync } from 'node:fs';

const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const text = readFileSync(process.argv[2] ?? '.ci-test.log', 'utf8').replace(ansi, '');
const line =
  text
    .split('\n')
    .reverse()
    .find((l) => /^\s*Tests\s+/.test(l)) ?? '';
const count = (word) => Number(line.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);
console.log(`${count('passed')} passed, ${count('failed')} failed`);
