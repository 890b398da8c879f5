//! `use_background_tab`: an export's progress and end where a user in another tab sees them —
//! the page title (option `titleProgress`) and a desktop notification (option `notify`).

use std::rc::Rc;

use gloo_events::EventListener;
use k12_export_core::{Status, View};
use yew::prelude::*;

use crate::hooks::use_effect_on::{use_effect_on, EffectKey};
use crate::labels::{fill, Labels};
use crate::waiting::{ask_notify_permission, notify, page_hidden, WaitOptions};

/// The title this widget put up, the page's own one to put back, and what the title shows.
#[derive(Default)]
struct TitleState {
    /// The page's title before the first change.
    original: Option<String>,
    /// The last title set here: restored only while the page still shows it.
    ours: Option<String>,
    /// The last status seen, to notice an export's end.
    last: Status,
    /// The export ended while the page was hidden: the title says so until the page is seen.
    ended_hidden: bool,
    percent: Option<u8>,
    labels: Rc<Labels>,
}

fn document() -> Option<web_sys::Document> {
    web_sys::window().and_then(|w| w.document())
}

impl TitleState {
    fn set(&mut self, title: String) {
        let Some(d) = document() else { return };
        if self.original.is_none() {
            self.original = Some(d.title());
        }
        if self.ours.as_deref() != Some(title.as_str()) {
            d.set_title(&title);
            self.ours = Some(title);
        }
    }

    /// Puts the page's title back, unless the page changed it meanwhile.
    fn restore(&mut self) {
        let (Some(original), Some(ours)) = (self.original.take(), self.ours.take()) else { return };
        if let Some(d) = document() {
            if d.title() == ours {
                d.set_title(&original);
            }
        }
    }

    /// Brings the title up to date with the last status and the page's visibility.
    fn show(&mut self) {
        if !page_hidden() {
            self.ended_hidden = false;
            return self.restore();
        }
        let l = self.labels.clone();
        let template = match self.last {
            Status::Exporting => l.title_progress,
            Status::Done if self.ended_hidden => l.title_done,
            Status::Failed if self.ended_hidden => l.title_failed,
            _ => return self.restore(),
        };
        let pct = self.percent.map_or_else(|| "…".to_owned(), |p| format!("{p}%"));
        let page = self.original.clone().or_else(|| document().map(|d| d.title())).unwrap_or_default();
        self.set(fill(&fill(template, "{p}", &pct), "{title}", &page));
    }
}

/// Shows `view` in the title of a hidden tab and notifies its end, as `options` ask. Returns
/// the callback to call from the user's click that starts an export: only then is the
/// notification permission asked.
#[hook]
pub fn use_background_tab(view: &View, options: WaitOptions, labels: Rc<Labels>) -> Callback<()> {
    let state = use_mut_ref(TitleState::default);
    let status = view.status;
    let percent = view.percent;
    let filename = view.filename.clone();
    {
        let state = state.clone();
        // One number for what the title depends on (status, percent, options): see `use_effect_on`.
        let key = status as u32
            | percent.map_or(255, u32::from) << 4
            | u32::from(options.title) << 12
            | u32::from(options.notify) << 13;
        use_effect_on(
            EffectKey(key, false, None),
            Box::new(move || {
                let mut s = state.borrow_mut();
                let ended = s.last == Status::Exporting && matches!(status, Status::Done | Status::Failed);
                let hidden = page_hidden();
                s.last = status;
                s.percent = percent;
                s.labels = labels.clone();
                if ended && hidden {
                    s.ended_hidden = true;
                    if options.notify {
                        let title = if status == Status::Done { labels.notify_done } else { labels.notify_failed };
                        notify(title, &filename, "k12-export");
                    }
                }
                if options.title {
                    s.show();
                } else {
                    s.restore();
                }
                Box::new(|| ())
            }),
        );
    }
    // Hidden or seen again: the title follows; unmounted: the page's own title is back.
    {
        let state = state.clone();
        let on = options.title;
        use_effect_on(
            EffectKey(1, on, None),
            Box::new(move || {
                let listener = on.then(document).flatten().map(|d| {
                    let state = state.clone();
                    EventListener::new(&d, "visibilitychange", move |_| state.borrow_mut().show())
                });
                Box::new(move || {
                    drop(listener);
                    state.borrow_mut().restore();
                })
            }),
        );
    }
    use_callback(options.notify, |(), &on| {
        if on {
            ask_notify_permission();
        }
    })
}
