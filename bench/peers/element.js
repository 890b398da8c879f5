// `<k12-peer-button config='{…}' data='{…}' filename='…'>`: the peers' counterpart of
// `<k12-export-button>`, so that their example pages are the widget's with one tag renamed.

/** @typedef {import('./exporter.js').Options} Options */
/** @typedef {{ update(options: Options): void, destroy(): void }} Handle */

/**
 * Defines the element `tag` on top of a peer's `mount(element, options)`.
 * @param {string} tag
 * @param {(element: HTMLElement, options: Options) => Handle} mount
 */
export function defineElement(tag, mount) {
  if (customElements.get(tag)) return;
  customElements.define(tag, class extends HTMLElement {
    static observedAttributes = ['config', 'data', 'filename', 'label'];
    /** @type {Handle | null} */
    handle = null;

    /** The options the attributes give (the config and data as JSON). @returns {Options} */
    options() {
      /** @type {Record<string, unknown>} */
      const o = {};
      for (const name of ['config', 'data']) {
        const text = this.getAttribute(name);
        if (text !== null) o[name] = JSON.parse(text);
      }
      for (const name of ['filename', 'label']) {
        const v = this.getAttribute(name);
        if (v !== null) o[name] = v;
      }
      return /** @type {Options} */ (o);
    }

    connectedCallback() {
      this.handle = mount(this, this.options());
    }

    attributeChangedCallback() {
      if (this.handle) this.handle.update(this.options());
    }

    disconnectedCallback() {
      this.handle?.destroy();
      this.handle = null;
    }
  });
}

/**
 * Dispatches a bubbling `CustomEvent`, as the widget does.
 * @param {Element} element
 * @param {import('./exporter.js').ExportEvent} event
 */
export function emit(element, event) {
  if (!event) return;
  const [type, detail] = event;
  element.dispatchEvent(new CustomEvent(type, { bubbles: true, detail: detail ?? null }));
}
