// Types of `k12-export`: the options of a button and of a history panel (one interface per
// backend, `protocol` telling them apart), the handles `mount()` and `mountHistory()` resolve to,
// the `export-*` events and the two elements. The option names are checked against the Rust
// option lists (packages/k12-export/options.json, scripts/tests/package.test.mjs): a misspelled
// option is a type error here as it is an error in the widget.

/** A JSON value, as options and export data are read (member by member, own keys only). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The backends a button speaks (`protocol`); `"k12"` is the default. */
export type Protocol = 'k12' | 'export-service' | 'xlink' | 'minapp' | 'asset';

// ---- events ----------------------------------------------------------------------------------

/** `export-done`: the file is ready (and downloading, where the browser can). */
export interface ExportDoneDetail {
  /** The file's address, absolute (a link given relative to the page is resolved against it). */
  url: string | null;
  /** The file's name as saved. */
  filename: string;
}

/** Why an export failed. `"unavailable"`: the widget itself could not run (see `cause`). */
export type ExportErrorKind =
  | 'server'
  | 'http'
  | 'network'
  | 'bad-response'
  | 'unsafe-url'
  | 'timed-out'
  | 'rejected'
  | 'unavailable';

/** Why the widget could not run: a Content-Security-Policy without `'wasm-unsafe-eval'`, a file that did not load, no WebAssembly; or could not any more: its runtime crashed (a bug), and the loader stopped it. */
export type UnavailableCause = 'csp' | 'load' | 'unsupported' | 'crashed';

/** `export-error`: the export failed; the toast says the same. */
export interface ExportErrorDetail {
  kind: ExportErrorKind;
  /** The reason, as the toast shows it (the server's own message when it gave one). */
  message: string;
  /** The HTTP status, when the failure came with one. */
  status: number | null;
  /** With `kind: "unavailable"` only: what kept the widget from running. */
  cause?: UnavailableCause;
}

/** `export-cancel`: the export was stopped by the user ("取消导出") or cancelled by the server. */
export interface ExportCancelDetail {
  by: 'user' | 'server';
  /** The server's reason (`by: "server"`), else null. */
  message: string | null;
}

/**
 * The events both elements dispatch (bubbling; `mount()` dispatches them on the element it
 * creates), each with the `detail` its callback receives.
 */
export interface K12ExportEventMap {
  /** An export started. */
  'export-start': CustomEvent<null>;
  /** The percent done, or null while the backend gives no numbers. */
  'export-progress': CustomEvent<number | null>;
  'export-done': CustomEvent<ExportDoneDetail>;
  'export-error': CustomEvent<ExportErrorDetail>;
  'export-cancel': CustomEvent<ExportCancelDetail>;
  /** The element's attributes are not valid options: the message names the field. */
  'export-config-error': CustomEvent<string>;
}

// ---- options ---------------------------------------------------------------------------------

/** What every button and panel accepts, whatever its backend. */
export interface CommonOptions {
  /** The export data: fills `{key}` in `filename` (and K12's URLs); the rest goes in the query or body. */
  data?: { [key: string]: JsonValue };
  /** The file's name until the server names it; `{key}` is filled from `data`, e.g. `"K12作业统计-{termName}"`. */
  filename?: string;
  /** The whole export's deadline, 1000–86400000 ms (default 15 minutes). */
  timeoutMs?: number;
  /** Each request's timeout, 100–600000 ms (default 30000). */
  requestTimeoutMs?: number;
  /** A fixed polling interval, 100–600000 ms, instead of the adaptive one. */
  pollIntervalMs?: number;
  /** Retries of a request that failed transiently, 0–20 (default 3). */
  retries?: number;

  /** The button's text (default "导出" / "Export"). */
  label?: string;
  /** `"zh-CN"` (default) or `"en"`: the language of the widget's texts. */
  lang?: string;
  /** A disabled button starts nothing. */
  disabled?: boolean;
  /** The history panel's heading. */
  heading?: string;
  /** While the tab is hidden, the page title shows the export ("37% 导出中 – …"); default false. */
  titleProgress?: boolean;
  /** A desktop notification when an export ends in a hidden tab (asked from the click); default false. */
  notify?: boolean;
  /** `true`: the browser cannot download (WeChat, WeCom, DingTalk): offer the link instead; default from the user agent. */
  inApp?: boolean;
  /** One export across the site's tabs (same protocol, endpoints and data); default true. */
  share?: boolean;
  /** History panel: how many exports to show, 1–100 (default 20). */
  historyLimit?: number;
  /** History panel: the first automatic refresh while a job runs, 100–600000 ms (default 2000). */
  historyRefreshMs?: number;

  /** An export started (after `export-start`). */
  onstart?: () => void;
  /** The percent done, or null while the backend gives no numbers. */
  onprogress?: (percent: number | null) => void;
  ondone?: (detail: ExportDoneDetail) => void;
  onerror?: (detail: ExportErrorDetail) => void;
  oncancel?: (detail: ExportCancelDetail) => void;
}

/** Where a backend other than K12 lives. */
export interface BaseUrlOptions {
  /** `http(s)://host[:port][/prefix]` or a path prefix `/prefix`; default the page's own origin. */
  baseUrl?: string;
  /** Query parameters added to every request. */
  query?: { [name: string]: string | number | boolean };
}

/** An HTTP method, as the K12 cache config writes it. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'get' | 'post' | 'put' | 'delete';

/** One endpoint of the K12 cache config, as the K12 pages write it. */
export interface K12Endpoint {
  /** Default `GET`. */
  method?: HttpMethod;
  /** Absolute or relative to the page; with `rest`, `{name}` is filled from `data`. */
  url: string;
  /** Fill `{name}` path parameters from the data. */
  rest?: boolean;
  /** The old framework's flag to hide its loading mask (no effect here). */
  isPolling?: boolean;
}

/** The K12 `$export` cache: a start/URL endpoint and a progress endpoint (`protocol` `"k12"`, the default). */
export interface K12Options extends CommonOptions {
  protocol?: 'k12';
  /** The cache config map, exactly as the K12 pages write it. */
  config: { [key: string]: K12Endpoint };
  /** The start/URL endpoint's key; optional when `config` is one `x` and one `x-progress` entry. */
  start?: string;
  /** The progress endpoint's key (see `start`). */
  progress?: string;
}

/** The export service: a job from a paged HTTP source or from rows, polled by key. */
export interface ExportServiceOptions extends CommonOptions, BaseUrlOptions {
  protocol: 'export-service';
  /** The job's title; also the file's name when `filename` is not given. */
  title: string;
  /** The exporter (`user_id`). */
  userId: string | number;
  /** The paged source the service crawls (exactly one of `sourceHttp` and `sourceRaw`). */
  sourceHttp?: {
    /** Absolute http(s). */
    url: string;
    /** Default `GET`. */
    method?: 'GET' | 'POST';
    /** Default `{}`. */
    header?: { [name: string]: string };
    /** Rows per page, 1–10000 (default 20). */
    limit?: number;
  };
  /** The rows themselves, the first being the header row (exactly one of `sourceHttp` and `sourceRaw`). */
  sourceRaw?: { [column: string]: JsonValue }[];
  /** Default `"XLSX"`. */
  extType?: 'XLSX' | 'CSV' | 'xlsx' | 'csv';
  /** The service's result callback URL (default `""`). */
  callback?: string;
  /** Seconds, sent as the job's time when given. */
  timestamp?: number;
}

/** XLink IoT cloud: a CSV export task, fetched through a signed link. */
export interface XLinkOptions extends CommonOptions, BaseUrlOptions {
  protocol: 'xlink';
  /** Sent as `Access-Token` on every request. */
  accessToken: string;
  /** The task's name; also the file's name when `filename` is not given. */
  name: string;
  /** Default `""`. */
  describe?: string;
  /** The task type, 1–10 (1 设备列表, 2 用户列表, … 10 推送历史列表). */
  type: 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;
  /** Default `{}`. */
  params?: {
    /** Field names. */
    filter?: string[];
    /** Conditions. */
    query?: { [field: string]: JsonValue };
    order?: { [field: string]: 'asc' | 'desc' };
  };
  extend?: { [key: string]: JsonValue };
}

/** MinApp: a table export job. */
export interface MinAppOptions extends CommonOptions, BaseUrlOptions {
  protocol: 'minapp';
  /** The table: a positive integer or an id string. */
  tableId: number | string;
  /** Default `"csv"`. */
  fileType?: 'csv' | 'json' | 'xlsx';
  /** Default `"all"`. */
  mode?: 'all' | 'part';
  where?: { [field: string]: JsonValue };
  includeKeys?: string[];
  excludeKeys?: string[];
  orderBy?: string[];
  csvCustomizeHeaders?: string[];
  timestampConvertKeys?: string[];
}

/** The asset system: an export task whose records become a CSV in the page. */
export interface AssetOptions extends CommonOptions, BaseUrlOptions {
  protocol: 'asset';
  /** The session id in every path. */
  session: string;
  /** A non-empty array of positive integers, at most 100,000. */
  assetIds: number[];
}

/** A button's options: one member per backend, told apart by `protocol`. */
export type ExportOptions = K12Options | ExportServiceOptions | XLinkOptions | MinAppOptions | AssetOptions;

/** The history panel's options: the button's, with only what the list needs required. */
export type HistoryOptions =
  | (Partial<ExportServiceOptions> & Pick<ExportServiceOptions, 'protocol' | 'userId'>)
  | (Partial<XLinkOptions> & Pick<XLinkOptions, 'protocol' | 'accessToken'>)
  | (Partial<MinAppOptions> & Pick<MinAppOptions, 'protocol' | 'tableId'>)
  | (Partial<AssetOptions> & Pick<AssetOptions, 'protocol' | 'session'>);

// ---- handles and functions -------------------------------------------------------------------

/** A mounted button. */
export interface ExportHandle {
  /** Replaces the options (a running export stops if what it exports changed); throws on bad options. Not across runtimes: K12 ↔ another protocol needs destroy() and mount(). */
  update(options: ExportOptions): void;
  /** Starts an export, as a click would. */
  start(): void;
  /** Stops any export, removes the button and every listener. Safe to call twice. */
  destroy(): void;
  /** True until destroy(). */
  readonly mounted: boolean;
  /** Set when the runtime could not load: the button explains on click. */
  readonly error?: Error & { cause: UnavailableCause };
}

/** A mounted export history panel. */
export interface HistoryHandle {
  /** Replaces the options; throws on bad options. */
  update(options: HistoryOptions): void;
  /** Loads the list again (e.g. after an export started). */
  refresh(): void;
  /** Stops any request and timer and removes the panel. */
  destroy(): void;
  readonly mounted: boolean;
}

/**
 * Mounts a button into `element` (its children are replaced): the idle button at once, the
 * widget when its runtime has loaded. Rejects on bad options with an `Error` naming the field.
 */
export function mount(element: Element, options: ExportOptions): Promise<ExportHandle>;

/** Mounts an export history panel into `element` (a protocol with a list of recent exports). */
export function mountHistory(element: Element, options: HistoryOptions): Promise<HistoryHandle>;

/** The K12 runtime once loaded (the wasm-bindgen module). */
export interface K12Runtime {
  /** Mounts a button at once, without the idle placeholder; throws on bad options. */
  mount(element: Element, options: K12Options): Omit<ExportHandle, 'error'>;
}

/**
 * The K12 runtime as a promise that starts loading it when first used (`await ready`,
 * `ready.then(…)`): importing the package loads nothing. Rejects when the runtime cannot run.
 */
export interface Ready extends PromiseLike<K12Runtime> {
  catch<E = never>(onrejected?: ((reason: unknown) => E | PromiseLike<E>) | null): Promise<K12Runtime | E>;
  finally(onfinally?: (() => void) | null): Promise<K12Runtime>;
}
export const ready: Ready;

/** The package's version (one for the npm package, the crates and this export). */
export const version: string;

// ---- the elements ----------------------------------------------------------------------------

/** `<k12-export-button>`'s attributes (their values are text: JSON for `config`, `data` and `options`). */
export interface K12ExportButtonAttributes {
  /** The K12 cache config, JSON. */
  config?: string;
  /** The export data, JSON. */
  data?: string;
  /** Any other options, JSON (`{"protocol": "minapp", "tableId": 1, "titleProgress": true}`). */
  options?: string;
  protocol?: Protocol;
  start?: string;
  progress?: string;
  filename?: string;
  label?: string;
  lang?: string;
  /** Present (and not `"false"`): disabled. */
  disabled?: boolean;
  'timeout-ms'?: number | string;
  'request-timeout-ms'?: number | string;
  'poll-interval-ms'?: number | string;
  retries?: number | string;
  /** `"false"` exports without sharing the job with other tabs. */
  share?: 'true' | 'false';
}

/** `<k12-export-history>`'s attributes. */
export interface K12ExportHistoryAttributes {
  /** The panel's options, JSON (as the button's: `protocol` and what the list needs). */
  options?: string;
  lang?: string;
  heading?: string;
}

/**
 * `<k12-export-button>`: changing an attribute updates the button, removing the element destroys
 * it (stopping any export).
 */
export interface K12ExportButtonElement extends HTMLElement {
  /** The mounted handle once the runtime has taken over, else null. */
  readonly handle: ExportHandle | null;
  /** Starts an export, as a click would. */
  start(): void;
}

/** `<k12-export-history>`: the export history panel. */
export interface K12ExportHistoryElement extends HTMLElement {
  /** Loads the list again. */
  refresh(): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'k12-export-button': K12ExportButtonElement;
    'k12-export-history': K12ExportHistoryElement;
  }
  // The `export-*` events on any element (they bubble to the page's own).
  interface HTMLElementEventMap extends K12ExportEventMap {}
}
