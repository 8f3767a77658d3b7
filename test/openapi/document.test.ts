/**
 * docs/openapi.json: every route of the route table (functions/routes.ts) has its entry in openapi/operations.ts and
 * none is left over, the committed document is what `npm run openapi` writes now, every `$ref` resolves, every
 * schema compiles (JSON Schema 2020-12), and the local server serves the same document at `GET /openapi.json`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { type HttpMethod, ROUTES } from '../../functions/routes.js';
import { localFetch } from '../../local/apps.js';
import { openApiDocument, openApiText, strayOperations } from '../../openapi/document.js';
import { OPERATIONS } from '../../openapi/operations.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';
import { createTestDeps } from '../helpers/deps.js';

const committed = readFileSync(join(process.cwd(), 'docs', 'openapi.json'), 'utf8');
const doc = JSON.parse(committed) as {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, object> };
};

describe('docs/openapi.json', () => {
  it.each(ROUTES.flatMap((route) => route.methods.map((method) => [method, route.path] as const)))(
    '%s %s has its entry in openapi/operations.ts and in the document',
    (method, path) => {
      expect(
        OPERATIONS[path]?.[method as HttpMethod],
        `add ${method} ${path} to openapi/operations.ts`,
      ).toBeDefined();
      expect(doc.paths[path]?.[method.toLowerCase()]).toBeDefined();
    },
  );

  it('cites docs pages that exist', () => {
    const pages = Object.values(OPERATIONS).flatMap((methods) => Object.values(methods).map((op) => op.docs));
    for (const page of new Set(pages)) expect(existsSync(join(process.cwd(), page)), page).toBe(true);
  });

  it('has no entry for a route that does not exist', () => {
    expect(strayOperations()).toEqual([]);
  });

  it('is what `npm run openapi` writes now (run it and commit the file when this fails)', () => {
    expect(committed).toBe(openApiText());
  });

  it('is OpenAPI 3.1 whose every $ref resolves and every schema compiles as JSON Schema 2020-12', () => {
    expect(doc.openapi).toBe('3.1.0');
    const refs = [...committed.matchAll(/"\$ref": "#\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(50);
    for (const ref of refs) {
      const target = ref
        .split('/')
        .reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], doc);
      expect(target, ref).toBeDefined();
    }
    const ajv = addFormats.default(new Ajv2020({ strict: true, allErrors: true }));
    ajv.addKeyword('x-amazon-apigateway-authtype');
    const defs = JSON.parse(
      JSON.stringify(doc.components.schemas).replaceAll('#/components/schemas/', '#/$defs/'),
    );
    ajv.addSchema({ $id: 'openapi', $defs: defs });
    for (const name of Object.keys(defs)) {
      expect(ajv.getSchema(`openapi#/$defs/${name}`), name).toBeTypeOf('function');
    }
  });

  it('fails to build when a route has no entry', () => {
    const operations = OPERATIONS as Record<string, unknown>;
    const saved = operations['/stats'];
    delete operations['/stats'];
    try {
      expect(() => openApiDocument()).toThrow('GET /stats has no entry in openapi/operations.ts');
    } finally {
      operations['/stats'] = saved;
    }
  });

  it('is served by the local server at GET /openapi.json, open like /health', async () => {
    const t = await createTestDeps({ store: 'memory' });
    try {
      const res = await localFetch(t.provider, silentTelemetry)(new Request('http://local/openapi.json'));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.text()).toBe(committed);
    } finally {
      await t.close();
    }
  });
});
