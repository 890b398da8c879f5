// k12-export: the async export button for plain pages. One script is all a page needs:
//
//   <script type="module" src="/embed/k12-export.js"></script>
//   <k12-export-button config='{…the cache config…}' data='{"termId":1001,"termName":"2024春季班"}'
//                      filename="K12作业统计-{termName}"></k12-export-button>
//
// or, from script:  import { mount } from '/embed/k12-export.js'; const h = await mount(el, options);
//
// Each widget lives in a shadow root of its own that carries the widget's stylesheet, so no rule of
// the page reaches in and none leaks out. The idle button is drawn at once, before the WebAssembly
// arrives; the wasm then takes over the same box. A click in between shows the busy state and
// starts the export as soon as it can. When the wasm cannot run (a Content-Security-Policy without
// 'wasm-unsafe-eval', a missing file, a CDN without CORS headers, no WebAssembly), the button stays,
// a click shows "导出失败" with the reason and dispatches `export-error` (kind "unavailable"), and the
// console says once what to fix.
//
// One loader serves every protocol: K12 buttons run on the small K12 runtime, other backends and the
// history panel on the runtime with every backend, fetched only when a page asks for them. Any
// number of copies of this loader may share a page: the elements are defined once, runtimes are
// loaded once per file, and element ids never repeat.
//
// Built by scripts/build-loader.mjs, which fills in the constants below (the stylesheet's text and
// the runtime file names of the directory the loader is copied to).
/* global K12X_CSS, K12X_RUNTIMES, K12X_SRC */

const here = typeof K12X_SRC == 'string' ? K12X_SRC : import.meta.url;
// [K12 runtime, runtime with every backend], file names without ".js"; the first one loads at once.
const [K12, ALL] = typeof K12X_RUNTIMES == 'object' ? K12X_RUNTIMES : ['k12_export', 'k12_export_all'];
const doc = document;
const shared = (globalThis[Symbol.for('k12-export')] ||= { runtimes: {}, logged: {} });

const TEXT = {
  zh: ['导出', '导出失败', '关闭', '页面的安全设置不允许运行导出组件', '导出组件加载失败，请刷新页面重试', '当前浏览器无法运行导出组件'],
  en: ['Export', 'Export failed', 'Close', "The page's security settings block the export component", 'The export component failed to load; reload the page', 'This browser cannot run the export component'],
};
const CAUSES = ['csp', 'load', 'unsupported'];
const text = (lang) => TEXT[/^en/i.test(lang || '') ? 'en' : 'zh'];

/** A failure that keeps the widget from running: `cause` is csp, load or unsupported. */
function unavailable(cause, fix) {
  const e = new Error(`k12-export: ${fix}`);
  e.cause = cause;
  if (!shared.logged[fix]) console.error(e.message);
  shared.logged[fix] = 1;
  return e;
}

/** The runtime (wasm-bindgen module, initialised) in file `name`; loaded once per page. */
function runtime(name) {
  const glue = new URL(`./${name}.js`, here).href;
  return (shared.runtimes[glue] ||= (async () => {
    if (typeof WebAssembly != 'object') throw unavailable('unsupported', 'no WebAssembly in this browser (or it is turned off)');
    // An empty module, compiled and instantiated: a policy without 'wasm-unsafe-eval' refuses one
    // or the other (engines differ in which).
    const csp = () => unavailable('csp', "the page's Content-Security-Policy blocks WebAssembly: add 'wasm-unsafe-eval' to its script-src");
    try {
      new WebAssembly.Instance(new WebAssembly.Module(Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0)));
    } catch {
      throw csp();
    }
    const wasm = glue.replace(/\.js$/, '_bg.wasm');
    const fix = (what, e) => unavailable('load', `cannot load ${what} (${e}): serve it beside k12-export.js, from another origin with Access-Control-Allow-Origin`);
    let m, r;
    try { m = await import(glue); } catch (e) { throw fix(glue, e.message); }
    try { r = await fetch(wasm); } catch (e) { throw fix(wasm, e.message); }
    if (!r.ok) throw fix(wasm, `HTTP ${r.status}`);
    try { await m.default({ module_or_path: r }); } catch (e) { throw /unsafe-eval|Content.Security/i.test(e.message) ? csp() : fix(wasm, e.message); }
    return m;
  })());
}

/**
 * The runtime file for `options`: K12 on the K12 runtime, anything else (or the history) on the
 * full one. Its own `protocol` only, as the runtime reads the options: not one a page's script
 * put on Object.prototype.
 */
const which = (o, history) => history || ({}.hasOwnProperty.call(o, 'protocol') && o.protocol && o.protocol != 'k12') ? ALL : K12;
const runtimeFor = (o, history) => runtime(which(o, history));

// The button's stylesheet, built in and shared by every shadow root of this loader. The history
// panel's styles (and everything, where a browser cannot adopt stylesheets) come from the
// stylesheet file beside the loader.
let sheet;
function styled(root, full) {
  if (typeof K12X_CSS == 'string' && root.adoptedStyleSheets) {
    if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(K12X_CSS);
    root.adoptedStyleSheets = [sheet];
  } else full = 1;
  if (full && !root.querySelector('link')) root.prepend(el('link', '', { rel: 'stylesheet', href: new URL('./k12-export.css', here).href }));
}

function el(tag, cls, attrs = {}, ...kids) {
  const e = doc.createElement(tag);
  if (cls) e.className = cls;
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  e.append(...kids);
  return e;
}

/**
 * One widget's box: a shadow root on `host` with a frame the runtime renders into. Until the
 * runtime has taken over, the frame shows the idle button drawn here, with the same markup and
 * size as the runtime's; after a failure to load, a click on it shows the failure toast.
 */
class Box {
  constructor(host, history) {
    this.host = host;
    const root = host.shadowRoot || host.attachShadow({ mode: 'open' });
    styled(root, history);
    this.frame = root.querySelector('.k12x-frame') || root.appendChild(el('span', 'k12x-frame'));
    this.pending = false;
    this.error = null;
    // From take() until the runtime's button is swapped in: starts the export there.
    this.taken = null;
  }

  /** Follows the theme of the page around the host: a `k12x-theme-dark` class or `data-k12x-theme`. */
  theme() {
    const t = this.host.closest('[data-k12x-theme],.k12x-theme-dark');
    const v = t ? t.dataset.k12xTheme || 'dark' : '';
    if (v) this.frame.dataset.k12xTheme = v; else delete this.frame.dataset.k12xTheme;
  }

  /**
   * Draws the idle button (label and disabled state from `o`) unless the runtime shows its own. A
   * label that is not text (a DOM node would be moved in) is left to the runtime to refuse.
   */
  placeholder(o) {
    this.theme();
    this.o = o;
    this.taken = null;
    const t = text(o.lang);
    const b = el('button', 'k12x-btn', { type: 'button', part: 'button' }, el('span', 'k12x-label', {}, (typeof o.label == 'string' && o.label) || t[0]));
    if (o.disabled) b.setAttribute('aria-disabled', 'true');
    b.onclick = () => {
      if (this.error) return this.fail(1);
      if (o.disabled) return;
      // The runtime has its button but has not shown it yet: it starts the export.
      if (this.taken) return this.taken();
      if (this.pending) return;
      this.pending = true;
      b.setAttribute('aria-disabled', 'true');
      b.setAttribute('aria-busy', 'true');
      b.prepend(el('span', 'k12x-spinner', { 'aria-hidden': 'true' }));
      this.frame.firstChild.classList.add('k12x--busy');
    };
    this.frame.replaceChildren(el('span', 'k12x', { 'data-status': 'idle' }, b));
  }

  /**
   * Hands the box to the runtime: `show(container)` mounts in a hidden container, and once the
   * runtime has drawn its button (busy, if a click was waiting or comes meanwhile) the container
   * replaces the placeholder in one step, focus moving over: the runtime may draw across several
   * frames.
   */
  take(show) {
    const focused = this.host.shadowRoot.activeElement;
    let waiting = false;
    const live = el('span', 'k12x-live', { hidden: '' });
    this.frame.append(live);
    const handle = show(live);
    this.taken = () => {
      waiting = true;
      handle.start();
    };
    if (this.pending) this.taken();
    this.pending = false;
    let late;
    const swap = () => {
      const w = live.querySelector('.k12x');
      if (!w || (waiting && w.dataset.status == 'idle' && !late)) return;
      o.disconnect();
      clearTimeout(timer);
      for (const c of [...this.frame.children]) if (c != live) c.remove();
      live.hidden = false;
      if (focused) live.querySelector('.k12x-btn')?.focus();
    };
    const o = new MutationObserver(swap);
    o.observe(live, { childList: true, subtree: true, attributes: true });
    const timer = setTimeout(() => swap(late = 1), 2000);
    return handle;
  }

  /** The runtime cannot run: back to idle, and the toast if a click was waiting (or `show`). */
  fail(show, error = this.error) {
    this.error = error;
    const o = this.o || {};
    const w = this.frame.querySelector('.k12x');
    if (!w || !(this.pending || show)) return;
    this.pending = false;
    const b = w.querySelector('.k12x-btn');
    b.removeAttribute('aria-busy');
    if (!o.disabled) b.removeAttribute('aria-disabled');
    w.classList.remove('k12x--busy');
    w.querySelector('.k12x-spinner')?.remove();
    const t = text(o.lang);
    const reason = t[3 + CAUSES.indexOf(error.cause)] || error.message;
    const close = el('button', 'k12x-toast-close', { type: 'button', 'aria-label': t[2] }, el('span', '', { 'aria-hidden': 'true' }, '×'));
    const toast = el('div', 'k12x-toast', { role: 'alert', part: 'toast' },
      el('span', 'k12x-toast-icon', { 'aria-hidden': 'true' }),
      el('span', 'k12x-toast-text', {}, el('strong', 'k12x-toast-title', {}, t[1]), el('span', 'k12x-toast-detail', {}, reason)));
    toast.append(close);
    w.querySelector('.k12x-toast')?.remove();
    w.append(toast);
    const done = () => { toast.remove(); clearTimeout(timer); doc.removeEventListener('keydown', esc); };
    const esc = (e) => e.key == 'Escape' && done();
    const timer = setTimeout(done, 5000);
    close.onclick = done;
    doc.addEventListener('keydown', esc);
    const detail = { kind: 'unavailable', cause: error.cause, message: reason, status: null };
    this.host.dispatchEvent(new CustomEvent('export-error', { bubbles: true, composed: true, detail }));
    try { o.onerror?.(detail); } catch (e) { console.error(e); }
  }
}

/** The widget's box in `element` (its children replaced), for `mount()` and `mountHistory()`. */
function boxIn(element, history) {
  const host = el('k12x-host');
  element.replaceChildren(host);
  return new Box(host, history);
}

/**
 * Mounts a button into `element` (its children are replaced); resolves to a handle with
 * `update(options)`, `start()` and `destroy()`. Rejects on bad options, naming the field, and
 * leaves nothing behind. When the runtime cannot load, resolves to a handle whose button explains
 * that on click.
 */
export async function mount(element, options) {
  const before = [...element.childNodes];
  const box = boxIn(element);
  box.placeholder(options || {});
  let m;
  try {
    m = await runtimeFor(options || {});
  } catch (e) {
    box.fail(null, e);
    return { update() {}, start() { box.fail(1); }, destroy() { box.host.remove(); }, mounted: true, error: e };
  }
  let h;
  try {
    h = box.take((frame) => m.mount(frame, options));
  } catch (e) {
    element.replaceChildren(...before);
    throw e;
  }
  return {
    update: (o) => {
      if (which(o) != which(options)) throw new Error('k12-export: update() cannot move a button to another protocol; destroy() it and mount() again');
      h.update(o);
      options = o;
    },
    start: () => h.start(),
    destroy: () => { h.destroy(); box.host.remove(); },
    get mounted() { return h.mounted; },
  };
}

/** Mounts an export history panel; resolves to a handle with `update(options)`, `refresh()`, `destroy()`. */
export async function mountHistory(element, options) {
  const box = boxIn(element, 1);
  box.theme();
  const h = await historyIn(box, options);
  return { update: (o) => h.update(o), refresh: () => h.refresh(), destroy: () => { h.destroy(); box.host.remove(); }, get mounted() { return h.mounted; } };
}

/**
 * Loads the runtime, then mounts the panel in `box` if `wanted()` still holds (else resolves to
 * null, having made nothing): the mount follows the check in the same task.
 */
async function historyIn(box, options, wanted = () => true) {
  let m;
  try {
    m = await runtimeFor(options, 1);
  } catch (e) {
    if (wanted()) box.frame.replaceChildren(el('p', 'k12x k12x-history-error', { role: 'alert' }, text(options.lang)[3 + CAUSES.indexOf(e.cause)]));
    throw e;
  }
  return wanted() ? m.mountHistory(box.frame, options) : null;
}

/** The K12 runtime, loading from the start: a K12 page needs it first. */
export const ready = runtime(K12);
ready.catch(() => {});

const JSON_ATTRS = ['config', 'data', 'options'];
const TEXT_ATTRS = ['protocol', 'start', 'progress', 'filename', 'label', 'lang'];
const NUMBER_ATTRS = { 'timeout-ms': 'timeoutMs', 'request-timeout-ms': 'requestTimeoutMs', 'poll-interval-ms': 'pollIntervalMs', retries: 'retries' };

/**
 * `<k12-export-button>`: attributes `config`, `data`, `options` (JSON), `protocol`, `start`,
 * `progress`, `filename`, `label`, `lang`, `disabled`, `timeout-ms`, … . Changing an attribute
 * updates the button; removing the element destroys it (stopping any export). Bad attributes
 * raise an `export-config-error` event (detail: the message) and are logged.
 */
class K12ExportButton extends HTMLElement {
  static observedAttributes = [...JSON_ATTRS, ...TEXT_ATTRS, 'disabled', ...Object.keys(NUMBER_ATTRS), 'share'];
  #handle = null;
  #runtime = null;
  #box = null;
  #pending = false;

  connectedCallback() {
    this.#box ||= new Box(this);
    this.#schedule();
  }

  attributeChangedCallback() { if (this.isConnected) this.#schedule(); }

  disconnectedCallback() {
    this.#handle?.destroy();
    this.#handle = null;
  }

  /** The mounted handle, once the runtime has taken over (for pages that want `update()` directly). */
  get handle() { return this.#handle; }

  /** Starts an export, as a click would. */
  start() { this.#handle ? this.#handle.start() : this.#box?.frame.querySelector('.k12x-btn')?.click(); }

  // Several attribute changes in one task become one update.
  #schedule() {
    if (this.#pending) return;
    this.#pending = true;
    queueMicrotask(() => {
      this.#pending = false;
      if (this.isConnected) this.#render();
    });
  }

  #options() {
    const o = {};
    for (const name of JSON_ATTRS) {
      const text = this.getAttribute(name);
      if (text === null) continue;
      try {
        const v = JSON.parse(text);
        if (name === 'options') Object.assign(o, v); else o[name] = v;
      } catch (e) {
        throw new Error(`k12-export: attribute ${name} is not valid JSON (${e.message})`);
      }
    }
    for (const name of TEXT_ATTRS) {
      const v = this.getAttribute(name);
      if (v !== null) o[name] = v;
    }
    for (const [attr, key] of Object.entries(NUMBER_ATTRS)) {
      const v = this.getAttribute(attr);
      if (v !== null) o[key] = Number(v);
    }
    if (this.hasAttribute('disabled')) o.disabled = this.getAttribute('disabled') !== 'false';
    // One export across tabs: share="false" turns sharing off.
    if (this.hasAttribute('share')) o.share = this.getAttribute('share') !== 'false';
    return o;
  }

  async #render() {
    const box = this.#box;
    let options;
    try {
      options = this.#options();
    } catch (e) {
      return this.#configError(e);
    }
    if (!this.#handle) box.placeholder(options);
    const wanted = runtimeFor(options);
    let m;
    try {
      m = await wanted;
    } catch (e) {
      return box.fail(null, e);
    }
    // Attributes may have changed, or the element left, while the runtime loaded.
    if (!this.isConnected || this.#pending) return;
    try {
      if (this.#handle && this.#runtime == wanted) return this.#handle.update(options);
      this.#handle?.destroy();
      this.#handle = null;
      box.placeholder(options);
      this.#handle = box.take((frame) => m.mount(frame, options));
      this.#runtime = wanted;
    } catch (e) {
      this.#configError(e);
    }
  }

  #configError(e) {
    console.error(e);
    this.dispatchEvent(new CustomEvent('export-config-error', { bubbles: true, detail: e.message }));
  }
}

/**
 * `<k12-export-history options='{…}'>`: the export history panel, with the same options as the
 * button (`lang` and `heading` may also be attributes). `element.refresh()` reloads the list.
 */
class K12ExportHistory extends HTMLElement {
  static observedAttributes = ['options', 'lang', 'heading'];
  #handle = null;
  #box = null;
  #pending = false;
  // Counts renders and disconnections: a render waiting for the runtime mounts only if the count
  // has not moved since it began.
  #turn = 0;

  connectedCallback() { this.#schedule(); }
  attributeChangedCallback() { if (this.isConnected) this.#schedule(); }
  disconnectedCallback() {
    this.#turn++;
    this.#handle?.destroy();
    this.#handle = null;
  }

  refresh() { this.#handle?.refresh(); }

  // The attributes a parser or script sets in one task (and the upgrade of an element already in
  // the page, which reports each attribute, then the connection) become one render.
  #schedule() {
    if (this.#pending) return;
    this.#pending = true;
    queueMicrotask(() => {
      this.#pending = false;
      if (this.isConnected) this.#render();
    });
  }

  async #render() {
    const turn = ++this.#turn;
    try {
      let options;
      try { options = JSON.parse(this.getAttribute('options') || '{}'); }
      catch (e) { throw new Error(`k12-export: attribute options is not valid JSON (${e.message})`); }
      for (const name of ['lang', 'heading']) if (this.hasAttribute(name)) options[name] = this.getAttribute(name);
      this.#box ||= new Box(this, 1);
      this.#box.theme();
      if (this.#handle) return this.#handle.update(options);
      // A later render, or the element's removal, while the runtime loads supersedes this one.
      const h = await historyIn(this.#box, options, () => turn == this.#turn && this.isConnected);
      if (h) this.#handle = h;
    } catch (e) {
      if (turn != this.#turn) return;
      console.error(e);
      this.dispatchEvent(new CustomEvent('export-config-error', { bubbles: true, detail: e.message }));
    }
  }
}

for (const [name, c] of [['k12-export-button', K12ExportButton], ['k12-export-history', K12ExportHistory]]) {
  const was = customElements.get(name);
  if (!was) customElements.define(name, c);
  else if (!was.k12x) console.warn(`k12-export: <${name}> was defined by an older copy of k12-export.js, which may not serve every protocol: load only the newest`);
  c.k12x = 1;
}
