/**
 * The console's views in navigation order: a new view is a name in router.ts's VIEWS plus an entry here
 * (the type insists on one per name), and the shell gives it a nav link, a title, a `g <key>` shortcut,
 * the help dialog's line, and a fresh mount on each visit.
 */
import type { ComponentChildren } from 'preact';
import type { Route, ViewName } from '../router.js';
import { VIEWS } from '../router.js';
import { ListsView } from './lists.js';
import { OverviewView } from './overview.js';
import { PolicyView } from './policy.js';
import { QueueView } from './queue.js';
import { VerdictsView } from './verdicts.js';
import { WhatIfView } from './what-if.js';

export interface ViewProps {
  route: Route;
  openHelp: () => void;
}

export interface ViewEntry {
  view: ViewName;
  /** In the navigation. */
  label: string;
  /** The page heading and the window title. */
  title: string;
  /** `g` then this key opens the view. */
  key: string;
  /** Split panes that scroll on their own (the main area then does not scroll on wide screens). */
  panes?: boolean;
  render: (props: ViewProps) => ComponentChildren;
}

const ENTRIES: Record<ViewName, Omit<ViewEntry, 'view'>> = {
  queue: {
    label: 'Review queue',
    title: 'Review queue',
    key: 'q',
    panes: true,
    render: ({ openHelp }) => <QueueView onHelp={openHelp} />,
  },
  verdicts: {
    label: 'Verdicts',
    title: 'Verdicts',
    key: 'v',
    panes: true,
    render: ({ route }) => <VerdictsView selectedId={route.id} />,
  },
  overview: { label: 'Overview', title: 'Overview', key: 'o', render: () => <OverviewView /> },
  lists: { label: 'Lists', title: 'Allow and block lists', key: 'l', render: () => <ListsView /> },
  policy: {
    label: 'Policy',
    title: 'Policy: versions, diff, rollback',
    key: 'p',
    render: () => <PolicyView />,
  },
  'what-if': {
    label: 'What-if',
    title: 'What-if: replay a candidate policy',
    key: 'w',
    render: () => <WhatIfView />,
  },
};

export const NAV: ViewEntry[] = VIEWS.map((view) => ({ view, ...ENTRIES[view] }));

export const entryOf = (view: ViewName): ViewEntry => NAV.find((n) => n.view === view) ?? NAV[0]!;
