/** Short confirmations and errors, announced politely to screen readers, gone after a few seconds. */
import type { Tone } from '../context.js';

export interface Toast {
  id: number;
  text: string;
  tone: Tone;
}

export const Toasts = ({ toasts, onDismiss }: { toasts: Toast[]; onDismiss: (id: number) => void }) => (
  <div class="toasts" role="status" aria-live="polite">
    {toasts.map((toast) => (
      <p key={toast.id} class={`toast toast-${toast.tone}`}>
        <span>{toast.text}</span>
        <button type="button" class="toast-close" aria-label="Dismiss" onClick={() => onDismiss(toast.id)}>
          ×
        </button>
      </p>
    ))}
  </div>
);
