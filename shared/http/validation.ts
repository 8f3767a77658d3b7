/** Turns zod failures into 400 `invalid_request` errors that name the offending field. */
import * as z from '../validation/zod.js';
import { badRequest } from './errors.js';

/**
 * A path segment as shown to the caller. Unknown keys come from the request, so one that does not look
 * like a field name (it could be an email address) is not repeated.
 */
const displaySegment = (segment: PropertyKey): string =>
  typeof segment === 'number' || /^[A-Za-z_][A-Za-z0-9_-]{0,40}$/.test(String(segment))
    ? String(segment)
    : '(key)';

/** Parses `value` with `schema`, or throws 400 naming the first bad field. */
export const validate = <T extends z.core.$ZodType>(
  schema: T,
  value: unknown,
  where = 'body',
): z.infer<T> => {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path =
    issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : (issue.path as PropertyKey[]);
  const field = path.map(displaySegment).join('.');
  const detail = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
  throw badRequest(field ? `${where} field "${field}": ${detail}` : `${where}: ${detail}`);
};
