// Functions that run inside the page (sent as source text): the same in every engine.

/**
 * The elements a locator chain selects. Each step is `{ css, text, hasText, nth }`: elements
 * matching `css` inside the previous step's elements (the document for the first), searched
 * through every open shadow root as well; `text` keeps those whose normalised text is exactly it,
 * `hasText` those whose text contains it, `nth` only the nth of them. Document order, shadow
 * content right after its host.
 */
export function deepQuery(chain) {
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const below = (scope, css) => {
    const out = [];
    const visit = (root) => {
      if (root.shadowRoot) visit(root.shadowRoot);
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (n.matches(css)) out.push(n);
        if (n.shadowRoot) visit(n.shadowRoot);
      }
    };
    visit(scope);
    return out;
  };
  let scopes = [document];
  for (const step of chain) {
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
  return scopes;
}

/** Whether an element is rendered and visible. */
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
  const errors = (window.__k12xErrors = []);
  addEventListener('error', (e) => {
    if (e instanceof ErrorEvent) errors.push(`uncaught: ${e.message}`);
    else if (e.target && e.target !== window) errors.push(`failed to load: <${e.target.localName}> ${e.target.src || e.target.href || ''}`);
  }, true);
  addEventListener('unhandledrejection', (e) => errors.push(`unhandled rejection: ${e.reason && e.reason.message ? e.reason.message : e.reason}`));
  addEventListener('securitypolicyviolation', (e) => errors.push(`CSP: ${e.violatedDirective} blocked ${e.blockedURI}`));
  const original = console.error;
  console.error = function (...args) {
    errors.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
    return original.apply(this, args);
  };
}
