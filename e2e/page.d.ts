// What the pages the end-to-end suite drives have on their window, for its in-page functions: the
// embedding API as the tests call it, and what the tests put there to read back.

/** A mounted widget (www/embed/k12-export.js: mount()'s handle). */
interface K12xHandle {
  /** Starts an export, as a click does. */
  start(): void;
  update(options: unknown): void;
  destroy(): void;
  readonly mounted: boolean;
}

/** The loader's module as the tests import it in the page (`/embed/k12-export.js`). */
interface K12xEmbed {
  mount(host: Element | null, options: unknown): Promise<K12xHandle>;
}

/** `<k12-export-button>` and `<k12-export-history>`: their handle on the widget, once mounted. */
interface K12xElement extends HTMLElement {
  handle?: K12xHandle;
}

interface Window {
  /** The page's errors, collected since its load (e2e/driver/in-page.mjs). */
  __k12xErrors?: string[];
  /** Whether the page was put in the background by the suite, which throttles its timers (e2e/lib.mjs). */
  __k12xBackground?: { hidden: boolean };
  /** axe-core, once the suite added it (Chromium). */
  axe?: typeof import('axe-core');
  /** The button www/examples/stage-test.html mounts. */
  exportHandle?: K12xHandle;

  /** crash.mjs: the export-error events of the page's buttons, by the button's id. */
  crashEvents?: [string, unknown][];
  /** embed.test.mjs: the embedding API, a host element and the config, for each test's page side. */
  t?: { mount: K12xEmbed['mount']; host: HTMLElement; CONFIG: unknown };
  /** export.test.mjs: the longest gap between ticks of a 16 ms interval, while it runs. */
  gaps?: { last: number; max: number; timer?: number };
  /** scale.test.mjs: what the widgets hold (channels made, window and document listeners by kind, timers pending), the buttons mounted. */
  k12xHeld?: { channels: number; listeners: Record<string, number>; timers: Map<number, string> };
  k12xHandles?: K12xHandle[];
  /** scale.test.mjs: the page's own mounting and reading of what it holds. */
  k12xScale?: { mountAndStart(a: { n: number, config: unknown, prefix: string, from: number }): Promise<void>; held(): { channels: number; listeners: Record<string, number>; timers: string[]; clock: { largestBatch: number, batch: number, wakeUps: number, timers: number } | undefined; exporting: number } };
  /** waiting.test.mjs: the widget's events seen, the notification permission asked, a mark of the document. */
  k12xEvents?: { name: string; detail: unknown }[];
  k12xAsked?: number;
  k12xMarker?: string;
  /** host.test.mjs: what happened in the page from its start (its /watch.js), and what its own script left. */
  __seen?: {
    violations: string[];
    errors: { kind?: string; cause?: string }[];
    console: string[];
    done: string[];
    firstFrame?: { w: number } | null;
    mounted?: string;
    stringified?: string;
  };
  __handle?: K12xHandle;
  /** host.test.mjs: the layout shifts seen until the export was done (Chromium). */
  __shifts?: string[];
  __shiftsDone?: boolean;
  /** history-element.test.mjs: whether the panel was not drawn yet when the options changed. */
  whileLoading?: boolean;
  /** touch.test.mjs: the pointer types of the pointerdown events seen. */
  __pointers?: string[];
  /** backends.test.mjs, waiting.test.mjs: what the page's stand-in clipboard was given. */
  k12xCopied?: string;
  /** tabs.test.mjs: what the widget of a tab did since it was watched. */
  __k12xTab?: { sent: { path: string; at: number }[]; downloads: number };
  /** tabs.test.mjs: a page of the site forging the widget's messages: what it heard, its channel, its timer. */
  k12xHeard?: string[];
  k12xChannel?: BroadcastChannel;
  k12xForge?: number;
  /** tabs.test.mjs: set by a script link, were one followed. */
  k12xPwned?: number;
}
