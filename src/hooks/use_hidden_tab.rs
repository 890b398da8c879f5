//! `use_hidden_tab`: an export's progress and end where a user in another tab sees them —
//! the page title (option `titleProgress`) and a desktop notification (option `notify`), through
//! [`Tab`] (the page's side of it is in JS).

use std::rc::Rc;

use k12_export_core::View;
use yew::prelude::*;

use crate::hidden_tab::{ask_notify_permission, Tab};
use crate::hooks::use_effect_on::{use_effect_on, EffectKey};
use crate::labels::Labels;
use crate::options::PageOptions;

/// Shows `view` in the title of a hidden tab and notifies its end, as `options` ask, through
/// `tab` (the button's for its life: [`crate::hidden_tab::new_tab`]). Returns the callback to call
/// from the user's click that starts an export: only then is the notification permission asked.
#[hook]
pub fn use_hidden_tab(tab: &Tab, view: &View, options: PageOptions, labels: Rc<Labels>) -> Callback<()> {
    let (status, percent, filename) = (view.status, view.percent, view.filename.clone());
    {
        let tab = tab.clone();
        // One number for what the title depends on (status, percent, options): see `use_effect_on`.
        let key = status as u32
            | percent.map_or(255, u32::from) << 4
            | u32::from(options.title) << 12
            | u32::from(options.notify) << 13;
        use_effect_on(
            EffectKey(key, false, None),
            Box::new(move || {
                tab.show(status, percent, &filename, options, &labels);
                Box::new(|| ())
            }),
        );
    }
    // Unmounted: the page's own title is back.
    {
        let tab = tab.clone();
        use_effect_on(EffectKey(1, true, None), Box::new(move || Box::new(move || tab.stop())));
    }
    // In-app browsers have no notifications worth asking for.
    let on = options.notify && !options.in_app;
    Callback::from(move |()| ask_notify_permission(on))
}
