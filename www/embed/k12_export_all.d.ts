// The runtime with every backend and the export history panel (see k12_export.d.ts).
export { default, mount, halt } from './k12_export.js';
export type { RuntimeHandle } from './k12_export.js';

/** An export history panel mounted by the runtime (src/embed.rs `HistoryHandle`). */
export interface RuntimeHistoryHandle {
  update(options: object): void;
  refresh(): void;
  destroy(): void;
  readonly mounted: boolean;
}

/** Mounts an export history panel into `element`; throws on bad options. */
export function mountHistory(element: Element, options: object): RuntimeHistoryHandle;
