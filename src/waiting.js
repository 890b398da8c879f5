// What the export button does with the page around it, outside its own box: the title of a hidden
// tab, desktop notifications and the clipboard. Written in JS, where each is a few lines, instead
// of in Rust, where each browser call is an import of the wasm with its glue.
// Bound in src/waiting.rs; nothing here throws.

const EXPORTING = 1, DONE = 2, FAILED = 3;

// One button's part of the title and notifications. `update` is called whenever the export's
// state or the options change; `stop` when the button goes (the page's own title is back).
export class Tab {
  constructor() {
    this.original = null; // the page's title before the first change
    this.ours = null; // the last title set here: restored only while the page still shows it
    this.last = 0; // the last status seen, to notice an export's end
    this.endedHidden = false; // the export ended while hidden: the title says so until seen
    this.listener = null;
  }

  // status: 0 idle, 1 exporting, 2 done, 3 failed, 4 cancelled. texts: the title while exporting,
  // when done, when failed (`{p}` the percent, `{title}` the page's title), the notification's
  // title when done and when failed.
  update(status, percent, title, notify, filename, ...texts) {
    const ended = this.last === EXPORTING && (status === DONE || status === FAILED);
    this.last = status;
    this.percent = percent;
    this.texts = texts;
    this.title = title;
    if (ended && document.hidden) {
      this.endedHidden = true;
      if (notify && permission() === 'granted') {
        try {
          new Notification(texts[status === DONE ? 3 : 4], { body: filename, tag: 'k12-export' });
        } catch (_) {}
      }
    }
    if (title && !this.listener) {
      this.listener = () => this.show();
      document.addEventListener('visibilitychange', this.listener);
    } else if (!title) {
      this.stop();
    }
    this.show();
  }

  // Brings the title up to date with the last status and the page's visibility.
  show() {
    if (!this.title || !document.hidden) {
      this.endedHidden = false;
      return this.restore();
    }
    const t = this.texts;
    const template =
      this.last === EXPORTING ? t[0] : !this.endedHidden ? null : this.last === DONE ? t[1] : this.last === FAILED ? t[2] : null;
    if (template == null) return this.restore();
    if (this.original == null) this.original = document.title;
    const pct = this.percent == null ? '…' : this.percent + '%';
    const text = template.split('{p}').join(pct).split('{title}').join(this.original);
    if (this.ours !== text) document.title = this.ours = text;
  }

  // Puts the page's title back, unless the page changed it meanwhile.
  restore() {
    if (this.ours != null && document.title === this.ours) document.title = this.original;
    this.original = this.ours = null;
  }

  stop() {
    if (this.listener) document.removeEventListener('visibilitychange', this.listener);
    this.listener = null;
    this.restore();
  }
}

// `Notification.permission`, or nothing where the browser has no notifications (iOS Safari outside
// a web app, webviews).
function permission() {
  return typeof Notification === 'function' ? Notification.permission : null;
}

// Asks for the permission to notify, when `on` and it was never asked. Call only from a user's click.
export function askNotify(on) {
  try {
    if (on && permission() === 'default') Notification.requestPermission().catch(() => {});
  } catch (_) {} // an older Safari: no promise
}

// Copies `text` with the Clipboard API; where that is missing or refused (an insecure page, an
// old webview), selects the text of `fallback` (in a shadow root too: the selection is the
// document's) so that a long press copies it. True when copied.
export async function copyText(text, fallback) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (_) {}
  if (!fallback) return false;
  try {
    const range = document.createRange();
    range.selectNodeContents(fallback);
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return document.execCommand('copy');
  } catch (_) {
    return false;
  }
}
