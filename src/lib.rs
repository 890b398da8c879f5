//! An async export button for [Yew](https://yew.rs) applications, in Rust and WebAssembly.
//!
//! Click "导出" and [`AsyncExportButton`] starts the export job, polls its progress (grey and busy
//! meanwhile, with filename, progress bar and percent on hover or focus), downloads the file when
//! it is ready, and shows a "导出失败" toast when anything goes wrong. Leaving the page or
//! unmounting the button stops the export at once. [`ExportHistory`](components::ExportHistory)
//! (feature `backends`) lists the user's recent exports with a re-download action.
//!
//! # A Yew application
//!
//! ```toml
//! [dependencies]
//! k12-export = "0.1"
//! yew = { version = "0.23", features = ["csr"] }
//! ```
//!
//! The components render the class names of the widget's stylesheet (`www/k12-export.css`, also
//! [`STYLESHEET`]): link it from the page once, e.g. Trunk's
//! `<link data-trunk rel="css" href="…/k12-export.css">` in `index.html` — a file, which a
//! Content-Security-Policy without `'unsafe-inline'` in `style-src` still takes.
//!
//! ```no_run
//! # #[cfg(feature = "backends")] // ExportHistory
//! # mod app {
//! use std::rc::Rc;
//!
//! use k12_export::components::ExportHistory;
//! use k12_export::core::json::Json;
//! use k12_export::core::{Download, Failure};
//! use k12_export::{AsyncExportButton, Labels, Options};
//! use yew::prelude::*;
//!
//! /// The K12 pages' cache config: a start endpoint and its progress endpoint.
//! const CONFIG: &str = r#"{
//!   "homework-export": {"method": "GET", "url": "/j/org/{termId}/homework/export", "rest": true, "isPolling": true},
//!   "homework-export-progress": {"method": "GET", "url": "/j/org/{termId}/homework/export/process", "rest": true, "isPolling": true}
//! }"#;
//!
//! #[function_component]
//! fn App() -> Html {
//!     // Options are plain JSON, as a plain page writes them; they are checked when the button
//!     // mounts (a bad one shows "导出配置有误" and is reported through `onerror`).
//!     let options = use_memo((), |_| Options::k12(CONFIG).expect("the config is valid JSON"));
//!     let data = use_memo((), |_| Json::parse(r#"{"termId": 1001, "termName": "2024春季班"}"#).unwrap_or(Json::Null));
//!     let history = use_memo((), |_| Options::parse(r#"{"protocol": "minapp", "tableId": 1, "fileType": "csv", "mode": "all"}"#).expect("valid"));
//!     let refresh = use_state(|| 0u32);
//!
//!     let ondone = {
//!         let refresh = refresh.clone();
//!         Callback::from(move |d: Download| {
//!             web_sys::console::log_1(&d.filename.into());
//!             refresh.set(*refresh + 1);
//!         })
//!     };
//!     let onerror = Callback::from(|f: Failure| web_sys::console::warn_1(&f.message().into()));
//!     html! {
//!         <>
//!             <AsyncExportButton
//!                 options={(*options).clone()}
//!                 data={(*data).clone()}
//!                 filename="K12作业统计-{termName}"
//!                 {ondone}
//!                 {onerror}
//!             />
//!             <ExportHistory options={(*history).clone()} refresh_key={*refresh} labels={Rc::new(Labels::en())} />
//!         </>
//!     }
//! }
//!
//! fn main() {
//!     yew::Renderer::<App>::new().render();
//! }
//! # }
//! # fn main() {}
//! ```
//!
//! `examples/yew-app/` in the repository is this application, built and run by its tests against
//! the mock backend.
//!
//! # Options
//!
//! One JSON object configures a button or a history panel, the same for Yew props and plain
//! pages: `protocol` (default `"k12"`) and that protocol's fields, the export `data` and the
//! `filename` template, timeouts and retries, and the widget's own (`titleProgress`, `notify`,
//! `inApp`, `share`; see [`options::PageOptions`]). Every error names its field, and unknown fields are errors
//! too, so a typo is caught at once:
//!
//! ```
//! use k12_export::core::json::Json;
//! use k12_export::Options;
//!
//! let options = Options::parse(r#"{"config": {
//!     "a": {"method": "GET", "url": "/j/org/{termId}/a", "rest": true, "isPolling": true},
//!     "a-progress": {"method": "GET", "url": "/j/org/{termId}/a/process", "rest": true, "isPolling": true}
//! }}"#)?;
//! let data = Json::parse(r#"{"termId": 7}"#)?;
//! assert!(options.resolve(&data, "").is_ok());
//! let typo = options.with("retry", Json::Num(3.0)).resolve(&data, "").unwrap_err();
//! assert_eq!(typo.message(), "options.retry is not a known option");
//! let missing = options.resolve(&Json::Null, "").unwrap_err();
//! assert_eq!(missing.field, "options.data.termId");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Cargo features
//!
//! | feature | default | what it adds | wasm it costs |
//! |---|---|---|---|
//! | `backends` | yes | the four backends after K12 (`protocol` `"export-service"`, `"xlink"`, `"minapp"`, `"asset"`), the export history panel ([`ExportHistory`](components::ExportHistory), [`hooks::use_history`], `mountHistory`), and their texts | about 85 KB raw, 35 KB gzip |
//! | `embed` | no | the plain-page surface (the `embed` module: `mount()`, `mountHistory()` and their handles, the loader's entry points), exported from the wasm by wasm-bindgen. For the embeddable bundle, which turns it on; in a Yew application those exports would be its wasm's too, their code kept and their names (`mount`, …) taken. | about 18 KB raw, 7.5 KB gzip (measured in `examples/yew-app`) |
//! | `small-alloc` | no | a smaller global allocator on wasm32 ([lol_alloc]'s coalescing free list instead of the standard library's dlmalloc). It sets the `#[global_allocator]` of the whole program, so an application turns it on only if it has none of its own. | saves about 4.7 KB raw, 2.1 KB gzip |
//!
//! The costs of `backends` and `small-alloc` are measured on the embeddable bundle (`dist/embed/`:
//! release, `opt-level = "z"`, `wasm-opt -Oz`), where the K12-only runtime is 162 KB raw, 73 KB
//! gzip; that of `embed` on the example application (`examples/yew-app`: the published Yew, release
//! with `opt-level = "z"` and LTO, `wasm-opt -Oz`; 360 KB raw, 153 KB gzip without it). An
//! application built otherwise pays in proportion.
//!
//! **Option checks differ with `backends`.** Without it, the options of a button accept only
//! what the K12 protocol and the widget read:
//!
//! - a `protocol` other than `"k12"` is refused: `options.protocol 'xlink' is not a supported
//!   protocol (supported: k12)`;
//! - the history panel's `historyLimit` and `historyRefreshMs` are refused as unknown
//!   (`options.historyLimit is not a known option`). With `backends` a button accepts them (and
//!   ignores them), so that one options object can serve a button and its history panel.
//!
//! ```
//! use k12_export::core::json::Json;
//! use k12_export::Options;
//!
//! let k12 = Options::parse(r#"{"config": {"a": {"url": "/a"}, "a-progress": {"url": "/a/p"}}}"#)?;
//! let with_limit = k12.with("historyLimit", Json::Num(5.0)).resolve(&Json::Null, "");
//! let xlink = Options::parse(r#"{"protocol": "xlink", "accessToken": "t", "name": "n", "type": 1}"#)?;
//! #[cfg(feature = "backends")]
//! {
//!     assert!(with_limit.is_ok());
//!     assert!(xlink.resolve(&Json::Null, "").is_ok());
//! }
//! #[cfg(not(feature = "backends"))]
//! {
//!     assert_eq!(with_limit.unwrap_err().message(), "options.historyLimit is not a known option");
//!     assert_eq!(
//!         xlink.resolve(&Json::Null, "").unwrap_err().message(),
//!         "options.protocol 'xlink' is not a supported protocol (supported: k12)"
//!     );
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors and panics
//!
//! Bad options, and every answer of a server — malformed, missing, late, hostile — have a defined,
//! visible outcome (the toast, `onerror`), never a panic. A panic would be a bug in the widget. In
//! a Yew application it is reported as Yew reports any: Yew's default panic hook
//! (console_error_panic_hook) writes its message and location to the console. The embeddable
//! bundle for plain pages is built so that a panic aborts at once; its loader then shows the
//! failure toast on that runtime's buttons and says in the console how to report it.
//!
//! # Modules
//!
//! - [`k12_export_core`] (re-exported as [`core`]): the pure protocol machine and its adapters;
//! - [`driver`]: runs a machine with `fetch` and timers;
//! - [`components`]: [`AsyncExportButton`] and its parts;
//! - [`hooks`]: the hooks the components are made of;
//! - `embed` (feature `embed`): `mount()` and the `<k12-export-button>` element for plain pages;
//! - [`options`]: the options a host gives a button or a history panel;
//! - [`labels`]: every text, in Chinese and English;
//! - [`hidden_tab`]: an export seen from another tab: the title of a hidden tab, notifications;
//! - [`in_app`]: in-app browsers (chat apps' webviews), which are offered the file's link.
//!
//! [lol_alloc]: https://docs.rs/lol_alloc
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use k12_export_core as core;

pub mod components;
pub mod driver;
#[cfg(feature = "embed")]
pub mod embed;
pub mod hidden_tab;
pub mod hooks;
pub mod in_app;
pub mod labels;
pub mod options;
#[cfg(test)]
mod seam;

pub use components::{AsyncExportButton, AsyncExportButtonProps};
pub use driver::{Driver, FetchTransport, Transport};
pub use hooks::use_driver::TransportRef;
pub use labels::Labels;
pub use options::Options;

/// The widget's stylesheet (`www/k12-export.css`): the components render its class names. Serve it
/// as a file linked from the page (a strict `style-src` takes that, not markup with the CSS in
/// it), or give this text to the CSSOM (`CssStyleSheet::replace_sync` and the document's
/// `adoptedStyleSheets`). Theme it with the CSS custom properties listed at its top
/// (`--k12x-primary`, `--k12x-radius`, …).
pub const STYLESHEET: &str = include_str!("../www/k12-export.css");

/// The embeddable bundle's allocator (feature `small-alloc`, wasm32 only).
#[cfg(all(feature = "small-alloc", target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

/// The example of `README-crate.md`, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README-crate.md")]
struct ReadmeDoctests;
