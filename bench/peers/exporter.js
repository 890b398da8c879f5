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

/** The start and progress entries of a config map: the pair `x` / `x-progress` (or `x-process`). */
export function endpoints(config) {
  const keys = Object.keys(config || {});
  for (const a of keys) {
    for (const b of keys) {
      if (b === `${a}-progress` || b === `${a}-process`) return { start: config[a], progress: config[b] };
    }
  }
  throw new Error('k12-peer: options.config needs an "x" and an "x-progress" entry');
}

/** The request URL for one endpoint: path parameters filled, the rest of `data` in the query. */
export function requestUrl(endpoint, data = {}) {
  const used = new Set();
  const path = endpoint.url.replace(/\{(\w+)\}/g, (_, name) => {
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

/** `{termName}` in the filename template, filled from `data`. */
export const fill = (template, data = {}) => String(template || '').replace(/\{(\w+)\}/g, (_, k) => (data[k] ?? ''));

/** Starts a download of `url` as `filename`. */
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
  constructor(kind, message, status = null) {
    super(message);
    this.kind = kind;
    this.status = status;
  }
}

async function getResult(url, signal) {
  let r;
  try {
    r = await fetch(url, { signal, credentials: 'same-origin' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new Failed('network', '网络异常，请检查网络后重试');
  }
  if (!r.ok) throw new Failed('http', `服务器错误（HTTP ${r.status}）`, r.status);
  let body;
  try {
    body = await r.json();
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new Failed('bad-response', '服务器返回了无法识别的数据');
  }
  const code = body && body.code;
  if (code !== undefined && code !== null && Number(code) !== 0 && Number(code) !== 200) {
    throw new Failed('server', (body && body.message) || '服务器处理出错，请稍后重试');
  }
  return body ? body.result : null;
}

/**
 * One button's exports. `listener(state, event)` hears every change: state is
 * `{status: 'idle'|'exporting'|'done'|'failed', percent, filename}`, event one of
 * `['export-start']`, `['export-progress', percent]`, `['export-done', {url, filename}]`,
 * `['export-error', {kind, message, status}]` or null.
 */
export class Exporter {
  #options;
  #listener;
  #job = null;
  state = { status: 'idle', percent: null, filename: '' };

  constructor(options, listener) {
    this.#options = options;
    this.#listener = listener;
    this.onPageHide = () => this.stop();
    window.addEventListener('pagehide', this.onPageHide);
  }

  /** New options; a running export stops if its data changed. */
  setOptions(options) {
    const changed = JSON.stringify(options.data) !== JSON.stringify(this.#options.data)
      || JSON.stringify(options.config) !== JSON.stringify(this.#options.config);
    this.#options = options;
    if (changed && this.#job) this.stop();
  }

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
    const job = { controller: new AbortController(), timer: 0 };
    this.#job = job;
    let name = fill(filename, data);
    const live = () => this.#job === job;
    const finish = (url, serverName) => {
      this.#end();
      const file = { url, filename: serverName || name };
      download(url, file.filename);
      this.#set({ status: 'done', percent: 100 }, ['export-done', file]);
    };
    const fail = (e) => {
      if (e.name === 'AbortError' || !live()) return;
      this.#end();
      const detail = { kind: e.kind || 'network', message: e.message, status: e.status ?? null };
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
