// The runtime with every backend and the export history panel (see runtime_k12.d.ts).
export { default, mount, halt, soon } from './runtime_k12.js';
export type { RuntimeHandle } from './runtime_k12.js';

/** An export history panel mounted by the runtime (src/embed.rs `HistoryHandle`). */
export interface RuntimeHistoryHandle {
  update(options: object): void;
  refresh(): void;
  destroy(): void;
  readonly mounted: boolean;
}

/** Mounts an export history panel into `element`; throws on bad options. */
export function mountHistory(element: Element, options: object): RuntimeHistoryHandle;

