/** The keyboard shortcuts, in a modal dialog that `?` opens and Escape closes. */
import { useEffect, useRef } from 'preact/hooks';

type Group = { title: string; keys: Array<[string[], string]> };

/** `views` are the navigation's entries: `g` then their key opens them. */
const groups = (views: Array<{ key: string; label: string }>): Group[] => [
  {
    title: 'Everywhere',
    keys: [
      ...views.map((v): [string[], string] => [['g', v.key], v.label]),
      [['u'], 'Undo the review decision just made (for a few seconds)'],
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

export const ShortcutHelp = ({
  open,
  onClose,
  views,
}: {
  open: boolean;
  onClose: () => void;
  views: Array<{ key: string; label: string }>;
}) => {
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
      {groups(views).map((group) => (
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
