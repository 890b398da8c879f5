// Functions that run inside the page (sent as source text): the same in every engine.

/**
 * One step of a locator chain: elements matching `css`, with exactly the normalised text `text`
 * or a text containing `hasText`, only the `nth` of them.
 * @typedef {{ css: string, text?: string, hasText?: string, nth?: number }} Step
 */

/**
 * The elements a locator chain selects. Each step is `{ css, text, hasText, nth }`: elements
 * matching `css` inside the previous step's elements (the document for the first), searched
 * through every open shadow root as well; `text` keeps those whose normalised text is exactly it,
 * `hasText` those whose text contains it, `nth` only the nth of them. Document order, shadow
 * content right after its host.
 * @param {Step[]} chain
 * @returns {Element[]}
 */
export function deepQuery(chain) {
  /** @param {string | null} s */
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  /** @param {Node} scope @param {string} css */
  const below = (scope, css) => {
    /** @type {Element[]} */
    const out = [];
    /** @param {Node} root */
    const visit = (root) => {
      if (root instanceof Element && root.shadowRoot) visit(root.shadowRoot);
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (!(n instanceof Element)) continue;
        if (n.matches(css)) out.push(n);
        if (n.shadowRoot) visit(n.shadowRoot);
      }
    };
    visit(scope);
    return out;
  };
  /** @type {Node[]} */
  let scopes = [document];
  for (const step of chain) {
    /** @type {Element[]} */
    const next = [];
    for (const scope of scopes) {
      for (const el of below(scope, step.css)) {
        if (next.includes(el)) continue;
        if (step.text !== undefined && norm(el.textContent) !== step.text) continue;
        if (step.hasText !== undefined && !norm(el.textContent).includes(step.hasText)) continue;
        next.push(el);
      }
    }
    scopes = step.nth === undefined ? next : next.slice(step.nth, step.nth + 1);
  }
  // Every scope is an element once a step has run; without steps, nothing is selected.
  return scopes.filter((s) => s instanceof Element);
}

/**
 * Whether an element is rendered and visible.
 * @param {Element | null} el
 */
export function isVisible(el) {
  if (!el || !el.isConnected) return false;
  if (el.checkVisibility && !el.checkVisibility({ visibilityProperty: true })) return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
}

/**
 * Collects the page's errors in `window.__k12xErrors`: uncaught exceptions, unhandled
 * rejections, `console.error`, resources that failed to load and CSP violations. Installed after
 * each navigation (WebDriver has no document-start hook, and WebKit gives no console messages
 * under automation).
 */
export function installErrorCollector() {
  if (window.__k12xErrors) return;
  /** @type {string[]} */
  const errors = (window.__k12xErrors = []);
  addEventListener('error', (/** @type {Event} */ e) => {
    if (e instanceof ErrorEvent) errors.push(`uncaught: ${e.message}`);
    else if (e.target instanceof Element) {
      const t = e.target;
      const url = ('src' in t && t.src) || ('href' in t && t.href) || '';
      errors.push(`failed to load: <${t.localName}> ${url}`);
    }
  }, true);
  addEventListener('unhandledrejection', (e) => errors.push(`unhandled rejection: ${e.reason && e.reason.message ? e.reason.message : e.reason}`));
  addEventListener('securitypolicyviolation', (e) => errors.push(`CSP: ${e.violatedDirective} blocked ${e.blockedURI}`));
  const original = console.error;
  /** @param {unknown[]} args */
  console.error = function (...args) {
    errors.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
    return original.apply(this, args);
  };
}
