/** Keyboard shortcuts: one listener per view, silent while the analyst types in a field. */
import { useEffect, useRef } from 'preact/hooks';

/** True when the key press belongs to a text field, a select or a button's own handling. */
export const isTypingTarget = (target: EventTarget | null): boolean => {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'file'].includes(target.type);
  }
  return false;
};

/**
 * Calls `handlers[key]` for plain key presses (no Ctrl, Alt or Meta) outside text fields, while the component
 * is mounted. A handler returning `false` lets the key through. The shell listens in the capture phase, so
 * its `g` sequences win over a view's single keys.
 */
export const useShortcuts = (
  handlers: Record<string, () => unknown>,
  options: { capture?: boolean } = {},
): void => {
  const capture = options.capture ?? false;
  const current = useRef(handlers);
  current.current = handlers;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTypingTarget(event.target)) return;
      if (document.querySelector('dialog[open]')) return;
      const handler = current.current[event.key];
      if (handler && handler() !== false) event.preventDefault();
    };
    window.addEventListener('keydown', onKey, { capture });
    return () => window.removeEventListener('keydown', onKey, { capture });
  }, [capture]);
};
