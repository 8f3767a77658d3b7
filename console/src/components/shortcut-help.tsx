/** The keyboard shortcuts, in a modal dialog that `?` opens and Escape closes. */
import { useEffect, useRef } from 'preact/hooks';

const GROUPS: Array<{ title: string; keys: Array<[string[], string]> }> = [
  {
    title: 'Everywhere',
    keys: [
      [['g', 'q'], 'Review queue'],
      [['g', 'v'], 'Verdicts'],
      [['g', 'o'], 'Overview'],
      [['g', 'l'], 'Lists'],
      [['g', 'w'], 'What-if'],
      [['?'], 'This help'],
    ],
  },
  {
    title: 'Review queue',
    keys: [
      [['j'], 'Next verdict (also ↓)'],
      [['k'], 'Previous verdict (also ↑)'],
      [['a'], 'Approve'],
      [['r'], 'Reject'],
      [['n'], 'Write a note (Escape leaves the note)'],
      [['l'], 'Toggle “add to list”'],
    ],
  },
];

export const ShortcutHelp = ({ open, onClose }: { open: boolean; onClose: () => void }) => {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={dialog} class="help" aria-labelledby="help-title" onClose={onClose}>
      <h2 id="help-title">Keyboard shortcuts</h2>
      {GROUPS.map((group) => (
        <section key={group.title}>
          <h3>{group.title}</h3>
          <dl class="keys">
            {group.keys.map(([keys, what]) => (
              <div key={what} class="key-row">
                <dt>
                  {keys.map((k, i) => (
                    <span key={k}>
                      {i > 0 && <span class="muted"> then </span>}
                      <kbd>{k}</kbd>
                    </span>
                  ))}
                </dt>
                <dd>{what}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
      <p class="muted small">Shortcuts are off while you type in a field.</p>
      <form method="dialog">
        <button type="submit" class="btn btn-primary">
          Close
        </button>
      </form>
    </dialog>
  );
};
