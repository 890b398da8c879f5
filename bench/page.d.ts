// What the bench's pages have on their window, for the functions the benchmarks run there (with
// e2e/page.d.ts: the widget's embedding API).

/** One `fetch` of the page, as bench/browser/lib.mjs's page log records it (epoch ms). */
interface BenchFetch {
  path: string;
  query: string;
  method: string;
  sent: number;
  settled: number | null;
  result: 'pending' | 'answered' | 'aborted' | 'error';
  status: number | null;
  abortedAt: number | null;
}

/** The page log (bench/browser/lib.mjs, `pageLog`). */
interface BenchLog {
  page: string;
  fetches: BenchFetch[];
  clicks: { t: number; target: string; trusted: boolean }[];
  events: { type: string; t: number }[];
}

interface Window {
  /** The page log, and the page's own fetch (for requests the log must not see). */
  __benchLog?: BenchLog;
  __benchFetch?: typeof fetch;
  /** startup.mjs: when the page was interactive, the clicks made, when one started an export (ms since navigation). */
  __interactiveAt?: number;
  __clicks?: number;
  __clickWorkedAt?: number;
  /** cost.mjs: the hosts of the buttons and their handles. */
  __hosts?: HTMLElement[];
  __handles?: K12xHandle[];
}
