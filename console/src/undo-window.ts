/** How long a review decision can be taken back before the console sends it (no DOM here: tests read it too). */
export const UNDO_MS = 5000;
