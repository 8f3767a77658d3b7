/** A telemetry for the local server: one JSON line per log event on stderr, metrics dropped. */
import { type LogFields, silentTelemetry, type Telemetry } from './telemetry.js';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

/** Logs at `minLevel` and above as JSON lines to `write` (stderr by default). */
export const createConsoleTelemetry = (
  minLevel: Level = 'info',
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Telemetry => {
  let correlationId: string | undefined;
  const min = LEVELS.indexOf(minLevel);
  const log = (level: Level) => (message: string, fields?: LogFields) => {
    if (LEVELS.indexOf(level) < min) return;
    write(
      JSON.stringify({
        level,
        time: new Date().toISOString(),
        message,
        ...(correlationId ? { correlation_id: correlationId } : {}),
        ...fields,
      }),
    );
  };
  return {
    ...silentTelemetry, // metrics are dropped locally
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    setCorrelationId: (id) => {
      correlationId = id;
    },
  };
};
