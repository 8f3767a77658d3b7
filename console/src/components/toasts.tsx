/**
 * The status line: short confirmations and errors in the top bar (never over the page's buttons), announced
 * politely to screen readers, gone after a few seconds or on the next view. A toast may carry one action (Undo).
 */
import type { ToastAction, Tone } from '../context.js';

export interface Toast {
  id: number;
  text: string;
  tone: Tone;
  action?: ToastAction | undefined;
}

export const Toasts = ({ toasts, onDismiss }: { toasts: Toast[]; onDismiss: (id: number) => void }) => (
  <div class="toasts" role="status" aria-live="polite">
    {toasts.map((toast) => (
      <p key={toast.id} class={`toast toast-${toast.tone}`}>
        <span class="toast-text">{toast.text}</span>
        {toast.action && (
          <button type="button" class="toast-action" onClick={toast.action.run}>
            {toast.action.label}
            {toast.action.key && <kbd>{toast.action.key}</kbd>}
          </button>
        )}
        <button type="button" class="toast-close" aria-label="Dismiss" onClick={() => onDismiss(toast.id)}>
          ×
        </button>
      </p>
    ))}
  </div>
);
