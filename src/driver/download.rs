//! Handing files to the browser: programmatic downloads, spaced so that none is dropped, that
//! never take the page away (a file on another origin is fetched in a hidden iframe), and files
//! built here saved through Blob URLs. The browser's side is in JS (`download.js`): a few
//! lines there, a dozen imports of the wasm here.

use wasm_bindgen::prelude::wasm_bindgen;

/// Downloads of the page wait their turn, this far apart: browsers drop programmatic downloads
/// that come in a burst (Chromium lets about ten through), which a page with many export
/// buttons can produce. (`SPACING_MS` in `download.js`.)
pub const DOWNLOAD_SPACING_MS: u32 = 150;

#[wasm_bindgen(module = "/src/driver/download.js")]
extern "C" {
    /// Starts a download — at once, or after the downloads already waiting — that never takes
    /// the page away, whatever the link answers: same-origin and blob: files through a
    /// programmatic `<a href download>` click (named `filename`), files on another origin in a
    /// hidden iframe (named by the server's `Content-Disposition`).
    pub fn download(url: &str, filename: &str);
    /// Whether `url` is on another origin than the page: a link there is not downloaded but
    /// followed (browsers ignore `download` across origins), so it opens in a new tab.
    pub fn foreign(url: &str) -> bool;
    /// The page's address that links are resolved against (`document.baseURI`): the machine's
    /// [`Settings::base`](k12_export_core::Settings::base).
    #[wasm_bindgen(js_name = pageBase)]
    pub fn page_base() -> String;
    #[wasm_bindgen(js_name = save)]
    fn save_bytes(bytes: &[u8], mime: &str, filename: &str) -> Option<String>;
    fn revoke(url: &str);
}

/// A Blob URL, revoked when dropped: with the next file, or when the driver goes away.
/// (Revoking at once can cancel the download in some browsers.)
pub struct BlobUrl(String);

impl BlobUrl {
    /// The URL.
    pub fn url(&self) -> &str {
        &self.0
    }
}

impl Drop for BlobUrl {
    fn drop(&mut self) {
        revoke(&self.0);
    }
}

/// Saves bytes built in the browser through a Blob URL, and downloads it; `None` when the
/// browser refused.
pub fn save(bytes: &[u8], mime: &str, filename: &str) -> Option<BlobUrl> {
    save_bytes(bytes, mime, filename).map(BlobUrl)
}
