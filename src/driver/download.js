// Handing files to the browser (src/driver/download.rs): programmatic downloads, spaced so that
// none is dropped, that never take the page away, and files built here saved through Blob URLs.

// Downloads of the page wait their turn, this far apart: browsers drop programmatic downloads
// that come in a burst (Chromium lets about ten through), which a page with many export buttons
// can produce (DOWNLOAD_SPACING_MS in download.rs).
// seam: generated from src/seam.rs; `K12X_WRITE_SEAM=1 cargo test -p k12-export --lib seam` rewrites it
const SPACING_MS = 150;
// seam: end
/** @type {[string, string][]} */
const waiting = [];
/** @type {ReturnType<typeof setTimeout> | 0 | null} */
let timer = null;

// A file on another origin is fetched in a hidden iframe, which goes this long after.
const FRAME_MS = 60_000;

// Starts a download: at once, or after the downloads already waiting. The page is never taken
// away, whatever the link answers. Same-origin and blob: files through a programmatic
// <a href download> click, named `filename`. A file on another origin, where browsers ignore the
// `download` attribute and would follow the link (an expired signed link's 403 page would replace
// the page), is fetched in a hidden iframe instead: served as an attachment it downloads, named by
// its server's Content-Disposition; anything else is shown in the iframe, where nobody sees it.
// The iframe is sandboxed but for downloads, so a page shown there can do nothing. A
// Content-Security-Policy whose frame-src (or child-src, or default-src) does not allow the file's
// origin blocks it: then nothing is downloaded, and the "下载" link by the button opens the file.
/** @param {string} url @param {string} filename */
export function download(url, filename) {
  waiting.push([url, filename]);
  if (timer == null) next();
}

// Whether `url` is on another origin than the page (a blob: URL made here is not).
/** @param {string} url */
export function foreign(url) {
  try {
    return new URL(url, document.baseURI).origin !== location.origin;
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return true; // not a URL the parser reads: not this origin's
  }
}

// The page's address that links are resolved against.
export function pageBase() {
  return document.baseURI;
}

// Starts the next waiting download; the spacing counts from the start (adding and clicking the
// anchor can take tens of milliseconds in WebKit on a large page), and the timer keeps re-entrant
// calls queued meanwhile.
function next() {
  const item = waiting.shift();
  timer = null;
  if (!item) return;
  timer = 0;
  const [url, filename] = item;
  const parent = document.body || document.documentElement;
  if (foreign(url)) {
    const frame = document.createElement('iframe');
    frame.setAttribute('sandbox', 'allow-downloads');
    frame.setAttribute('data-k12x-download', filename);
    // Through the CSSOM, which a strict style-src allows; important, so no rule of the page shows
    // it (and, not displayed, it is out of the tab order and the accessibility tree).
    frame.style.setProperty('display', 'none', 'important');
    frame.src = url;
    parent.appendChild(frame);
    setTimeout(() => frame.remove(), FRAME_MS);
  } else {
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    a.rel = 'noopener';
    a.hidden = true;
    a.setAttribute('data-k12x-download', '');
    parent.appendChild(a);
    a.click();
    a.remove();
  }
  timer = setTimeout(next, SPACING_MS);
}

// Saves bytes built in the browser through a Blob URL, which it returns (to revoke later:
// revoking at once can cancel the download in some browsers); null when the browser refused.
/**
 * @param {Uint8Array<ArrayBuffer>} bytes
 * @param {string} type
 * @param {string} filename
 * @returns {string | null}
 */
export function save(bytes, type, filename) {
  let url;
  try {
    url = URL.createObjectURL(new Blob([bytes], { type }));
  } catch (e) {
    // Out of memory for the file, or blob: URLs refused: the export fails as unsaved.
    console.error('k12-export: the file could not be made', e);
    return null;
  }
  download(url, filename);
  return url;
}

/** @param {string} url */
export function revoke(url) {
  URL.revokeObjectURL(url);
}
