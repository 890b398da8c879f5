// The clipboard, for the link an in-app browser is offered instead of a download. Written in JS,
// where it is a few lines, instead of in Rust, where each browser call is an import of the wasm
// with its glue. Bound in src/in_app.rs; nothing here throws.

// Copies `text` with the Clipboard API; where that is missing or refused (an insecure page, an
// old webview), selects the text of `fallback` (in a shadow root too: the selection is the
// document's) so that a long press copies it. True when copied.
//
// Expected on the way: no Clipboard API (a TypeError: an insecure page, an old webview) or a
// refusal (a DOMException such as NotAllowedError). Anything else is reported on the console,
// and the user is left to copy by hand: the promise never rejects (the wasm awaits it).
/**
 * @param {string} text
 * @param {Element | null | undefined} fallback
 * @returns {Promise<boolean>}
 */
export async function copyText(text, fallback) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (e) {
    if (!(e instanceof TypeError || e instanceof DOMException)) console.error('k12-export: the link could not be copied', e);
  }
  if (!fallback) return false;
  try {
    const range = document.createRange();
    range.selectNodeContents(fallback);
    const selection = getSelection();
    if (!selection) return false;
    selection.removeAllRanges();
    selection.addRange(range);
    return document.execCommand('copy');
  } catch (e) {
    if (!(e instanceof DOMException)) console.error('k12-export: the link could not be selected', e);
    return false;
  }
}
