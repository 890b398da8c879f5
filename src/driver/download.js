// Handing files to the browser (src/driver/download.rs): programmatic downloads, spaced so that
// none is dropped, and files built here saved through Blob URLs.

// Downloads of the page wait their turn, this far apart: browsers drop programmatic downloads
// that come in a burst (Chromium lets about ten through), which a page with many export buttons
// can produce. (DOWNLOAD_SPACING_MS in download.rs.)
const SPACING_MS = 150;
const waiting = [];
let timer = null;

// Starts a download with a programmatic <a href download> click: at once, or after the downloads
// already waiting. Same-origin files take the name from `filename`; cross-origin ones take it from
// the server's Content-Disposition.
export function download(url, filename) {
  waiting.push([url, filename]);
  if (timer == null) next();
}

// The page's address that links are resolved against.
export function pageBase() {
  return document.baseURI;
}

// Clicks the next waiting download; the spacing counts from the click (adding and clicking the
// anchor can take tens of milliseconds in WebKit on a large page), and the timer keeps re-entrant
// calls queued meanwhile.
function next() {
  const item = waiting.shift();
  timer = null;
  if (!item) return;
  timer = 0;
  const a = document.createElement('a');
  a.href = item[0];
  a.download = item[1];
  a.rel = 'noopener';
  a.hidden = true;
  a.setAttribute('data-k12x-download', '');
  const body = document.body;
  if (body) {
    body.appendChild(a);
    a.click();
    a.remove();
  } else {
    a.click();
  }
  timer = setTimeout(next, SPACING_MS);
}

// Saves bytes built in the browser through a Blob URL, which it returns (to revoke later:
// revoking at once can cancel the download in some browsers); null when the browser refused.
export function save(bytes, type, filename) {
  try {
    const url = URL.createObjectURL(new Blob([bytes], { type }));
    download(url, filename);
    return url;
  } catch (_) {
    return null;
  }
}

export function revoke(url) {
  URL.revokeObjectURL(url);
}
