// The K12 runtime's glue (wasm-bindgen, built by scripts/build.sh beside the loader) as the loader
// uses it. runtime_all.d.ts is the runtime with every backend and the history panel.

/** Instantiates the wasm: the loader passes the fetched response or its bytes. */
export default function init(options: { module_or_path: Response | ArrayBuffer }): Promise<unknown>;

/** A button mounted by the runtime (src/embed.rs `Handle`). */
export interface RuntimeHandle {
  update(options: object): void;
  start(): void;
  destroy(): void;
  readonly mounted: boolean;
}

/** Mounts a button into `element` (src/embed.rs `mount`); throws on bad options. */
export function mount(element: Element, options: object): RuntimeHandle;

/** Stops every export of the runtime for good (src/embed.rs `halt`): after it trapped. */
export function halt(): void;

/**
 * The page's clock (src/driver/page.js, shared by every runtime and copy on the page): calls `f`
 * at once while the task has room for it, else in the clock's next turn.
 */
export function soon(f: () => void): void;
