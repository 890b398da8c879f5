// What the end-to-end suite puts on the window of the pages it drives, for its in-page functions
// to read back.
interface Window {
  /** The page's errors, collected since its load (e2e/driver/in-page.mjs). */
  __k12xErrors?: string[];
  /** What the widget of a tab did since it was watched (e2e/tabs.test.mjs). */
  __k12xTab?: { sent: { path: string; at: number }[]; downloads: number };
  /** Whether the page was put in the background by the suite, which throttles its timers (e2e/lib.mjs). */
  __k12xBackground?: { hidden: boolean };
  /** axe-core, once the suite added it (Chromium). */
  axe?: typeof import('axe-core');
  /** A page of the site forging the widget's messages: what it heard, its channel, its timer. */
  k12xHeard?: string[];
  k12xChannel?: BroadcastChannel;
  k12xForge?: number;
  /** Set by a script link, were one followed. */
  k12xPwned?: number;
}
