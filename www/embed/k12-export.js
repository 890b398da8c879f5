// k12-export: the async export button for plain pages. One module script is all a page needs:
//
//   <script type="module" src="/embed/k12-export.js"></script>
//   <k12-export-button config='{…the cache config…}' data='{"termId":1001,"termName":"2024春季班"}'
//                      filename="K12作业统计-{termName}"></k12-export-button>
//
// or, from script:  import { mount } from '/embed/k12-export.js'; const h = await mount(el, options);
//
// The stylesheet next to this file is added to the page once. The wasm streams and compiles in the
// background; nothing blocks the first paint.
import init, * as wasm from './k12_export.js';

const mountNow = wasm.mount;
// Only in the bundle with every backend (dist/embed-all/); the K12 bundle has the button only.
const mountHistoryNow = wasm.mountHistory;

const here = import.meta.url;
const ready = init({ module_or_path: new URL('./k12_export_bg.wasm', here) });

if (!document.querySelector('link[data-k12x-css]')) {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = new URL('./k12-export.css', here).href;
  link.dataset.k12xCss = '';
  document.head.append(link);
}

/** Mounts a button into `element`; resolves to a handle with `update(options)` and `destroy()`. */
export async function mount(element, options) {
  await ready;
  return mountNow(element, options);
}

/** Mounts an export history panel; resolves to a handle with `update(options)`, `refresh()`, `destroy()`. */
export async function mountHistory(element, options) {
  await ready;
  if (!mountHistoryNow) throw new Error('k12-export: this bundle has no export history panel: load /embed-all/k12-export.js');
  return mountHistoryNow(element, options);
}

export { ready };

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
  static observedAttributes = [...JSON_ATTRS, ...TEXT_ATTRS, 'disabled', ...Object.keys(NUMBER_ATTRS)];
  #handle = null;
  #pending = false;

  connectedCallback() { this.#schedule(); }
  attributeChangedCallback() { if (this.isConnected) this.#schedule(); }

  disconnectedCallback() {
    this.#handle?.destroy();
    this.#handle = null;
  }

  /** The mounted handle, once ready (for pages that want `update()` directly). */
  get handle() { return this.#handle; }

  // Several attribute changes in one task become one update.
  #schedule() {
    if (this.#pending) return;
    this.#pending = true;
    ready.then(() => queueMicrotask(() => {
      this.#pending = false;
      if (this.isConnected) this.#render();
    }));
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
    return o;
  }

  #render() {
    try {
      const options = this.#options();
      if (this.#handle) this.#handle.update(options);
      else this.#handle = mountNow(this, options);
    } catch (e) {
      console.error(e);
      this.dispatchEvent(new CustomEvent('export-config-error', { bubbles: true, detail: e.message }));
    }
  }
}

if (!customElements.get('k12-export-button')) {
  customElements.define('k12-export-button', K12ExportButton);
}

/**
 * `<k12-export-history options='{…}'>`: the export history panel, with the same options as the
 * button (`lang` and `heading` may also be attributes). `element.refresh()` reloads the list.
 */
class K12ExportHistory extends HTMLElement {
  static observedAttributes = ['options', 'lang', 'heading'];
  #handle = null;

  connectedCallback() { this.#render(); }
  attributeChangedCallback() { if (this.isConnected) this.#render(); }
  disconnectedCallback() { this.#handle?.destroy(); this.#handle = null; }

  refresh() { this.#handle?.refresh(); }

  async #render() {
    await ready;
    if (!this.isConnected) return;
    try {
      let options;
      try { options = JSON.parse(this.getAttribute('options') || '{}'); }
      catch (e) { throw new Error(`k12-export: attribute options is not valid JSON (${e.message})`); }
      for (const name of ['lang', 'heading']) if (this.hasAttribute(name)) options[name] = this.getAttribute(name);
      if (this.#handle) this.#handle.update(options);
      else this.#handle = mountHistoryNow(this, options);
    } catch (e) {
      console.error(e);
      this.dispatchEvent(new CustomEvent('export-config-error', { bubbles: true, detail: e.message }));
    }
  }
}

if (mountHistoryNow && !customElements.get('k12-export-history')) {
  customElements.define('k12-export-history', K12ExportHistory);
}
