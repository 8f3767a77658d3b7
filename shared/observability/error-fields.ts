/**
 * The log fields of an unexpected error: its name, its message redacted with the project's redaction (emails and
 * phone numbers masked, 200 characters at most), the first frame of its stack, and its cause's name. The keys are
 * none of Powertools' reserved ones (`message`, `level`, `timestamp`, `service`, `sampling_rate`), which the
 * Logger would drop with a warning, losing the very cause an operator needs.
 */
import { redactErrorMessage } from '../screening/redact.js';

/** A type, not an interface, so that it fits the telemetry's `LogFields` record. */
export type ErrorLogFields = {
  error_name: string;
  error_message: string;
  /** The first `at ...` line of the stack (with source maps on: the TypeScript file and line). */
  error_at?: string;
  /** The name of `error.cause`, when it is an Error (e.g. the SDK error behind a SecretUnavailableError). */
  error_cause?: string;
};

/** Log fields for any thrown value; nothing in them is raw personal data. */
export const errorLogFields = (error: unknown): ErrorLogFields => {
  if (!(error instanceof Error)) {
    return { error_name: typeof error, error_message: redactErrorMessage(String(error)) };
  }
  const frame = error.stack
    ?.split('\n')
    .find((line) => /^\s+at /.test(line))
    ?.trim();
  return {
    error_name: error.name,
    error_message: redactErrorMessage(error.message),
    ...(frame ? { error_at: redactErrorMessage(frame) } : {}),
    ...(error.cause instanceof Error ? { error_cause: error.cause.name } : {}),
  };
};
