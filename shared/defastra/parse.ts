/** Turns a Defastra HTTP answer (status code + body text) into a CheckResult or a typed error. */
import { isRiskLevel } from '../core/levels.js';
import type { Check, ResultType } from '../core/verdict.js';
import type { IdentifierKind } from '../core/vocabulary.js';
import { apiErrorFor, DefastraBadResponseError } from './errors.js';
import type { CheckResult } from './types.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The name of the product object in a success body: `deep_email_check` or `deep_phone_check`. */
export const productKey = (kind: IdentifierKind): string => `deep_${kind}_check`;

const RESULT_TYPES: readonly string[] = ['risk', 'trust', 'neutral'];

/** `risk` / `trust` / `neutral` whatever the case; anything else counts as `neutral`. */
export const toResultType = (value: unknown): ResultType => {
  const lower = typeof value === 'string' ? value.toLowerCase() : '';
  return RESULT_TYPES.includes(lower) ? (lower as ResultType) : 'neutral';
};

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** One check entry, from `{result_type, detail}` (current) or `{type, message}` (legacy signals). */
const toCheck = (fallbackCode: string, entry: unknown): Check | undefined => {
  if (!isObject(entry)) return undefined;
  const code = typeof entry.code === 'string' && entry.code !== '' ? entry.code : fallbackCode;
  if (code === '') return undefined;
  return {
    code,
    result_type: toResultType(entry.result_type ?? entry.type),
    detail: text(entry.detail ?? entry.message),
  };
};

const listFrom = (collection: unknown): Check[] => {
  if (Array.isArray(collection)) {
    return collection.flatMap((entry) => toCheck('', entry) ?? []);
  }
  if (isObject(collection)) {
    return Object.entries(collection).flatMap(([code, entry]) => toCheck(code, entry) ?? []);
  }
  return [];
};

/** The product's checks as a list: `checks` (keyed object, the seed shape) or legacy `signals`. */
export const normaliseChecks = (product: Json): Check[] =>
  product.checks !== undefined ? listFrom(product.checks) : listFrom(product.signals);

const toNumber = (value: unknown): number | undefined => {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
};

/** Wallet balance: top level, then `my_account.wallet`, then the product object; absent is allowed. */
export const readWallet = (body: Json, product: Json): number | undefined => {
  const account = isObject(body.my_account) ? body.my_account : {};
  return toNumber(body.wallet) ?? toNumber(account.wallet) ?? toNumber(product.wallet);
};

const readRequestId = (body: Json, product: Json): string => {
  if (typeof body.request_id === 'string') return body.request_id;
  return typeof product.request_id === 'string' ? product.request_id : '';
};

const bad = (message: string, httpStatus: number): DefastraBadResponseError =>
  new DefastraBadResponseError(message, httpStatus);

/** Reads a `status: true` body. Throws DefastraBadResponseError when a required field is missing. */
export const parseSuccess = (kind: IdentifierKind, body: Json, httpStatus: number): CheckResult => {
  const product = body[productKey(kind)];
  if (!isObject(product)) throw bad(`Defastra success without a ${productKey(kind)} object`, httpStatus);
  if (!isRiskLevel(product.risk_level)) throw bad('Defastra answered an unknown risk_level', httpStatus);
  const riskScore = product.risk_score;
  if (typeof riskScore !== 'number' || !Number.isFinite(riskScore)) {
    throw bad('Defastra answered a risk_score that is not a number', httpStatus);
  }
  const result: CheckResult = {
    kind,
    riskLevel: product.risk_level,
    riskScore,
    requestId: readRequestId(body, product),
    checks: normaliseChecks(product),
    data: isObject(product.data) ? product.data : {},
  };
  const wallet = readWallet(body, product);
  if (wallet !== undefined) result.wallet = wallet;
  return result;
};

/**
 * Parses any Defastra answer whatever its HTTP status and branches on `status`.
 * `status: false` throws the typed API error; anything that is not a Defastra envelope
 * (HTML from a proxy, truncated JSON, a 5xx without a body) throws DefastraBadResponseError.
 */
export const parseDefastraResponse = (
  kind: IdentifierKind,
  httpStatus: number,
  bodyText: string,
): CheckResult => {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    throw bad(`Defastra answered HTTP ${httpStatus} with a body that is not JSON`, httpStatus);
  }
  if (!isObject(body) || typeof body.status !== 'boolean') {
    throw bad(`Defastra answered HTTP ${httpStatus} without a status field`, httpStatus);
  }
  if (body.status) return parseSuccess(kind, body, httpStatus);
  if (typeof body.error_type !== 'string' || body.error_type === '') {
    throw bad(`Defastra answered HTTP ${httpStatus} with status false but no error_type`, httpStatus);
  }
  const message = text(body.error_message) || body.error_type;
  throw apiErrorFor(body.error_type, message, httpStatus);
};
