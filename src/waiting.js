// What the export button does with the page around it, outside its own box: the title of a hidden
// tab, desktop notifications and the clipboard. Written in JS, where each is a few lines, instead
// of in Rust, where each browser call is an import of the wasm with its glue.
// Bound in src/waiting.rs; nothing here throws.

const EXPORTING = 1, DONE = 2, FAILED = 3;

// One button's part of the title and notifications. `update` is called whenever the export's
// state or the options change; `stop` when the button goes (the page's own title is back).
// (Closures rather than a class: the minifier shortens their names, not an object's.)
export function tab() {
  let original = null; // the page's title before the first change
  let ours = null; // the last title set here: restored only while the page still shows it
  let last = 0; // the last status seen, to notice an export's end
  let endedHidden = false; // the export ended while hidden: the title says so until seen
  let listening = false;
  let on = false, percent, texts;

  // Puts the page's title back, unless the page changed it meanwhile.
  const restore = () => {
    if (ours != null && document.title === ours) document.title = original;
    original = ours = null;
  };

  // Brings the title up to date with the last status and the page's visibility.
  const show = () => {
    if (!on || !document.hidden) {
      endedHidden = false;
      return restore();
    }
    const template =
      last === EXPORTING ? texts[0] : !endedHidden ? null : last === DONE ? texts[1] : last === FAILED ? texts[2] : null;
    if (template == null) return restore();
    if (original == null) original = document.title;
    const text = template.split('{p}').join(percent == null ? '…' : percent + '%').split('{title}').join(original);
    if (ours !== text) document.title = ours = text;
  };

  const stop = () => {
    if (listening) document.removeEventListener('visibilitychange', show);
    listening = false;
    restore();
  };

  return {
    // status: 0 idle, 1 exporting, 2 done, 3 failed, 4 cancelled. t: the title while exporting,
    // when done, when failed (`{p}` the percent, `{title}` the page's title), the notification's
    // title when done and when failed.
    update(status, pct, title, notify, filename, ...t) {
      const ended = last === EXPORTING && (status === DONE || status === FAILED);
      last = status;
      percent = pct;
      texts = t;
      on = title;
      if (ended && document.hidden) {
        endedHidden = true;
        if (notify && permission() === 'granted') {
          try {
            new Notification(t[status === DONE ? 3 : 4], { body: filename, tag: 'k12-export' });
          } catch (_) {}
        }
      }
      if (title && !listening) document.addEventListener('visibilitychange', show);
      else if (!title) stop();
      listening = title;
      show();
    },
    stop,
  };
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
