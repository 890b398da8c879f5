// The export runner shared by both peer baselines (vanilla JS and React + antd): the behaviour of a
// conventional K12 export button, so that the peers differ from each other only in their UI stack.
//
//   click → GET start endpoint (a URL in the answer downloads at once)
//         → every 1 s: GET progress endpoint; percent = loaded / total
//         → once loaded >= total: GET start endpoint again for the URL, until it is there
//         → download with <a href download>; "导出失败" on any error; stop on pagehide.
//
// Options are the widget's: { config, data, filename, label } with the seed's cache config map
// ({ 'x': {method, url, rest}, 'x-progress': {…} }); `{name}` in a URL comes from `data`, the
// rest of `data` goes in the query string. No retries, no deadline: a conventional button.

export const POLL_MS = 1000;

/** One endpoint of the config map. @typedef {{ method?: string, url: string, rest?: boolean, isPolling?: boolean }} Endpoint */
/** Request data: path parameters and query. @typedef {Record<string, unknown>} Data */
/**
 * A peer button's options (the widget's).
 * @typedef {{ config: Record<string, Endpoint>, data?: Data, filename?: string, label?: string }} Options
 */
/** @typedef {{ status: 'idle' | 'exporting' | 'done' | 'failed', percent: number | null, filename: string }} State */
/** @typedef {{ kind: string, message: string, status: number | null }} Failure */
/**
 * What a listener hears with a state change.
 * @typedef {['export-start'] | ['export-progress', number] | ['export-done', { url: string, filename: string }] | ['export-error', Failure] | null} ExportEvent
 */

/**
 * The start and progress entries of a config map: the pair `x` / `x-progress` (or `x-process`).
 * @param {Record<string, Endpoint> | undefined} config
 */
export function endpoints(config) {
  const keys = Object.keys(config || {});
  for (const a of keys) {
    for (const b of keys) {
      if (config && (b === `${a}-progress` || b === `${a}-process`)) return { start: config[a], progress: config[b] };
    }
  }
  throw new Error('k12-peer: options.config needs an "x" and an "x-progress" entry');
}

/**
 * The request URL for one endpoint: path parameters filled, the rest of `data` in the query.
 * @param {Endpoint} endpoint
 * @param {Data} [data]
 */
export function requestUrl(endpoint, data = {}) {
  const used = new Set();
  const path = endpoint.url.replace(/\{(\w+)\}/g, (_, /** @type {string} */ name) => {
    used.add(name);
    return encodeURIComponent(String(data[name]));
  });
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(data)) {
    if (!used.has(k) && v !== null && v !== undefined) query.append(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  const q = query.toString();
  return q ? `${path}${path.includes('?') ? '&' : '?'}${q}` : path;
}

/**
 * `{termName}` in the filename template, filled from `data`.
 * @param {string | undefined} template
 * @param {Data} [data]
 */
export const fill = (template, data = {}) => String(template || '').replace(/\{(\w+)\}/g, (_, /** @type {string} */ k) => String(data[k] ?? ''));

/**
 * Starts a download of `url` as `filename`.
 * @param {string} url
 * @param {string} filename
 */
export function download(url, filename) {
  const a = document.createElement('a');
  a.href = url;
  a.download = filename || '';
  a.rel = 'noopener';
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
}

class Failed extends Error {
  /** @param {string} kind @param {string} message @param {number | null} [status] */
  constructor(kind, message, status = null) {
    super(message);
    this.kind = kind;
    this.status = status;
  }
}

/** @param {unknown} e */
const aborted = (e) => e instanceof DOMException && e.name === 'AbortError';

/**
 * What a conventional button reads of a K12 answer's `result`.
 * @typedef {{ url?: string, filename?: string, loaded?: unknown, total?: unknown, extra?: { filename?: string } } | null} Result
 */

/**
 * The `result` of a K12 answer (`{ code, message, result }`).
 * @param {string} url
 * @param {AbortSignal} signal
 * @returns {Promise<Result>}
 */
async function getResult(url, signal) {
  let r;
  try {
    r = await fetch(url, { signal, credentials: 'same-origin' });
  } catch (e) {
    if (aborted(e)) throw e;
    throw new Failed('network', '网络异常，请检查网络后重试');
  }
  if (!r.ok) throw new Failed('http', `服务器错误（HTTP ${r.status}）`, r.status);
  let body;
  try {
    body = await r.json();
  } catch (e) {
    if (aborted(e)) throw e;
    throw new Failed('bad-response', '服务器返回了无法识别的数据');
  }
  const code = body && body.code;
  if (code !== undefined && code !== null && Number(code) !== 0 && Number(code) !== 200) {
    throw new Failed('server', (body && body.message) || '服务器处理出错，请稍后重试');
  }
  return body ? /** @type {Result} */ (body.result) : null;
}

/**
 * One button's exports. `listener(state, event)` hears every change: state is
 * `{status: 'idle'|'exporting'|'done'|'failed', percent, filename}`, event one of
 * `['export-start']`, `['export-progress', percent]`, `['export-done', {url, filename}]`,
 * `['export-error', {kind, message, status}]` or null.
 */
export class Exporter {
  /** @type {Options} */
  #options;
  /** @type {(state: State, event: ExportEvent) => void} */
  #listener;
  /** @type {{ controller: AbortController, timer: ReturnType<typeof setTimeout> | 0 } | null} */
  #job = null;
  /** @type {State} */
  state = { status: 'idle', percent: null, filename: '' };

  /**
   * @param {Options} options
   * @param {(state: State, event: ExportEvent) => void} listener
   */
  constructor(options, listener) {
    this.#options = options;
    this.#listener = listener;
    this.onPageHide = () => this.stop();
    window.addEventListener('pagehide', this.onPageHide);
  }

  /** New options; a running export stops if its data changed. @param {Options} options */
  setOptions(options) {
    const changed = JSON.stringify(options.data) !== JSON.stringify(this.#options.data)
      || JSON.stringify(options.config) !== JSON.stringify(this.#options.config);
    this.#options = options;
    if (changed && this.#job) this.stop();
  }

  /** @param {Partial<State>} patch @param {ExportEvent} [event] */
  #set(patch, event = null) {
    this.state = { ...this.state, ...patch };
    this.#listener(this.state, event);
  }

  start() {
    if (this.#job) return;
    const { config, data = {}, filename } = this.#options;
    const { start, progress } = endpoints(config);
    const startUrl = requestUrl(start, data);
    const progressUrl = requestUrl(progress, data);
    /** @type {{ controller: AbortController, timer: ReturnType<typeof setTimeout> | 0 }} */
    const job = { controller: new AbortController(), timer: 0 };
    this.#job = job;
    let name = fill(filename, data);
    const live = () => this.#job === job;
    /** @param {string} url @param {string | undefined} serverName */
    const finish = (url, serverName) => {
      this.#end();
      const file = { url, filename: serverName || name };
      download(url, file.filename);
      this.#set({ status: 'done', percent: 100 }, ['export-done', file]);
    };
    /** @param {unknown} e */
    const fail = (e) => {
      if (aborted(e) || !live()) return;
      this.#end();
      const detail = e instanceof Failed ? { kind: e.kind, message: e.message, status: e.status } : { kind: 'network', message: String(e instanceof Error ? e.message : e), status: null };
      this.#set({ status: 'failed' }, ['export-error', detail]);
    };
    const tick = async () => {
      try {
        const p = await getResult(progressUrl, job.controller.signal);
        if (!live()) return;
        const extraName = p && p.extra && p.extra.filename;
        if (extraName) name = extraName;
        const loaded = Number(p && p.loaded);
        const total = Number(p && p.total);
        if (total > 0 && loaded >= 0) {
          const percent = Math.min(100, Math.floor((loaded * 100) / total));
          if (percent !== this.state.percent) this.#set({ percent, filename: name }, ['export-progress', percent]);
        }
        if (total > 0 && loaded >= total) {
          const u = await getResult(startUrl, job.controller.signal);
          if (!live()) return;
          if (u && u.url) return finish(u.url, u.filename);
        }
        job.timer = setTimeout(tick, POLL_MS);
      } catch (e) {
        fail(e);
      }
    };
    this.#set({ status: 'exporting', percent: null, filename: name }, ['export-start']);
    getResult(startUrl, job.controller.signal).then((r) => {
      if (!live()) return;
      if (r && r.url) return finish(r.url, r.filename);
      if (r && r.filename) name = r.filename;
      job.timer = setTimeout(tick, POLL_MS);
    }, fail);
  }

  #end() {
    const job = this.#job;
    this.#job = null;
    if (job) {
      clearTimeout(job.timer);
      job.controller.abort();
    }
  }

  /** Stops the running export (silently). */
  stop() {
    if (!this.#job) return;
    this.#end();
    this.#set({ status: 'idle', percent: null });
  }

  /** Stops and forgets the page listener. */
  dispose() {
    this.#end();
    window.removeEventListener('pagehide', this.onPageHide);
  }
}
