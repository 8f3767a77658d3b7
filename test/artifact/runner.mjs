/**
 * A stand-in for Lambda's Node.js runtime, run by the artifact test in a child process (as an unprivileged user
 * when the suite runs as root): it loads the handler named by `_HANDLER` from `LAMBDA_TASK_ROOT` at start-up, as
 * Lambda's init phase does, then invokes it once per request line on stdin, one at a time, like a warm container.
 *
 * Plain JavaScript on purpose: the child runs nothing but Node and the function's own bundle (no tsx, no
 * node_modules of the repository). Protocol: requests are JSON lines on stdin (`{ id, event, remainingMs }`);
 * the init report and each invocation's outcome are JSON lines on fd 3; stdout and stderr stay the function's
 * logs, framed by `START RequestId: <id>` and `END RequestId: <id>` lines as Lambda writes them (END on both).
 */
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const REPORT_FD = 3;
const report = (message) => writeSync(REPORT_FD, `${JSON.stringify(message)}\n`);
const log = (line) => writeSync(1, `${line}\n`);
/** The END line goes to stderr too, so the test knows both streams hold everything the invocation wrote. */
const logBoth = (line) => {
  log(line);
  writeSync(2, `${line}\n`);
};

/** An error as Lambda reports it: `errorType` is the error's name, `errorMessage` its message. */
const errorOf = (error) =>
  error instanceof Error
    ? { errorType: error.name, errorMessage: error.message }
    : { errorType: 'Error', errorMessage: String(error) };

/** `index.handler` → the module `index` (`.mjs`, `.js` or `.cjs`, as Lambda looks for them) and its export. */
const loadHandler = async () => {
  const spec = process.env._HANDLER ?? '';
  const dot = spec.lastIndexOf('.');
  if (dot <= 0)
    throw Object.assign(new Error(`bad handler ${spec}`), { name: 'Runtime.MalformedHandlerName' });
  const root = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  const base = spec.slice(0, dot);
  let lastError;
  for (const extension of ['.mjs', '.js', '.cjs']) {
    try {
      const module = await import(pathToFileURL(join(root, `${base}${extension}`)).href);
      const handler = module[spec.slice(dot + 1)];
      if (typeof handler !== 'function') {
        throw Object.assign(new Error(`${spec} is undefined or not exported`), {
          name: 'Runtime.HandlerNotFound',
        });
      }
      return handler;
    } catch (error) {
      if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
      lastError = error;
    }
  }
  throw Object.assign(new Error(`Cannot find module '${base}'`, { cause: lastError }), {
    name: 'Runtime.ImportModuleError',
  });
};

const started = performance.now();
let handler;
let initError;
try {
  handler = await loadHandler();
} catch (error) {
  initError = errorOf(error);
}
report({
  type: 'init',
  ok: !initError,
  error: initError,
  ms: Math.round(performance.now() - started),
  uid: process.getuid?.(),
});

const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'function';
const region = process.env.AWS_REGION ?? 'us-east-1';

const contextFor = (id, remainingMs) => {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:${functionName}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
    awsRequestId: id,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME ?? `/aws/lambda/${functionName}`,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? '2026/01/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
};

const invoke = async ({ id, event, remainingMs }) => {
  log(`START RequestId: ${id} Version: $LATEST`);
  try {
    if (initError) throw Object.assign(new Error(initError.errorMessage), { name: initError.errorType });
    const result = await handler(event, contextFor(id, remainingMs ?? 10_000));
    report({ type: 'result', id, ok: true, result: result ?? null });
  } catch (error) {
    report({ type: 'result', id, ok: false, error: errorOf(error) });
  }
  logBoth(`END RequestId: ${id}`);
};

// One invocation at a time, in order, as one Lambda execution environment does.
let queue = Promise.resolve();
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === '') return;
  const request = JSON.parse(line);
  queue = queue.then(() => invoke(request));
});
// The environment is shut down once the test closes stdin (open keep-alive sockets would keep Node up).
lines.on('close', () => queue.then(() => process.exit(0)));
