// The demo page's dealings with the browser (src/bin/demo.rs): the gallery's shadow roots, the
// theme editor's stylesheet, the link and the clipboard — a few lines here, a dozen web-sys
// bindings there.

/** @type {CSSStyleSheet[] | null} */
let stageSheets = null;
/** @type {CSSStyleSheet | null} */
let pageSheet = null;

/** @param {string} css */
function sheet(css) {
  const s = new CSSStyleSheet();
  s.replaceSync(css);
  return s;
}

/**
 * Gives `host` an open shadow root — the embedded widget's box — adopting the widget's stylesheet
 * and then the gallery's, with a frame in the dark or the light palette; returns the frame, for
 * the state to be rendered into. The stylesheets are made once and shared by every stage.
 * @param {Element} host
 * @param {string} widgetCss
 * @param {string} galleryCss
 * @param {boolean} dark
 * @returns {Element}
 */
export function stage(host, widgetCss, galleryCss, dark) {
  stageSheets ??= [sheet(widgetCss), sheet(galleryCss)];
  const root = host.shadowRoot || host.attachShadow({ mode: 'open' });
  root.adoptedStyleSheets = stageSheets;
  let frame = root.querySelector('.k12x-frame');
  if (!frame) {
    frame = document.createElement('span');
    frame.className = 'k12x-frame';
    root.append(frame);
  }
  if (dark) frame.setAttribute('data-k12x-theme', 'dark');
  else frame.removeAttribute('data-k12x-theme');
  return frame;
}

/**
 * The theme editor's CSS, applied to the page as it is copied (a constructed stylesheet: no inline
 * style, so a strict style-src does not stop it).
 * @param {string} css
 */
export function setPageCss(css) {
  if (!pageSheet) {
    pageSheet = new CSSStyleSheet();
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, pageSheet];
  }
  pageSheet.replaceSync(css);
}

/** The address waiting to be written, and when one was last written. */
let hashWanted = /** @type {string | null} */ (null);
let hashTimer = 0;
let hashWritten = -Infinity;
/** At most one write of the address in this many ms: browsers refuse a burst of `replaceState`. */
const HASH_EVERY = 250;

function writeHash() {
  hashTimer = 0;
  if (hashWanted === null) return;
  const hash = hashWanted;
  hashWanted = null;
  hashWritten = performance.now();
  history.replaceState(history.state, '', hash ? `#${hash}` : location.pathname + location.search);
}

/**
 * Puts the editor's state in the address (no new history entry, no `hashchange`): at once, or —
 * while a colour picker is dragged, say — the latest state a moment later, so that the browser's
 * limit on `replaceState` calls is never reached. A page left meanwhile writes it first.
 * @param {string} hash without `#`; empty: none
 */
export function replaceHash(hash) {
  hashWanted = hash;
  if (hashTimer) return;
  const wait = hashWritten + HASH_EVERY - performance.now();
  if (wait <= 0) writeHash();
  else hashTimer = setTimeout(writeHash, wait);
}
addEventListener('pagehide', () => {
  clearTimeout(hashTimer);
  writeHash();
});

/**
 * Copies `text` to the clipboard. Where the browser refuses (no permission, no Clipboard API), the
 * text shown in `shown` is selected for a manual copy instead. Resolves to whether it was copied.
 * @param {string} text
 * @param {Element} shown
 * @returns {Promise<boolean>}
 */
export async function copyText(text, shown) {
  shown.scrollIntoView({ block: 'nearest' });
  if (navigator.clipboard) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (e) {
      // Refused (NotAllowedError and the like): the manual way below. Anything else is a bug.
      if (!(e instanceof DOMException)) throw e;
    }
  }
  getSelection()?.selectAllChildren(shown);
  return false;
}
