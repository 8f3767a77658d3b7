/**
 * The Jsonnet body template shipped in integrations/kratos/, rendered by a real `jsonnet` (Debian's `jsonnet`
 * package, or any build of it on PATH). Skipped, and said so, where none is installed: the committed
 * fixture test/fixtures/kratos/signup-gate-body.json is that template's output and keeps the mapping tested.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kratosEventSchema } from '../../functions/kratos-hook/event.js';
import { type Doc, readFixture } from '../helpers/fixtures.js';

const TEMPLATE = 'integrations/kratos/signup-gate-body.jsonnet';
const hasJsonnet = (() => {
  try {
    execFileSync('jsonnet', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const render = (ctx: unknown): unknown => {
  const dir = mkdtempSync(join(tmpdir(), 'kratos-ctx-'));
  const file = join(dir, 'ctx.json');
  writeFileSync(file, JSON.stringify(ctx));
  return JSON.parse(
    execFileSync('jsonnet', ['--tla-code-file', `ctx=${file}`, TEMPLATE], { encoding: 'utf8' }),
  );
};

describe.skipIf(!hasJsonnet)('the Kratos body template (jsonnet installed)', () => {
  it('renders the committed body fixture from the template context fixture', () => {
    expect(render(readFixture('kratos/template-context.json'))).toEqual(
      readFixture('kratos/signup-gate-body.json'),
    );
  });

  it('renders nulls for absent traits, headers and identity, and a body the route accepts', () => {
    const body = render({ flow: { id: 'f-1' }, request_headers: {}, identity: { traits: { email: '' } } });
    expect(body).toEqual({
      flow_id: 'f-1',
      identity: { id: null, traits: { email: null, phone: null } },
      ip: null,
    });
    expect(kratosEventSchema.safeParse(body).success).toBe(true);
  });

  it('passes a stored identity id through', () => {
    const ctx = readFixture<Doc>('kratos/template-context.json');
    ctx.identity.id = '5a2a8a7c-3c4e-4d63-9b4c-0f1d2e3a4b5c';
    expect(render(ctx)).toMatchObject({ identity: { id: '5a2a8a7c-3c4e-4d63-9b4c-0f1d2e3a4b5c' } });
  });
});
