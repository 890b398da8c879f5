//! An export seen from another tab: while the page is hidden, its title shows the export's
//! percent and then its end (option `titleProgress`), and a desktop notification says the end
//! (option `notify`); both are written in JS (`src/hidden_tab.js`). The options are read in
//! [`crate::options::PageOptions`].

use k12_export_core::Status;

use crate::labels::Labels;
use crate::options::PageOptions;

// The title and the notifications are in JS (`src/hidden_tab.js`): each is a few lines there,
// and would be several imports of the wasm, with their glue and closures, here.
#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/hidden_tab.js")]
extern "C" {
    /// One button's part of a hidden tab's title (through the page's one title owner, which all
    /// the buttons of the page share: `src/hidden_tab.js`) and of the notifications.
    #[derive(Clone)]
    pub type Tab;
    /// A button's part, doing nothing until [`Tab::show`].
    #[wasm_bindgen(js_name = tab)]
    pub fn new_tab() -> Tab;
    #[wasm_bindgen(method)]
    #[allow(clippy::too_many_arguments)]
    fn update(
        this: &Tab,
        status: u8,
        percent: Option<u8>,
        title: bool,
        notify: bool,
        filename: &str,
        exporting: &str,
        many: &str,
        done: &str,
        failed: &str,
        notify_done: &str,
        notify_failed: &str,
    );
    /// The button is gone: the title no longer shows its export (the page's own title is back when
    /// no other export is shown there).
    #[wasm_bindgen(method)]
    pub fn stop(this: &Tab);
    /// Asks for the permission to notify when `on`, the browser shows a page's notifications (not
    /// Android's Chromium browsers, which let only service workers notify) and it was never
    /// asked. Call only from a user's click. (Every function here takes an argument that needs
    /// glue: the build renames the glue's functions, and a function the wasm would import from
    /// this module directly has none.)
    #[wasm_bindgen(js_name = askNotify)]
    pub fn ask_notify_permission(on: bool);
}

/// A status as `hidden_tab.js` receives it (written into it from here: `crate::seam`).
pub(crate) mod code {
    /// Ready to export.
    pub const IDLE: u8 = 0;
    /// An export runs.
    pub const EXPORTING: u8 = 1;
    /// The last export handed over its file.
    pub const DONE: u8 = 2;
    /// The last export failed.
    pub const FAILED: u8 = 3;
    /// The server cancelled the last export.
    pub const CANCELLED: u8 = 4;
}

impl Tab {
    /// Shows `status` and `percent` in the title of the page while it is hidden (when `options`
    /// ask for it), and notifies the end of an export that ends there.
    pub fn show(&self, status: Status, percent: Option<u8>, filename: &str, options: PageOptions, l: &Labels) {
        let code = match status {
            Status::Idle => code::IDLE,
            Status::Exporting => code::EXPORTING,
            Status::Done => code::DONE,
            Status::Failed => code::FAILED,
            Status::Cancelled => code::CANCELLED,
        };
        let (title, notify) = (options.title, options.notify);
        let texts = (l.title_progress, l.title_many, l.title_done, l.title_failed, l.notify_done, l.notify_failed);
        self.update(code, percent, title, notify, filename, texts.0, texts.1, texts.2, texts.3, texts.4, texts.5);
    }
}
