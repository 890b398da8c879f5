//! Handing files to the browser: programmatic downloads, spaced so that none is dropped, and
//! files built here saved through Blob URLs.

use std::cell::RefCell;

use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;

/// Downloads of the page wait their turn, this far apart: browsers drop programmatic downloads
/// that come in a burst (Chromium lets about ten through), which a page with many export
/// buttons can produce.
pub const DOWNLOAD_SPACING_MS: u32 = 150;

/// The page's downloads not started yet, and the timer that starts the next one.
#[derive(Default)]
struct DownloadQueue {
    waiting: Vec<(String, String)>,
    timer: Option<Timeout>,
}

thread_local! {
    static DOWNLOADS: RefCell<DownloadQueue> = RefCell::new(DownloadQueue::default());
}

/// Starts a download with a programmatic `<a href download>` click — at once, or after the
/// downloads already waiting. Same-origin files take the name from `filename`; cross-origin ones
/// take it from the server's `Content-Disposition`.
pub fn download(url: &str, filename: &str) {
    let idle = DOWNLOADS.with(|q| {
        let mut q = q.borrow_mut();
        q.waiting.push((url.to_owned(), filename.to_owned()));
        q.timer.is_none()
    });
    if idle {
        next_download();
    }
}

/// Clicks the next waiting download and, if more wait, arms the timer for the one after.
fn next_download() {
    let next = DOWNLOADS.with(|q| {
        let mut q = q.borrow_mut();
        let next = (!q.waiting.is_empty()).then(|| q.waiting.remove(0));
        q.timer = next.is_some().then(|| Timeout::new(DOWNLOAD_SPACING_MS, next_download));
        next
    });
    if let Some((url, filename)) = next {
        click_download(&url, &filename);
        // The spacing counts from the click: adding and clicking the anchor can take tens of
        // milliseconds (WebKit, a large page). The timer armed above kept re-entrant calls queued.
        DOWNLOADS.with(|q| {
            let mut q = q.borrow_mut();
            if q.timer.is_some() {
                q.timer = Some(Timeout::new(DOWNLOAD_SPACING_MS, next_download));
            }
        });
    }
}

fn click_download(url: &str, filename: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(a) = document.create_element("a") else { return };
    let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>() else { return };
    a.set_href(url);
    a.set_download(filename);
    a.set_rel("noopener");
    let _ = a.set_attribute("hidden", "");
    let _ = a.set_attribute("data-k12x-download", "");
    if let Some(body) = document.body() {
        let _ = body.append_child(&a);
        a.click();
        a.remove();
    } else {
        a.click();
    }
}

/// A Blob URL, revoked when dropped: with the next file, or when the exporter goes away.
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
        let _ = web_sys::Url::revoke_object_url(&self.0);
    }
}

/// Saves bytes built in the browser through a Blob URL.
pub fn save(bytes: &[u8], mime: &str, filename: &str) -> Option<BlobUrl> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let props = web_sys::BlobPropertyBag::new();
    props.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &props).ok()?;
    let url = BlobUrl(web_sys::Url::create_object_url_with_blob(&blob).ok()?);
    download(url.url(), filename);
    Some(url)
}
