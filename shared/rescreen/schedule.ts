/**
 * When a provisional verdict is re-screened (docs/rescreen.md): about a minute after the verdict, then with doubling
 * backoff capped at an hour, for up to 24 hours after the verdict; after that it gives up. Pure: times in epoch ms.
 */

/** The first attempt, after the verdict. */
export const FIRST_RESCREEN_MS = 60_000;
/** The longest wait between two attempts. */
export const MAX_RESCREEN_BACKOFF_MS = 3_600_000;
/** How long after the verdict re-screens are tried. */
export const RESCREEN_WINDOW_MS = 24 * 3_600_000;

/** Most re-screens one run attempts (each may call Defastra twice). */
export const RESCREEN_RUN_SIZE = 50;

/** When the first attempt of a verdict created at `createdMs` is due. */
export const firstRescreenAt = (createdMs: number): number => createdMs + FIRST_RESCREEN_MS;

/**
 * When the attempt after `attempts` failed ones is due (attempts >= 1), or null when that would fall past the window
 * (the re-screen gives up).
 */
export const nextRescreenAt = (createdMs: number, attempts: number, nowMs: number): number | null => {
  const wait = Math.min(FIRST_RESCREEN_MS * 2 ** Math.max(attempts, 0), MAX_RESCREEN_BACKOFF_MS);
  const next = nowMs + wait;
  return next > createdMs + RESCREEN_WINDOW_MS ? null : next;
};

/** Epoch seconds after which a pending item may be deleted by the store (well after the window ends). */
export const rescreenExpiresAt = (createdMs: number): number =>
  Math.ceil((createdMs + RESCREEN_WINDOW_MS) / 1000) + 3_600;
