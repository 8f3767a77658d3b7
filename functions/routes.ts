/**
 * Every HTTP route, once: its path (API Gateway's `{param}` syntax), methods, the app that serves it, and how it is
 * authenticated. The CDK stack (infra/http-api.ts) and the local server (local/apps.ts) both read this table; no CDK
 * import here, and no app code either.
 */

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/**
 * The apps behind the routes: the Lambda functions' apps, the local Cognito invoke route, the local health check and
 * the local OpenAPI document.
 */
export type RouteApp =
  | 'api'
  | 'auth0-hook'
  | 'stripe-hook'
  | 'supabase-hook'
  | 'okta-hook'
  | 'kratos-hook'
  | 'paddle-hook'
  | 'clerk-hook'
  | 'firebase-hook'
  | 'workos-hook'
  | 'cognito-pre-signup'
  | 'health'
  | 'openapi';

export interface HttpRoute {
  path: string;
  methods: readonly HttpMethod[];
  app: RouteApp;
  /** `hook`: signed by the caller, checked in code; `operator`: IAM in AWS, bearer locally; `none`: open. */
  auth: 'hook' | 'operator' | 'none';
  /** Served by the local server only (in AWS Cognito invokes its trigger; no /health, no /openapi.json). */
  localOnly?: boolean;
}

export const ROUTES: readonly HttpRoute[] = [
  { path: '/screen', methods: ['POST'], app: 'api', auth: 'operator' },
  { path: '/verdicts', methods: ['GET'], app: 'api', auth: 'operator' },
  { path: '/verdicts/{id}', methods: ['GET'], app: 'api', auth: 'operator' },
  { path: '/verdicts/{id}/review', methods: ['POST'], app: 'api', auth: 'operator' },
  { path: '/verdicts/{id}/rescreen', methods: ['POST'], app: 'api', auth: 'operator' },
  { path: '/lists', methods: ['GET', 'POST'], app: 'api', auth: 'operator' },
  { path: '/lists/{entry_id}', methods: ['DELETE'], app: 'api', auth: 'operator' },
  { path: '/stats', methods: ['GET'], app: 'api', auth: 'operator' },
  { path: '/replay', methods: ['POST'], app: 'api', auth: 'operator' },
  { path: '/verdicts/{id}/outcome', methods: ['POST'], app: 'api', auth: 'operator' },
  { path: '/outcomes', methods: ['POST'], app: 'api', auth: 'operator' },
  { path: '/quality', methods: ['GET'], app: 'api', auth: 'operator' },
  { path: '/policy', methods: ['GET', 'PUT'], app: 'api', auth: 'operator' },
  { path: '/policy/versions', methods: ['GET'], app: 'api', auth: 'operator' },
  { path: '/policy/versions/{version}', methods: ['GET'], app: 'api', auth: 'operator' },
  { path: '/policy/rollback', methods: ['POST'], app: 'api', auth: 'operator' },
  { path: '/policy/shadow', methods: ['GET', 'PUT', 'DELETE'], app: 'api', auth: 'operator' },
  { path: '/hooks/auth0', methods: ['POST'], app: 'auth0-hook', auth: 'hook' },
  { path: '/hooks/stripe', methods: ['POST'], app: 'stripe-hook', auth: 'hook' },
  { path: '/hooks/supabase', methods: ['POST'], app: 'supabase-hook', auth: 'hook' },
  { path: '/hooks/okta', methods: ['POST'], app: 'okta-hook', auth: 'hook' },
  { path: '/hooks/kratos', methods: ['POST'], app: 'kratos-hook', auth: 'hook' },
  { path: '/hooks/paddle', methods: ['POST'], app: 'paddle-hook', auth: 'hook' },
  { path: '/hooks/clerk', methods: ['POST'], app: 'clerk-hook', auth: 'hook' },
  { path: '/hooks/firebase', methods: ['POST'], app: 'firebase-hook', auth: 'hook' },
  { path: '/hooks/workos', methods: ['POST'], app: 'workos-hook', auth: 'hook' },
  {
    path: '/invoke/cognito-pre-signup',
    methods: ['POST'],
    app: 'cognito-pre-signup',
    auth: 'operator',
    localOnly: true,
  },
  { path: '/health', methods: ['GET', 'HEAD'], app: 'health', auth: 'none', localOnly: true },
  { path: '/openapi.json', methods: ['GET'], app: 'openapi', auth: 'none', localOnly: true },
];

/** The path of an app that serves one route (a hook, the Cognito invoke route). */
export const pathOf = (app: RouteApp): string => {
  const [route, ...others] = ROUTES.filter((r) => r.app === app);
  if (!route || others.length > 0) throw new Error(`${app} does not serve exactly one route`);
  return route.path;
};

const patternOf = (path: string): RegExp =>
  new RegExp(`^${path.replace(/\{[^/}]+\}/g, '[^/]+').replace(/\//g, '\\/')}$`);

const PATTERNS = ROUTES.map((route) => ({ route, pattern: patternOf(route.path) }));

/** The route a request path belongs to; undefined for a path no route has (the api app answers its 404). */
export const routeOf = (pathname: string): HttpRoute | undefined =>
  PATTERNS.find(({ pattern }) => pattern.test(pathname))?.route;
