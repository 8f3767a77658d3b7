/**
 * The `cognito-pre-signup` trigger as Lambda runs it (`createPreSignUpHandler`, what `handler.ts` wraps), fed
 * the documented event objects of the three trigger sources. Deps are real and in process: dynalite store,
 * sandbox Defastra over HTTP. Only Cognito itself is absent: the handler is called as Cognito calls it, with
 * the event object and a context whose remaining time is Cognito's 5 s (or less).
 */
import type { PreSignUpTriggerEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createPreSignUpHandler,
  UNAVAILABLE_MESSAGE,
} from '../../functions/cognito-pre-signup/pre-signup.js';
import { SANDBOX_IDENTITIES } from '../../shared/defastra/sandbox/index.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';
import {
  cognitoEvent,
  cognitoVerdicts,
  contextWith,
  NO_VELOCITY,
  recordingTelemetry,
  TRIGGER_SOURCES,
  tableText,
} from './support.js';

const { email: EMAIL, phone: PHONE } = SANDBOX_IDENTITIES;
const USER_MESSAGE = 'Sign-ups like this one are not accepted.';
const COGNITO_LIMIT_MS = 5_000;

const run = async (t: TestDeps, event: PreSignUpTriggerEvent, remainingMs = COGNITO_LIMIT_MS) =>
  createPreSignUpHandler(t.provider)(event, contextWith(remainingMs));

describe('cognito-pre-signup', () => {
  let t: TestDeps;
  const telemetry = recordingTelemetry();

  beforeAll(async () => {
    t = await createTestDeps({
      policy: { cache_hours: 0, user_message: USER_MESSAGE, ...NO_VELOCITY },
      overrides: { telemetry },
    });
  });
  afterAll(() => t.close());
  afterEach(() => t.sandbox.clearFaults());

  describe.each(TRIGGER_SOURCES)('%s', (source) => {
    it('allow: returns the very event object, unchanged', async () => {
      const event = cognitoEvent(source, { email: EMAIL.low });
      const before = structuredClone(event);
      const result = await run(t, event);
      expect(result).toBe(event);
      expect(result).toEqual(before);
      const [verdict] = await cognitoVerdicts(t);
      expect(verdict).toMatchObject({ source: 'cognito', source_ref: null, decision: 'allow' });
      expect(verdict!.subject_ref).toBe(event.userName);
    });

    it('review: returns the event unchanged (the verdict waits in the review queue)', async () => {
      const event = cognitoEvent(source, { email: EMAIL.medium });
      const before = structuredClone(event);
      expect(await run(t, event)).toEqual(before);
      expect((await cognitoVerdicts(t))[0]?.decision).toBe('review');
    });

    it('block: throws an Error whose message is the user_message (Cognito shows it)', async () => {
      const event = cognitoEvent(source, { email: EMAIL.high });
      const error = await run(t, event).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe(USER_MESSAGE);
      expect((await cognitoVerdicts(t))[0]?.decision).toBe('block');
    });
  });

  it('screens the phone number too (block on an extreme phone)', async () => {
    const event = cognitoEvent('PreSignUp_SignUp', { email: EMAIL.low, phone_number: `+${PHONE.extreme}` });
    await expect(run(t, event)).rejects.toThrow(USER_MESSAGE);
    expect((await cognitoVerdicts(t))[0]?.reasons.map((r) => r.code)).toEqual(['phone_risk']);
  });

  it('no email nor phone → allow (no_identifiers), no Defastra call', async () => {
    t.sandbox.resetStats();
    const event = cognitoEvent('PreSignUp_AdminCreateUser', {});
    expect(await run(t, event)).toBe(event);
    expect((await cognitoVerdicts(t))[0]?.reasons.map((r) => r.code)).toEqual(['no_identifiers']);
    expect(t.sandbox.stats().requests).toBe(0);
  });

  it('a pool whose usernames are emails: subject_ref stays null', async () => {
    await run(t, cognitoEvent('PreSignUp_SignUp', { email: EMAIL.low }, 'jane.doe@example.org'));
    expect((await cognitoVerdicts(t))[0]?.subject_ref).toBeNull();
  });

  it('refuses an event of another trigger with a message naming the field', async () => {
    const event = {
      ...cognitoEvent('PreSignUp_SignUp', { email: EMAIL.low }),
      triggerSource: 'PreAuthentication_Authentication',
    };
    await expect(run(t, event as unknown as PreSignUpTriggerEvent)).rejects.toThrow(
      /not a Cognito pre sign-up event: .*"triggerSource"/,
    );
  });

  it('never logs or stores the raw email or phone', async () => {
    const email = 'Jane.Doe+medium@Example.com';
    const phone = `+${PHONE.high}`;
    telemetry.lines.length = 0;
    await expect(run(t, cognitoEvent('PreSignUp_SignUp', { email, phone_number: phone }))).rejects.toThrow();
    const logs = telemetry.lines.join('\n');
    expect(logs).toContain('"message":"verdict"');
    const table = await tableText(t);
    for (const raw of [email, email.toLowerCase(), phone, PHONE.high]) {
      expect(logs).not.toContain(raw);
      expect(table).not.toContain(raw);
    }
  });
});

describe('cognito-pre-signup within Cognito 5 s', () => {
  it('Defastra slower than budget_ms.cognito: answers in time, on_error.cognito (allow), degraded', async () => {
    const t = await createTestDeps({
      policy: { cache_hours: 0, budget_ms: { cognito: 300 }, ...NO_VELOCITY },
    });
    try {
      t.sandbox.setFaults({ latencyMs: 3_000 });
      const event = cognitoEvent('PreSignUp_SignUp', { email: EMAIL.high });
      const started = Date.now();
      expect(await run(t, event)).toBe(event);
      expect(Date.now() - started).toBeLessThan(2_000);
      const [verdict] = await cognitoVerdicts(t);
      expect(verdict).toMatchObject({ decision: 'allow', degraded: true });
      expect(verdict?.email?.error?.type).toBe('TIMEOUT');
    } finally {
      await t.close();
    }
  });

  it('on_error.cognito=block refuses the sign-up with the user message when Defastra is too slow', async () => {
    const t = await createTestDeps({
      policy: { cache_hours: 0, budget_ms: { cognito: 300 }, on_error: { cognito: 'block' }, ...NO_VELOCITY },
    });
    try {
      t.sandbox.setFaults({ latencyMs: 3_000 });
      await expect(run(t, cognitoEvent('PreSignUp_SignUp', { email: EMAIL.low }))).rejects.toThrow(
        'We could not complete your sign-up.',
      );
    } finally {
      await t.close();
    }
  });

  it('with the default budget (4 s), answers before Cognito gives up (5 s)', async () => {
    const t = await createTestDeps({ policy: { cache_hours: 0, ...NO_VELOCITY } });
    try {
      t.sandbox.setFaults({ latencyMs: 8_000 });
      const started = Date.now();
      await run(t, cognitoEvent('PreSignUp_SignUp', { email: EMAIL.high }));
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(3_900);
      expect(elapsed).toBeLessThan(COGNITO_LIMIT_MS);
    } finally {
      await t.close();
    }
  }, 10_000);

  it('keeps inside the time Lambda has left when that is shorter than the budget', async () => {
    const t = await createTestDeps({ policy: { cache_hours: 0, ...NO_VELOCITY } });
    try {
      t.sandbox.setFaults({ latencyMs: 8_000 });
      const started = Date.now();
      await run(t, cognitoEvent('PreSignUp_SignUp', { email: EMAIL.high }), 1_500);
      expect(Date.now() - started).toBeLessThan(1_500);
      expect((await cognitoVerdicts(t))[0]).toMatchObject({ degraded: true });
    } finally {
      await t.close();
    }
  });
});

describe('cognito-pre-signup when it cannot screen', () => {
  it('the store is down: on_error.cognito decides (allow lets the sign-up through), logged without PII', async () => {
    const telemetry = recordingTelemetry();
    const t = await createTestDeps({ policy: { cache_hours: 0, ...NO_VELOCITY }, overrides: { telemetry } });
    try {
      await t.dynalite!.close(); // a real outage: the endpoint refuses connections
      const event = cognitoEvent('PreSignUp_SignUp', { email: EMAIL.high });
      expect(await run(t, event)).toBe(event);
      const logs = telemetry.lines.join('\n');
      expect(logs).toMatch(/cognito screening failed; on_error.cognito decides.*"decision":"allow"/);
      expect(logs).not.toContain(EMAIL.high);
    } finally {
      t.defastra.close();
      await t.sandbox.close();
    }
  });

  it('the store is down and on_error.cognito is block: the sign-up is refused with the user message', async () => {
    const t = await createTestDeps({
      policy: { cache_hours: 0, on_error: { cognito: 'block' }, ...NO_VELOCITY },
    });
    try {
      await t.dynalite!.close();
      await expect(run(t, cognitoEvent('PreSignUp_SignUp', { email: EMAIL.low }))).rejects.toThrow(
        'We could not complete your sign-up.',
      );
    } finally {
      t.defastra.close();
      await t.sandbox.close();
    }
  });

  it('no deps (configuration or secrets): a generic message to the user, the cause in the log', async () => {
    const telemetry = recordingTelemetry();
    const handler = createPreSignUpHandler(async () => {
      throw new Error('AccessDeniedException: arn:aws:secretsmanager:eu-west-1:123456789012:secret:pepper');
    }, telemetry);
    const refused = handler(cognitoEvent('PreSignUp_SignUp', { email: EMAIL.low }));
    await expect(refused).rejects.toThrow(UNAVAILABLE_MESSAGE);
    await expect(refused).rejects.not.toThrow(/secretsmanager/);
    // Cognito shows the thrown message to the user; the operator reads the cause in the function's log.
    expect(telemetry.lines.join('\n')).toMatch(/cognito-pre-signup cannot start.*AccessDeniedException/);
    expect(telemetry.lines.join('\n')).not.toContain(EMAIL.low);
  });
});
