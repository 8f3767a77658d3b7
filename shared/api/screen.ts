/** `POST /screen`: what a backend sends (an email and/or a phone, its own reference, the client IP); answered a Verdict. */
import { normaliseIp } from '../policy/identifiers.js';
import * as z from '../validation/zod.js';

export const screenBody = z
  .strictObject({
    email: z.optional(z.nullable(z.string().check(z.maxLength(320)))),
    phone: z.optional(z.nullable(z.string().check(z.maxLength(64)))),
    reference: z.optional(z.nullable(z.string().check(z.minLength(1), z.maxLength(200)))),
    /** One IPv4 or IPv6 address: `ip:port`, a list or a name is refused (velocity would silently skip it). */
    ip: z.optional(
      z.nullable(
        z.string().check(
          z.maxLength(64),
          z.refine((v) => normaliseIp(v) !== null, 'expected one IPv4 or IPv6 address (no port, no list)'),
        ),
      ),
    ),
  })
  .check(
    z.refine((b) => (b.email ?? null) !== null || (b.phone ?? null) !== null, {
      message: 'at least one of "email" or "phone" is required',
    }),
  );
export type ScreenBody = z.input<typeof screenBody>;
