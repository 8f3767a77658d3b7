/** Sealed identifiers (AES-256-GCM) and the re-screen schedule: pure, no I/O. */
import { describe, expect, it } from 'vitest';
import {
  FIRST_RESCREEN_MS,
  firstRescreenAt,
  MAX_RESCREEN_BACKOFF_MS,
  nextRescreenAt,
  RESCREEN_WINDOW_MS,
} from '../../shared/rescreen/schedule.js';
import {
  newRescreenKey,
  openIdentifiers,
  rescreenKeyOf,
  sealIdentifiers,
} from '../../shared/rescreen/sealed.js';

const ids = { email: 'jane.doe@example.org', phone: '+14155550123', ip: '198.51.100.7' };

describe('sealed identifiers', () => {
  const key = rescreenKeyOf(newRescreenKey());

  it('open with the key and the verdict they were sealed for, and show nothing raw', () => {
    const sealed = sealIdentifiers(key, 'V1', ids);
    expect(openIdentifiers(key, 'V1', sealed)).toEqual(ids);
    for (const raw of [ids.email, 'jane', ids.phone, '4155550123', ids.ip]) expect(sealed).not.toContain(raw);
    expect(sealIdentifiers(key, 'V1', ids)).not.toBe(sealed); // a fresh IV each time
  });

  it('do not open for another verdict, another key, or once tampered with', () => {
    const sealed = sealIdentifiers(key, 'V1', { email: null, phone: '+14155550123', ip: null });
    expect(openIdentifiers(key, 'V2', sealed)).toBeNull();
    expect(openIdentifiers(rescreenKeyOf(newRescreenKey()), 'V1', sealed)).toBeNull();
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] as string, 'base64url');
    body[0] = (body[0] as number) ^ 1;
    parts[3] = body.toString('base64url');
    expect(openIdentifiers(key, 'V1', parts.join('.'))).toBeNull();
    expect(openIdentifiers(key, 'V1', 'not sealed')).toBeNull();
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => rescreenKeyOf(Buffer.alloc(16).toString('base64'))).toThrow('32 bytes');
  });
});

describe('re-screen schedule', () => {
  const created = Date.parse('2026-12-01T00:00:00.000Z');

  it('first a minute after the verdict, then doubling waits capped at an hour', () => {
    expect(firstRescreenAt(created)).toBe(created + FIRST_RESCREEN_MS);
    const now = created + 5 * 60_000;
    expect(nextRescreenAt(created, 1, now)).toBe(now + 2 * FIRST_RESCREEN_MS);
    expect(nextRescreenAt(created, 3, now)).toBe(now + 8 * FIRST_RESCREEN_MS);
    expect(nextRescreenAt(created, 12, now)).toBe(now + MAX_RESCREEN_BACKOFF_MS);
  });

  it('gives up past 24 hours after the verdict', () => {
    const late = created + RESCREEN_WINDOW_MS - 30 * 60_000;
    expect(nextRescreenAt(created, 12, late)).toBeNull();
    expect(nextRescreenAt(created, 1, late)).toBe(late + 2 * FIRST_RESCREEN_MS);
  });
});
