/** Opens a URL in the desktop's default browser when there is one; never fails the command when there is not. */
import { spawn } from 'node:child_process';

const command = (url: string): [string, string[]] => {
  if (process.platform === 'darwin') return ['open', [url]];
  if (process.platform === 'win32') return ['cmd', ['/c', 'start', '""', `"${url}"`]];
  return ['xdg-open', [url]];
};

/** Starts the platform's opener detached; `onFailure` is called if it is missing or fails. */
export const openInBrowser = (url: string, onFailure: () => void): void => {
  const [cmd, args] = command(url);
  let failed = false;
  const fail = () => {
    if (!failed) onFailure();
    failed = true;
  };
  try {
    const child = spawn(cmd, args, {
      stdio: 'ignore',
      detached: true,
      windowsVerbatimArguments: process.platform === 'win32',
    });
    child.once('error', fail);
    child.once('exit', (code) => {
      if (code !== 0) fail();
    });
    child.unref();
  } catch {
    fail();
  }
};
