//! A Yew application with the async export button and the export history panel, on the published
//! crates. Its backend is the page's own origin: run the repository's mock backend
//! (`node scripts/mock.mjs`) and serve `dist/` from it, or put a proxy in front of Trunk.
//!
//! ```sh
//! trunk build --public-url /yew-app/   # then serve dist/ at /yew-app/ beside the backend
//! ```

use std::rc::Rc;

use k12_export::components::ExportHistory;
use k12_export::core::json::Json;
use k12_export::core::{Download, Failure};
use k12_export::{AsyncExportButton, Labels, Options};
use yew::prelude::*;

/// The K12 pages' cache config: a start endpoint and its progress endpoint.
const K12_CONFIG: &str = r#"{
  "homework-export": {"method": "GET", "url": "/j/org/{termId}/homework/export", "rest": true, "isPolling": true},
  "homework-export-progress": {"method": "GET", "url": "/j/org/{termId}/homework/export/process", "rest": true, "isPolling": true}
}"#;

/// A MinApp table export, whose backend keeps a list of recent exports.
const MINAPP: &str = r#"{"protocol": "minapp", "tableId": 1, "fileType": "csv", "mode": "all"}"#;

#[function_component]
fn App() -> Html {
    let k12 = use_memo((), |_| Options::k12(K12_CONFIG).expect("the config is valid JSON"));
    let data = use_memo((), |_| Json::parse(r#"{"termId": 1001, "termName": "2024春季班"}"#).unwrap_or(Json::Null));
    let minapp = use_memo((), |_| Options::parse(MINAPP).expect("the options are valid JSON"));
    let en = use_memo((), |_| Rc::new(Labels::en()));
    // Bumped when a MinApp export starts and ends: the history panel reloads its list.
    let refresh = use_state(|| 0u32);
    let bump = {
        let refresh = refresh.clone();
        move || refresh.set(*refresh + 1)
    };

    let ondone = Callback::from(|d: Download| web_sys::console::log_1(&["exported ", &d.filename].concat().into()));
    let onerror = Callback::from(|f: Failure| web_sys::console::warn_1(&f.message().into()));
    let minapp_start = {
        let bump = bump.clone();
        Callback::from(move |()| bump())
    };
    let minapp_done = Callback::from(move |_: Download| bump());

    html! {
        <main>
            <h1>{ "k12-export in a Yew application" }</h1>
            <section id="k12">
                <h2>{ "K12" }</h2>
                <AsyncExportButton
                    options={(*k12).clone()}
                    data={(*data).clone()}
                    filename="K12作业统计-{termName}"
                    {ondone}
                    {onerror}
                />
            </section>
            <section id="minapp">
                <h2>{ "MinApp" }</h2>
                <AsyncExportButton
                    options={(*minapp).clone()}
                    labels={(*en).clone()}
                    label={Some(AttrValue::from("Export products"))}
                    onstart={minapp_start}
                    ondone={minapp_done}
                />
                <ExportHistory options={(*minapp).clone()} labels={(*en).clone()} refresh_key={*refresh} />
            </section>
        </main>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
