// JSX for React 19: `import type {} from 'k12-export/react'` once (a .d.ts or any module of the
// app) types <k12-export-button> and <k12-export-history>, their attributes and their events.
// React 19 sets the attributes and adds a listener for each `onexport-…` prop (the event's own
// name after "on").
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type {
  K12ExportButtonAttributes,
  K12ExportButtonElement,
  K12ExportEventMap,
  K12ExportHistoryAttributes,
  K12ExportHistoryElement,
} from './k12-export.js';

/** `onexport-done={(e) => e.detail.filename}` and the other events, typed. */
export type K12ExportReactEvents = {
  [K in keyof K12ExportEventMap as `on${K}`]?: (event: K12ExportEventMap[K]) => void;
};

type Props<E, A> = Omit<DetailedHTMLProps<HTMLAttributes<E>, E>, keyof A> & A & K12ExportReactEvents;

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'k12-export-button': Props<K12ExportButtonElement, K12ExportButtonAttributes>;
      'k12-export-history': Props<K12ExportHistoryElement, K12ExportHistoryAttributes>;
    }
  }
}
