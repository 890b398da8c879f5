//! The theme editor: one labelled control per public token of the widget's stylesheet, the ready
//! looks, a contrast check beside the colours, "重置" and "复制 CSS".

use std::collections::HashMap;
use std::rc::Rc;

use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::copy_text;
use crate::theme::{self, Kind, Measured, State, Token, PAIRS, PRESETS};

/// Props of [`Editor`].
#[derive(Properties, PartialEq)]
pub struct EditorProps {
    /// The stylesheet's tokens.
    pub tokens: Rc<Vec<Token>>,
    /// What the page shows.
    pub state: State,
    /// A change asked for.
    pub onchange: Callback<State>,
    /// What the link that opened the page held and could not be used.
    pub rejected: Rc<Vec<String>>,
    /// Changes when the state came from elsewhere (a link): what was typed is dropped.
    pub epoch: u32,
}

/// The text of the field an input event came from.
fn input_value(e: &InputEvent) -> String {
    e.target()
        .and_then(|t| js_sys::Reflect::get(&t, &JsValue::from_str("value")).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// A ratio as WCAG states it, rounded down (4.49 is not "4.5").
fn ratio_text(r: f64) -> String {
    format!("{:.1}:1", (r * 10.0).floor() / 10.0)
}

/// The names a link held that could not be used, as a list to read: the first ten, each cut to 40
/// characters (a link may hold anything).
fn named(rejected: &[String]) -> String {
    let mut out: Vec<String> = rejected
        .iter()
        .take(10)
        .map(|n| if n.chars().count() > 40 { n.chars().take(40).chain(['…']).collect() } else { n.clone() })
        .collect();
    if rejected.len() > 10 {
        out.push(String::from("……"));
    }
    out.join("、")
}

/// The id of a token's field.
fn field_id(name: &str) -> String {
    ["tok", name].concat()
}

/// What "复制 CSS" did last.
#[derive(Clone, Debug, PartialEq)]
struct Copy {
    text: String,
    /// `None` while copying; `Some(true)` copied, `Some(false)` refused (the text is selected).
    done: Option<Result<bool, String>>,
}

/// The editor, in an `<aside>`.
#[function_component]
pub fn Editor(props: &EditorProps) -> Html {
    let EditorProps { tokens, state, onchange, rejected, epoch } = props;
    // What was typed in a field, as typed (a value being written may not be one yet).
    let drafts = use_mut_ref(HashMap::<String, String>::new);
    let redraw = use_force_update();
    let copy = use_state(|| None::<Copy>);
    let shown = use_node_ref();
    {
        let drafts = drafts.clone();
        use_effect_with(*epoch, move |_| drafts.borrow_mut().clear());
    }
    // A change of the look makes the text copied before out of date.
    {
        let copy = copy.clone();
        use_effect_with(state.clone(), move |_| copy.set(None));
    }
    // Copied once the text is on the page, so that a refused clipboard can select it there.
    {
        let (copy, shown) = (copy.clone(), shown.clone());
        use_effect_with((*copy).clone(), move |c| {
            if let (Some(Copy { text, done: None }), Some(el)) = (c.clone(), shown.cast::<web_sys::Element>()) {
                let promise = copy_text(&text, &el);
                wasm_bindgen_futures::spawn_local(async move {
                    let done = match wasm_bindgen_futures::JsFuture::from(promise).await {
                        Ok(v) => Ok(v.as_bool() == Some(true)),
                        Err(e) => {
                            web_sys::console::error_2(&JsValue::from_str("复制 CSS 出错:"), &e);
                            Err(e.as_string().unwrap_or_else(|| String::from("浏览器报告了错误")))
                        }
                    };
                    copy.set(Some(Copy { text, done: Some(done) }));
                });
            }
        });
    }

    // A field's input: kept as typed (`draft`: a text field; a colour picker's value is always one,
    // and replaces what was typed beside it), applied when it is a value.
    let set = |name: &str, kind: Kind, draft: bool| {
        let (state, onchange, drafts, redraw, tokens, name) =
            (state.clone(), onchange.clone(), drafts.clone(), redraw.clone(), tokens.clone(), name.to_owned());
        Callback::from(move |e: InputEvent| {
            let mut raw = input_value(&e);
            if draft {
                drafts.borrow_mut().insert(name.clone(), raw.clone());
            } else {
                drafts.borrow_mut().remove(&name);
            }
            // A colour typed without its `#`.
            if kind == Kind::Colour && !raw.trim().is_empty() && !raw.trim_start().starts_with('#') {
                raw = ["#", raw.trim()].concat();
            }
            let value = if raw.trim().is_empty() { Some(None) } else { theme::clean(kind, &raw).map(Some) };
            match value {
                Some(v) => onchange.emit(state.clone().with(&tokens, &name, v)),
                // Not a value (yet): said beside the field; the look keeps the last good one.
                None => redraw.force_update(),
            }
        })
    };
    let fails: usize =
        PAIRS.iter().flat_map(|p| theme::measure(tokens, state, p)).filter(|m| m.is_some_and(|m| m.fails)).count();

    let row = |t: &Token| {
        let name = t.name.as_str();
        let id = field_id(name);
        let note_id = [id.as_str(), "-note"].concat();
        let value = state.value(name);
        let draft = drafts.borrow().get(name).cloned();
        let current = value.unwrap_or(&t.light);
        let problem = draft.as_deref().filter(|d| !d.trim().is_empty() && theme::clean(t.kind, d).is_none()).map(|d| {
            match t.kind {
                Kind::Length => "请输入 0–999 之间的数，最多两位小数",
                Kind::Text => theme::text_problem(d).unwrap_or("不是可用的值"),
                Kind::Colour => "请输入 #rrggbb 或 #rgb",
            }
        });
        let field_value = match t.kind {
            Kind::Colour => draft.clone().unwrap_or_else(|| current.to_owned()),
            Kind::Length => draft.clone().unwrap_or_else(|| theme::px_number(current).to_owned()),
            Kind::Text => draft.clone().unwrap_or_else(|| current.to_owned()),
        };
        let oninput = set(name, t.kind, true);
        let problem_id = [id.as_str(), "-problem"].concat();
        let described = if problem.is_some() { [note_id.as_str(), " ", &problem_id].concat() } else { note_id.clone() };
        let control = match t.kind {
            // The picker, and its value as text beside it: typed or pasted, and the way a keyboard
            // reaches the colour where the engine keeps a picker out of the Tab order (WebKitGTK).
            Kind::Colour => html! {
                <>
                    <input type="color" id={id.clone()} value={current.to_owned()} aria-describedby={described.clone()}
                           oninput={set(name, t.kind, false)} />
                    <input type="text" class="pg-hex" value={field_value} aria-label={[name, " 的色值（#rrggbb）"].concat()}
                           data-hex-for={name.to_owned()} maxlength="7" spellcheck="false" autocomplete="off"
                           aria-describedby={described} aria-invalid={problem.is_some().then_some("true")} {oninput} />
                </>
            },
            Kind::Length => html! {
                <>
                    <input type="number" id={id.clone()} class="pg-number" min="0" max="999" step="1" inputmode="decimal"
                           value={field_value} aria-describedby={described} aria-invalid={problem.is_some().then_some("true")} {oninput} />
                    <span class="pg-unit">{ "px" }</span>
                </>
            },
            Kind::Text => html! {
                <input type="text" id={id.clone()} class="pg-text" spellcheck="false" autocomplete="off"
                       value={field_value} aria-describedby={described} aria-invalid={problem.is_some().then_some("true")} {oninput} />
            },
        };
        let defaults = match &t.dark {
            Some(d) if *d != t.light => ["默认 ", &t.light, "，深色主题 ", d].concat(),
            _ => ["默认 ", t.light.as_str()].concat(),
        };
        let pairs = PAIRS.iter().filter(|p| p.fg == name || p.bg == name).map(|p| {
            let [light, dark] = theme::measure(tokens, state, p);
            let fails = [light, dark].iter().any(|m| m.is_some_and(|m| m.fails));
            let whose = if p.fg == name { ["在 ", p.bg, " 上"].concat() } else { [p.fg, " 在其上"].concat() };
            let theme_text = |label: &str, m: Option<Measured>| match m {
                None => html! {},
                Some(m) if m.fails => html! {
                    <span class="pg-ratio pg-ratio--fail">
                        { ["⚠ ", label, " ", &ratio_text(m.ratio), "，低于 ", &ratio_text(p.min.unwrap_or(0.0))].concat() }
                    </span>
                },
                Some(m) => html! { <span class="pg-ratio">{ [label, " ", &ratio_text(m.ratio)].concat() }</span> },
            };
            html! {
                <li class={classes!("pg-pair", fails.then_some("pg-pair--fail"))} data-pair={[p.fg, "|", p.bg].concat()}>
                    <span class="pg-pair-what">{ [p.what, "（", &whose, "）"].concat() }</span>
                    { theme_text("浅色", light) }
                    { theme_text("深色", dark) }
                </li>
            }
        });
        html! {
            <div class={classes!("pg-row", value.is_some().then_some("pg-row--set"))} data-token={name.to_owned()}>
                <label for={id.clone()}><code>{ name.to_owned() }</code></label>
                <div class="pg-control">{ control }</div>
                <p class="pg-note" id={note_id}>
                    if value.is_some() { <span class="pg-changed">{ "已修改" }</span>{ " · " } }
                    { defaults }
                </p>
                if let Some(problem) = problem {
                    <p class="pg-problem" id={problem_id}>{ ["无效：", problem, "；仍使用 ", current].concat() }</p>
                }
                if t.kind == Kind::Colour && PAIRS.iter().any(|p| p.fg == name || p.bg == name) {
                    <ul class="pg-pairs" aria-label={["对比度：", name].concat()}>{ for pairs }</ul>
                }
            </div>
        }
    };
    let colours = tokens.iter().filter(|t| t.kind == Kind::Colour).map(&row);
    let others = tokens.iter().filter(|t| t.kind != Kind::Colour).map(&row);

    let presets = PRESETS.iter().map(|p| {
        let onclick = {
            let (state, onchange, drafts, tokens) = (state.clone(), onchange.clone(), drafts.clone(), tokens.clone());
            Callback::from(move |_: MouseEvent| {
                drafts.borrow_mut().clear();
                onchange.emit(state.clone().with_preset(&tokens, p));
            })
        };
        html! {
            <button type="button" class="pg-preset" aria-pressed={(state.preset == Some(p.id)).to_string()}
                    data-preset={p.id} {onclick}>
                <strong>{ p.name }</strong>
                <span>{ p.note }</span>
            </button>
        }
    });
    let onreset = {
        let (state, onchange, drafts, redraw) = (state.clone(), onchange.clone(), drafts.clone(), redraw.clone());
        Callback::from(move |_: MouseEvent| {
            drafts.borrow_mut().clear();
            onchange.emit(state.clone().reset());
            redraw.force_update();
        })
    };
    let oncopy = {
        let (copy, state) = (copy.clone(), state.clone());
        Callback::from(move |_: MouseEvent| {
            let css = state.css();
            let text =
                if css.is_empty() { String::from("/* 与默认外观相同：无需任何 CSS */\n") } else { css };
            copy.set(Some(Copy { text, done: None }));
        })
    };
    let said = match &*copy {
        None => String::new(),
        Some(Copy { done: None, .. }) => String::from("正在复制…"),
        Some(Copy { done: Some(Ok(true)), .. }) => String::from("已复制到剪贴板："),
        Some(Copy { done: Some(Ok(false)), .. }) => {
            String::from("浏览器未允许写入剪贴板：已选中下面的 CSS，请按 Ctrl+C（⌘C）复制。")
        }
        Some(Copy { done: Some(Err(e)), .. }) => ["复制失败（", e, "）：请手动复制下面的 CSS。"].concat(),
    };
    let changed = state.values.len();
    html! {
        <aside class="pg" aria-labelledby="pg-title">
            <h3 id="pg-title" class="pg-title">{ "主题编辑器" }</h3>
            <p class="pg-lead">
                { "改动即时作用于每个状态（浅色与深色主题）。变量读自 " }<code>{ "www/k12-export.css" }</code>
                { "；地址栏的链接记录当前改动，可直接发给同事。" }
            </p>
            if !rejected.is_empty() {
                <p class="pg-warn" role="alert">
                    { ["链接中有 ", &rejected.len().to_string(), " 项无法使用，已忽略：", &named(rejected)].concat() }
                </p>
            }
            <fieldset class="pg-group">
                <legend>{ "预设外观（变量 + ::part 规则）" }</legend>
                <div class="pg-presets">{ for presets }</div>
            </fieldset>
            <div class="pg-actions">
                <button type="button" class="pg-button" onclick={onreset}>{ "重置" }</button>
                <button type="button" class="pg-button pg-button--primary" onclick={oncopy}>{ "复制 CSS" }</button>
                <span class="pg-count">
                    { if changed == 0 { String::from("未修改变量") } else { ["已修改 ", &changed.to_string(), " 个变量"].concat() } }
                </span>
            </div>
            <p class={classes!("pg-said", said.is_empty().then_some("pg-said--empty"))} role="status">{ said.clone() }</p>
            <pre class="pg-css" ref={shown} tabindex="0" aria-label="复制的 CSS" hidden={copy.is_none()}>
                <code>{ copy.as_ref().map(|c| c.text.clone()).unwrap_or_default() }</code>
            </pre>
            <p class={classes!("pg-summary", (fails > 0).then_some("pg-summary--fail"))} role="status">
                { if fails == 0 {
                    String::from("对比度：全部达到 WCAG AA（文字 4.5:1，图形 3:1）")
                } else {
                    ["⚠ 对比度：", &fails.to_string(), " 处未达到 WCAG AA，见下方标 ⚠ 的颜色"].concat()
                } }
            </p>
            <fieldset class="pg-group">
                <legend>{ "颜色" }</legend>
                { for colours }
            </fieldset>
            <fieldset class="pg-group">
                <legend>{ "尺寸、字体与阴影" }</legend>
                { for others }
            </fieldset>
        </aside>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_links_names_are_listed_short() {
        assert_eq!(named(&["--k12x-a".into(), "preset".into()]), "--k12x-a、preset");
        let many: Vec<String> = (0..12).map(|i| i.to_string()).collect();
        assert_eq!(named(&many), "0、1、2、3、4、5、6、7、8、9、……");
        let long = "x".repeat(1000);
        assert_eq!(named(&[long]).chars().count(), 41);
    }
}
