//! `ExportHistory`: the current user's recent exports — status, time, progress for running ones,
//! and a re-download action (a fresh signed link where the backend needs one). It refreshes by
//! itself while any job runs and stops when none does.

use std::rc::Rc;

use k12_export_core::history::HistoryView;
use k12_export_core::{HistoryItem, JobState};
use yew::prelude::*;

use crate::components::progress_bar;
use crate::hooks::use_driver::{TransportRef, Update};
use crate::hooks::use_history::use_history;
use crate::labels::{fill, Labels};
use crate::options::Options;

/// Props of [`ExportHistory`].
#[derive(Properties, PartialEq, Clone)]
pub struct ExportHistoryProps {
    /// The same backend options as the export button (a protocol with a list endpoint).
    pub options: Options,
    /// Texts.
    #[prop_or_default]
    pub labels: Rc<Labels>,
    /// Heading; default from `labels`.
    #[prop_or_default]
    pub title: Option<AttrValue>,
    /// Bump it to reload the list (e.g. when an export starts).
    #[prop_or_default]
    pub refresh_key: u32,
    /// Sends requests (default: `fetch`).
    #[prop_or_default]
    pub transport: Option<TransportRef>,
}

/// `YYYY-MM-DD HH:MM` in the page's time zone.
fn local_time(ms: f64) -> (String, String) {
    let d = js_sys::Date::new(&ms.into());
    let two = |n: u32| if n < 10 { format!("0{n}") } else { n.to_string() };
    let text = format!(
        "{}-{}-{} {}:{}",
        d.get_full_year(),
        two(d.get_month() + 1),
        two(d.get_date()),
        two(d.get_hours()),
        two(d.get_minutes())
    );
    (text, String::from(d.to_iso_string()))
}

fn state_text(l: &Labels, s: JobState) -> (&'static str, &'static str) {
    let h = &l.history;
    match s {
        JobState::Queued => (h.queued, "queued"),
        JobState::Running => (h.running, "running"),
        JobState::Done => (h.done, "done"),
        JobState::Failed => (h.failed, "failed"),
        JobState::Cancelled => (h.cancelled, "cancelled"),
        JobState::Expired => (h.expired, "expired"),
    }
}

/// The export history panel.
#[function_component]
pub fn ExportHistory(props: &ExportHistoryProps) -> Html {
    let view = use_state_eq(HistoryView::default);
    let heading_id = use_memo((), |_| crate::components::unique_id("k12x-history"));
    let on_update = {
        let view = view.setter();
        Callback::from(move |u: Update<HistoryView, std::convert::Infallible>| view.set(u.view))
    };
    let history = use_history(props.options.clone(), props.refresh_key, props.transport.clone(), on_update);
    let l = &props.labels;
    let h = &l.history;
    let v = &*view;
    let title = props.title.clone().unwrap_or(AttrValue::Static(h.title));
    let onrefresh = history.refresh.reform(|_: MouseEvent| ());

    let item = |it: &HistoryItem| {
        let (state, state_class) = state_text(l, it.state);
        let time = it.created_ms.map(local_time);
        let busy = v.downloading.as_deref() == Some(it.id.as_str());
        let ondownload = {
            let id = it.id.clone();
            history.download.reform(move |_: MouseEvent| id.clone())
        };
        let running = matches!(it.state, JobState::Queued | JobState::Running);
        html! {
            <li class="k12x-history-item" data-state={state_class} key={it.id.clone()}>
                <div class="k12x-history-main">
                    <span class="k12x-history-title" title={it.title.clone()}>{ it.title.clone() }</span>
                    <span class="k12x-history-meta">
                        <span class={classes!("k12x-badge", format!("k12x-badge--{state_class}"))}>{ state }</span>
                        if let Some((text, iso)) = time {
                            <time datetime={iso}>{ text }</time>
                        } else if let Some(t) = &it.created_text {
                            <span>{ t.clone() }</span>
                        }
                    </span>
                    if running {
                        { progress_bar(it.percent, AttrValue::from(format!("{} {}", l.progress, it.title)), Some("k12x-history-bar")) }
                    }
                    if let Some(d) = &it.detail {
                        <span class="k12x-history-detail">{ d.clone() }</span>
                    }
                </div>
                if it.downloadable {
                    <button
                        type="button"
                        class="k12x-btn k12x-history-download"
                        aria-label={fill(h.download_named, "{title}", &it.title)}
                        aria-busy={busy.then_some("true")}
                        aria-disabled={v.downloading.is_some().then_some("true")}
                        onclick={ondownload}
                    >
                        if busy {
                            <span class="k12x-spinner" aria-hidden="true"></span>
                        }
                        { h.download }
                    </button>
                }
            </li>
        }
    };

    html! {
        <section class="k12x k12x-history" aria-labelledby={(*heading_id).clone()} aria-busy={v.loading.then_some("true")}>
            <header class="k12x-history-head">
                <h3 class="k12x-history-heading" id={(*heading_id).clone()}>{ title }</h3>
                <span class="k12x-history-live" aria-live="polite">{ if v.auto_refresh { h.auto_refresh } else { "" } }</span>
                <button type="button" class="k12x-btn k12x-history-refresh" aria-busy={v.loading.then_some("true")} onclick={onrefresh}>
                    if v.loading {
                        <span class="k12x-spinner" aria-hidden="true"></span>
                    }
                    { h.refresh }
                </button>
            </header>
            if let Some(e) = &history.error {
                <p class="k12x-history-error" role="alert">{ format!("{}: {e}", l.misconfigured) }</p>
            } else if let Some(f) = &v.failure {
                <p class="k12x-history-error" role="alert">{ format!("{}：{}", h.error, l.reason(f)) }</p>
            }
            if v.items.is_empty() {
                <p class="k12x-history-empty">{ if v.loaded { h.empty } else { h.loading } }</p>
            } else {
                <ul class="k12x-history-list">{ for v.items.iter().map(item) }</ul>
            }
        </section>
    }
}
