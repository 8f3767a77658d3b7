/**
 * `signup-gate trigger <provider>`, the offline `stripe trigger` (docs/cli.md): builds the provider's event for one
 * sign-up, signs it with the local secret, sends it to the target, and prints how the provider would act on the
 * answer (`--json`: the answer as is). Exit 0 when the route answered 2xx.
 */
import type { Decision } from '../../shared/core/levels.js';
import { callApi, networkCause, unreachableHint } from '../api.js';
import { CliError, NetworkError, UsageError } from '../errors.js';
import { type LocalToken, readLocalSecret } from '../local-token.js';
import { decisionText, err, fields, out, printJson } from '../output.js';
import type { TargetLocation } from '../resolve-target.js';
import type { ApiTarget } from '../target.js';
import type { WirePage, WireVerdict } from '../wire.js';
import type { TriggerProvider, TriggerReading, TriggerRequest, TriggerSubject } from './provider.js';
import { TRIGGER_PROVIDERS, triggerProvider } from './registry.js';
import { documentationIp, hintedSubject } from './subject.js';

export interface TriggerOptions {
  email?: string;
  phone?: string;
  decisionHint?: Decision;
  postLogin?: boolean;
}

export interface TriggerContext {
  json: boolean;
  env: NodeJS.ProcessEnv;
  location(): Promise<TargetLocation>;
  /** The target with the operator's auth: the Cognito route, and finding a verdict an answer does not carry. */
  target(): Promise<ApiTarget>;
  nowSec?: number;
}

/** The provider named on the command line, or a usage error listing the known ones. */
export const providerNamed = (name: string): TriggerProvider => {
  const provider = triggerProvider(name);
  if (!provider) {
    const known = TRIGGER_PROVIDERS.map((p) => p.name).join(', ');
    throw new UsageError(`trigger: unknown provider "${name}" (one of: ${known})`);
  }
  return provider;
};

const subjectOf = (options: TriggerOptions): TriggerSubject => {
  if (options.email === undefined && options.phone === undefined)
    return hintedSubject(options.decisionHint ?? 'allow');
  if (options.decisionHint !== undefined)
    throw new UsageError('trigger: --decision-hint picks an identity: use it without --email and --phone');
  return { email: options.email ?? null, phone: options.phone ?? null };
};

interface Answer {
  status: number;
  body: unknown;
}

const send = async (
  provider: TriggerProvider,
  request: TriggerRequest,
  context: TriggerContext,
): Promise<{ url: string; answer: Answer }> => {
  const headers = { 'content-type': 'application/json', accept: 'application/json', ...request.headers };
  // Hooks are signed with their secret; only the Cognito route is an operator's route (the bearer token).
  const target = provider.secret ? undefined : await context.target();
  const base = target?.url ?? (await context.location()).base;
  let response: Response;
  try {
    response = target
      ? await target.request({ method: 'POST', path: request.path, headers, body: request.body })
      : await fetch(`${base}${request.path}`, { method: 'POST', headers, body: request.body });
  } catch (error) {
    throw new NetworkError(`cannot reach ${base} (${networkCause(error)})${unreachableHint({ url: base })}`);
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON (a proxy's page): kept as text.
  }
  return { url: `${base}${request.path}`, answer: { status: response.status, body } };
};

/** The stored verdict of an answer that does not carry it (Supabase, Cognito), when the operator's API finds it. */
const findVerdict = async (
  request: TriggerRequest,
  context: TriggerContext,
): Promise<WireVerdict | undefined> => {
  if (!request.find) return undefined;
  try {
    const { body } = await callApi<WirePage<WireVerdict>>(await context.target(), {
      method: 'GET',
      path: `/verdicts?source=${request.find.source}&limit=20`,
    });
    return body.items.find(request.find.match);
  } catch {
    return undefined;
  }
};

const summary = (
  provider: TriggerProvider,
  reading: TriggerReading,
  verdict: WireVerdict | undefined,
): string => {
  const pairs: Array<[string, string | null]> = [];
  if (verdict) {
    pairs.push(
      ['decision', `${decisionText(verdict.decision)}${verdict.degraded ? ' (degraded)' : ''}`],
      ['action', decisionText(verdict.action ?? verdict.decision)],
      ['verdict', verdict.verdict_id],
      ['reasons', verdict.reasons.map((r) => `${r.code} (${r.message})`).join('; ') || 'none'],
    );
  }
  pairs.push([provider.name, reading.effect]);
  return fields(pairs);
};

/** Why a signed request was refused, for the line: where the secret came from and where the server's lives. */
const secretHint = (provider: TriggerProvider, from: string | undefined): string => {
  const setting = provider.secret;
  if (!setting || !from) return '';
  const source = from === setting.env ? setting.env : from;
  return ` (the secret came from ${source}; the server takes ${setting.env}, else ${setting.field} in its DATA_DIR/dev-secrets.json: give the CLI the DATA_DIR or ${setting.env} npm start uses)`;
};

const errorLine = (answer: Answer): string => {
  const error = (answer.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof error?.code === 'string' ? error.code : `http_${answer.status}`;
  const message = typeof error?.message === 'string' ? error.message : 'no details';
  return `${answer.status} ${code}: ${message}`;
};

/** Runs one trigger; resolves with the exit code (0 when the route answered 2xx). */
export const runTrigger = async (
  name: string,
  options: TriggerOptions,
  context: TriggerContext,
): Promise<number> => {
  const provider = providerNamed(name);
  if (options.postLogin && provider.name !== 'auth0')
    throw new UsageError('trigger: --post-login is for auth0 only');
  const subject = subjectOf(options);
  let secret: LocalToken | undefined;
  if (provider.secret) secret = await readLocalSecret(context.env, provider.secret);
  const request = await provider.build({
    subject,
    secret: secret?.token,
    nowSec: context.nowSec ?? Math.floor(Date.now() / 1000),
    ip: documentationIp(),
    postLogin: options.postLogin === true,
  });
  const { url, answer } = await send(provider, request, context);
  const ok = answer.status >= 200 && answer.status < 300;
  const reading = provider.read(answer.status, answer.body);
  if (context.json) {
    printJson(answer.body);
    if (!ok) err(`signup-gate: trigger ${provider.name}: the route answered ${errorLine(answer)}`);
    return ok ? 0 : 1;
  }
  if (!reading) {
    if (ok) {
      out(`${provider.name} ${request.event} → ${url}: ${answer.status}`);
      printJson(answer.body);
      return 0;
    }
    throw new CliError(`trigger ${provider.name}: ${errorLine(answer)}${secretHint(provider, secret?.from)}`);
  }
  const verdict = reading.verdict ?? (await findVerdict(request, context));
  out(`${provider.name} ${request.event} → ${url}: ${answer.status}`);
  out(summary(provider, reading, verdict));
  return ok ? 0 : 1;
};
