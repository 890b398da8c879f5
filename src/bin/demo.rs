//! The demo page: every state of the export button side by side for designers (from fixed props,
//! no server needed), each in a shadow root of its own as an embedded widget is, with a theme
//! editor applied to all of them live; and live scenarios against the mock backend.

// The page only renders in the browser; natively the binary is a stub (its model is tested).
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code, unused_imports))]

#[path = "demo/editor.rs"]
mod editor;
#[path = "demo/theme.rs"]
mod theme;

use std::rc::Rc;

use k12_export::components::{Ended, ExportButtonView};
use k12_export::core::json::Json;
use k12_export::core::{Cancellation, Download, FailKind, Failure, Stage, Status, View};
use k12_export::{AsyncExportButton, Labels, Options};
use wasm_bindgen::prelude::wasm_bindgen;
use yew::prelude::*;

use crate::editor::Editor;
use crate::theme::{State, Token, WIDGET_CSS};

/// The gallery's own presentation inside each stage (states in place, not floating).
const GALLERY_CSS: &str = include_str!("../../www/gallery.css");

#[wasm_bindgen(module = "/src/bin/demo.js")]
extern "C" {
    /// Gives `host` a shadow root with the widget's and the gallery's stylesheets; returns the
    /// frame to render the state into (in the dark palette when `dark`).
    fn stage(host: &web_sys::Element, widget_css: &str, gallery_css: &str, dark: bool) -> web_sys::Element;
    /// Applies the editor's CSS to the page.
    #[wasm_bindgen(js_name = setPageCss)]
    fn set_page_css(css: &str);
    /// Puts the editor's state in the address, without a history entry.
    #[wasm_bindgen(js_name = replaceHash)]
    fn replace_hash(hash: &str);
    /// Copies `text`; where refused, selects `shown`'s text. Resolves to whether it copied.
    #[wasm_bindgen(js_name = copyText)]
    fn copy_text(text: &str, shown: &web_sys::Element) -> js_sys::Promise;
}

const K12_CONFIG: &str = r#"{
  "homework-export": {"method": "GET", "url": "/j/org/{termId}/homework/export", "rest": true, "isPolling": true},
  "homework-export-progress": {"method": "GET", "url": "/j/org/{termId}/homework/export/process", "rest": true, "isPolling": true},
  "test-export": {"method": "GET", "url": "/j/org/{termId}/test/export", "rest": true, "isPolling": true},
  "test-export-progress": {"method": "GET", "url": "/j/org/{termId}/test/export/process", "rest": true, "isPolling": true}
}"#;

const LONG_NAME: &str = "K12阶段测试统计-2025寒假班（高三理科实验班·第二学期·期中阶段测试与单元测验全部成绩汇总）.xlsx";

/// A state in the gallery.
struct Sample {
    /// Its name in file names (the visual references): ASCII, stable.
    id: &'static str,
    title: &'static str,
    note: &'static str,
    view: View,
    open: bool,
    inert: bool,
    toast: Option<Ended>,
    narrow: bool,
    /// The popover offers "取消导出" (every open popover of a running export does).
    cancel: bool,
    /// The browser cannot download: the link is offered instead.
    in_app: bool,
}

fn exporting(percent: Option<u8>, stage: Stage, eta: Option<u32>) -> View {
    View {
        status: Status::Exporting,
        stage,
        filename: "K12作业统计-2024春季班.xlsx".into(),
        percent,
        eta_secs: eta,
        ..View::default()
    }
}

fn samples() -> Vec<Sample> {
    let idle = View { filename: "K12作业统计-2024春季班".into(), ..View::default() };
    let s = |id, title, note, view, open| Sample {
        id,
        title,
        note,
        view,
        open,
        inert: false,
        toast: None,
        narrow: false,
        cancel: open,
        in_app: false,
    };
    // A running export: grey and inert.
    let busy = |id, title, note, view, open| Sample { inert: true, ..s(id, title, note, view, open) };
    let done = View {
        status: Status::Done,
        percent: Some(100),
        download: Some(Download {
            url: Some("https://files.example.edu.cn/k12/export/K12作业统计-2024春季班.xlsx".into()),
            filename: "K12作业统计-2024春季班.xlsx".into(),
        }),
        ..idle.clone()
    };
    let failed = View { status: Status::Failed, ..idle.clone() };
    vec![
        s("idle", "空闲", "可点击，悬停无浮层", idle.clone(), false),
        busy(
            "busy",
            "导出中",
            "置灰、不可再次点击，仍可悬停和聚焦",
            exporting(Some(37), Stage::Running, Some(12)),
            false,
        ),
        busy("open-0", "悬停 · 0%", "刚开始，尚无进度", exporting(Some(0), Stage::Starting, None), true),
        busy("open-37", "悬停 · 37%", "有预计剩余时间", exporting(Some(37), Stage::Running, Some(12)), true),
        busy("open-99", "悬停 · 99%", "即将完成", exporting(Some(99), Stage::Running, None), true),
        busy(
            "open-unknown",
            "悬停 · 进度未知",
            "后端不提供数字时的不确定进度条",
            exporting(None, Stage::Running, None),
            true,
        ),
        busy(
            "generating",
            "正在生成文件",
            "进度已满、下载地址尚未返回",
            exporting(Some(99), Stage::Generating, None),
            true,
        ),
        busy(
            "retrying",
            "网络重试中",
            "临时故障自动重试",
            View { retrying: true, ..exporting(Some(58), Stage::Running, None) },
            true,
        ),
        Sample {
            toast: Some(Ended::Failed(Failure::new(FailKind::Server).detail(Some("导出任务异常：数据库连接中断")))),
            ..s("failed", "导出失败", "toast 提示“导出失败”，按钮恢复正常", failed.clone(), false)
        },
        s(
            "done",
            "导出完成",
            "已自动下载，保留“下载”链接备用",
            View {
                status: Status::Done,
                percent: Some(100),
                download: Some(Download {
                    url: Some("#".into()), filename: "K12作业统计-2024春季班.xlsx".into()
                }),
                ..idle.clone()
            },
            false,
        ),
        busy("disabled", "禁用", "aria-disabled，可聚焦", idle.clone(), false),
        busy(
            "long-name",
            "超长文件名",
            "最多两行，其余省略",
            View { filename: LONG_NAME.into(), ..exporting(Some(64), Stage::Running, Some(95)) },
            true,
        ),
        Sample {
            narrow: true,
            ..busy(
                "narrow",
                "窄容器",
                "容器（虚线框）比浮层窄：浮层保持自身宽度，不被裁剪",
                exporting(Some(21), Stage::Running, Some(40)),
                true,
            )
        },
        // Cancel, stalled progress, hidden tabs, in-app browsers.
        busy(
            "stalled",
            "进度停滞",
            "超过 15 秒无进展：说明服务器仍在处理及已等待时间，不再显示旧的预计时间",
            View { stalled_secs: Some(80), ..exporting(Some(63), Stage::Running, None) },
            true,
        ),
        busy(
            "stalled-unknown",
            "停滞 · 进度未知",
            "后端不提供数字时同样说明已等待多久",
            View { stalled_secs: Some(25), ..exporting(None, Stage::Running, None) },
            true,
        ),
        Sample {
            toast: Some(Ended::Cancelled(Cancellation::new(Some("管理员取消了该导出任务")))),
            ..s(
                "cancelled",
                "服务器取消任务",
                "导出服务返回 status 4：显示为“导出已取消”，而非失败",
                View { status: Status::Cancelled, ..idle.clone() },
                false,
            )
        },
        Sample {
            toast: Some(Ended::Failed(Failure::new(FailKind::Network))),
            ..s("failed-network", "失败原因 · 网络", "无服务器消息时也说明原因", failed, false)
        },
        Sample {
            in_app: true,
            ..s("in-app", "应用内浏览器", "微信、企业微信、钉钉内无法下载：提示在浏览器中打开，可复制链接", done, false)
        },
        busy(
            "following",
            "跟随另一标签页的导出",
            "同一导出已在另一标签页进行：显示其进度，不再发起请求，文件只在那边下载一次",
            exporting(Some(46), Stage::Running, Some(9)),
            true,
        ),
    ]
}

#[derive(Properties, PartialEq)]
struct StageProps {
    /// The dark palette.
    dark: bool,
    /// Shown in a container narrower than the popover.
    #[prop_or_default]
    narrow: bool,
    /// The state.
    children: Html,
}

/// One state's box, as an embedded widget has it: a `k12-export-button` element whose shadow root
/// carries the widget's stylesheet, so that the editor's CSS (tokens on the element, `::part`
/// rules) applies exactly as it will on a page.
#[function_component]
fn StateStage(props: &StageProps) -> Html {
    let host = use_node_ref();
    let frame = use_state(|| None::<web_sys::Element>);
    {
        let (host, frame) = (host.clone(), frame.clone());
        use_effect_with(props.dark, move |&dark| {
            if let Some(h) = host.cast::<web_sys::Element>() {
                frame.set(Some(stage(&h, WIDGET_CSS, GALLERY_CSS, dark)));
            }
        });
    }
    html! {
        <>
            <k12-export-button ref={host} class={classes!(props.narrow.then_some("narrow"))} />
            { frame.as_ref().map(|f| create_portal(props.children.clone(), f.clone())).unwrap_or_default() }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct GalleryProps {
    dark: bool,
    labels: Rc<Labels>,
}

#[function_component]
fn Gallery(props: &GalleryProps) -> Html {
    let theme = if props.dark { "dark" } else { "light" };
    let cards = samples().into_iter().enumerate().map(|(i, s)| {
        html! {
            <figure class="demo-card" data-state={s.title} data-shot={[theme, "-", s.id].concat()}>
                <div class="demo-stage">
                    <StateStage dark={props.dark} narrow={s.narrow}>
                        <ExportButtonView
                            view={s.view}
                            label={props.labels.export}
                            labels={props.labels.clone()}
                            popover_open={s.open}
                            popover_id={AttrValue::from(format!("gallery-pop-{i}-{theme}"))}
                            inert={s.inert}
                            toast={s.toast}
                            oncancel={s.cancel.then(Callback::noop)}
                            in_app={s.in_app}
                        />
                    </StateStage>
                </div>
                <figcaption><strong>{ s.title }</strong><span>{ s.note }</span></figcaption>
            </figure>
        }
    });
    html! {
        <div class={classes!("demo-gallery", props.dark.then_some("k12x-theme-dark"))}>
            <h3 class="demo-theme-title">{ if props.dark { "深色主题" } else { "浅色主题" } }</h3>
            <div class="demo-grid">{ for cards }</div>
        </div>
    }
}

/// A live scenario against the mock backend.
struct Live {
    title: &'static str,
    note: &'static str,
    kind: &'static str,
    term: (u32, &'static str),
    query: &'static [(&'static str, &'static str)],
    extra: &'static str,
}

/// A live scenario, with the mock's `query`, on the usual export: homework, term 1001.
const fn live(title: &'static str, note: &'static str, query: &'static [(&'static str, &'static str)]) -> Live {
    Live { title, note, kind: "homework", term: (1001, "2024春季班"), query, extra: "" }
}

impl Live {
    /// The same on another term.
    const fn term(self, term: (u32, &'static str)) -> Live {
        Live { term, ..self }
    }

    /// The same on the stage test export of `term`.
    const fn test(self, term: (u32, &'static str)) -> Live {
        Live { kind: "test", term, ..self }
    }

    /// The same with more options (JSON members, each after a comma).
    const fn with(self, extra: &'static str) -> Live {
        Live { extra, ..self }
    }
}

const LIVE: &[Live] = &[
    live("小型作业导出", "48 名学生，约 4 秒", &[]),
    live("大型阶段测试导出", "100,000 名学生的真实 xlsx", &[]).test((1004, "2025寒假班")),
    live("空导出", "0 名学生，仍返回文件", &[]).term((1002, "2024暑期集训")),
    live("40% 时失败", "code ≠ 0，提示“导出失败”", &[("scenario", "fail"), ("failAt", "40")])
        .term((1003, "2024秋季班")),
    live("网络不稳定", "约 30% 请求 502，自动重试", &[("scenario", "flaky")]).term((1005, "2025春季班")),
    live("永不结束", "卡在 63%，20 秒后超时失败", &[("scenario", "never-finishes")]).with(r#","timeoutMs":20000"#),
    live("约定 A", "total = n + 1，空文件也有 URL", &[("scheme", "A")]).test((1005, "2025春季班")),
    live("约定 B", "首次 1/0，URL 晚于 100% 到达", &[("scheme", "B")]).test((1005, "2025春季班")),
    live("HTTP 502 一次", "网关错误一次后恢复", &[("scenario", "http502-once")]),
    live("HTTP 500 始终", "重试数次后失败", &[("scenario", "http500-always")]),
    live("429 限流", "遵守 Retry-After", &[("scenario", "rate-limited")]),
    live("返回非 JSON", "无法解析的响应，重试后失败", &[("scenario", "malformed-json")]),
    live("result 为 null", "进度未知，文件仍会下载", &[("scenario", "result-null")]),
    live("数字为字符串", "\"loaded\": \"12\"", &[("scenario", "string-numbers")]),
    live("loaded > total", "视为完成并获取地址", &[("scenario", "loaded-over-total")]),
    live("URL 永不返回", "停在“正在生成文件”，20 秒后超时", &[("scenario", "url-never")]).with(r#","timeoutMs":20000"#),
    live("javascript: 地址", "拒绝下载并提示失败", &[("scenario", "javascript-url")]),
    live("恶意文件名", "作为纯文本显示", &[("scenario", "hostile-filename")]),
    live("启动缓慢", "开始接口 3 秒后才响应", &[("scenario", "slow-start")]),
    // Cancel, stalled progress, hidden tabs, in-app browsers.
    live("进度停滞 · 可取消", "停在 63%：15 秒后说明已等待多久；可随时“取消导出”", &[("scenario", "never-finishes")])
        .with(r#","timeoutMs":300000"#),
    live("应用内浏览器", "inApp: true，完成后提示在浏览器中打开并可复制链接", &[("scenario", "fast")])
        .with(r#","inApp":true"#),
    live("后台标签页", "titleProgress: true，切到其它标签页时标题显示进度与结果", &[("scenario", "slow")])
        .test((1005, "2025春季班"))
        .with(r#","titleProgress":true,"notify":true"#),
    live(
        "多个标签页共享一次导出",
        "在两个标签页打开本页，点击其中一个：另一个显示同一进度；关闭先点击的那页，另一页接手并下载",
        &[("durationMs", "20000")],
    )
    .term((1003, "2024秋季班")),
];

fn live_options(l: &Live) -> (Options, Json, AttrValue) {
    let (start, progress) = if l.kind == "homework" {
        ("homework-export", "homework-export-progress")
    } else {
        ("test-export", "test-export-progress")
    };
    let text = format!(r#"{{"config":{K12_CONFIG},"start":"{start}","progress":"{progress}"{}}}"#, l.extra);
    let options = Options::parse(&text).unwrap_or_else(|_| Options::from_json(Json::Null));
    let mut data = vec![
        ("termId".to_owned(), Json::from(i64::from(l.term.0))),
        ("termName".to_owned(), Json::from(l.term.1)),
        ("client".to_owned(), Json::from("demo")),
    ];
    for (k, v) in l.query {
        data.push(((*k).to_owned(), Json::from(*v)));
    }
    let template = if l.kind == "homework" { "K12作业统计-{termName}" } else { "K12阶段测试统计-{termName}" };
    (options, Json::Obj(data), AttrValue::from(template))
}

#[derive(Properties, PartialEq)]
struct LiveProps {
    labels: Rc<Labels>,
}

#[function_component]
fn LiveScenarios(props: &LiveProps) -> Html {
    let cards = LIVE.iter().map(|l| {
        let (options, data, filename) = live_options(l);
        html! {
            <figure class="demo-card demo-card--live" data-scenario={l.title}>
                <figcaption><strong>{ l.title }</strong><span>{ l.note }</span></figcaption>
                <div class="demo-stage">
                    <AsyncExportButton {options} {data} {filename} labels={props.labels.clone()} />
                </div>
            </figure>
        }
    });
    html! { <div class="demo-grid">{ for cards }</div> }
}

/// The state a link gives (its fragment), and what in it could not be used.
fn from_address(tokens: &[Token]) -> (State, Vec<String>) {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    State::from_hash(tokens, &hash)
}

#[function_component]
fn Demo() -> Html {
    let tokens = use_memo((), |()| theme::tokens(WIDGET_CSS));
    let start = use_memo((), |()| from_address(&tokens));
    let state = use_state(|| start.0.clone());
    let rejected = use_state(|| Rc::new(start.1.clone()));
    // Bumped when the state comes from outside the editor's fields (a link opened in this tab).
    let epoch = use_state(|| 0u32);
    // What the page shows and what its address says follow the state.
    use_effect_with((*state).clone(), |s| {
        set_page_css(&s.css());
        replace_hash(&s.to_hash());
    });
    // A link pasted into this tab's address bar: the page follows it.
    {
        let (tokens, state, rejected, epoch) = (tokens.clone(), state.clone(), rejected.clone(), epoch.clone());
        use_effect_with((), move |()| {
            let listener = web_sys::window().map(|w| {
                gloo_events::EventListener::new(&w, "hashchange", move |_| {
                    let (s, r) = from_address(&tokens);
                    state.set(s);
                    rejected.set(Rc::new(r));
                    epoch.set(*epoch + 1);
                })
            });
            move || drop(listener)
        });
    }
    let labels = Rc::new(if state.english { Labels::en() } else { Labels::zh_cn() });
    let toggle = |flip: fn(State) -> State| {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.set(flip((*state).clone())))
    };
    let onchange = {
        let state = state.clone();
        Callback::from(move |s: State| state.set(s))
    };
    html! {
        <div class={classes!("demo", state.dark_page.then_some("demo--dark"))}>
            <header class="demo-header">
                <div>
                    <h1>{ "异步导出按钮" }</h1>
                    <p>{ "K12 作业统计与阶段测试统计的“导出”：点击开始，悬停查看进度，完成后自动下载。" }</p>
                </div>
                <div class="demo-tools" role="group" aria-label="预览设置">
                    <button type="button" class="demo-toggle" aria-pressed={state.dark_page.to_string()}
                            onclick={toggle(|s| State { dark_page: !s.dark_page, ..s })}>{ "深色背景" }</button>
                    <button type="button" class="demo-toggle" aria-pressed={state.english.to_string()}
                            onclick={toggle(|s| State { english: !s.english, ..s })}>{ "English" }</button>
                </div>
            </header>
            <main>
                <section aria-labelledby="gallery-title">
                    <h2 id="gallery-title">{ "状态一览" }</h2>
                    <p class="demo-lead">
                        { "固定数据渲染，无需服务器；每个状态都像嵌入页面时一样在自己的 shadow root 里，浅色与深色主题并列。用主题编辑器试改外观，复制 CSS 即可用于页面。" }
                    </p>
                    <div class="demo-play">
                        <Editor tokens={tokens.clone()} state={(*state).clone()} {onchange}
                                rejected={(*rejected).clone()} epoch={*epoch} />
                        <div class="demo-galleries">
                            <Gallery dark={false} labels={labels.clone()} />
                            <Gallery dark={true} labels={labels.clone()} />
                        </div>
                    </div>
                </section>
                <section aria-labelledby="live-title">
                    <h2 id="live-title">{ "实时场景" }</h2>
                    <p class="demo-lead">{ "连接本地模拟后端；每个按钮是一个场景，悬停或用 Tab 聚焦查看进度。" }</p>
                    <LiveScenarios labels={labels.clone()} />
                </section>
                <section aria-labelledby="examples-title">
                    <h2 id="examples-title">{ "嵌入示例" }</h2>
                    <ul class="demo-links">
                        <li><a href="/examples/homework.html">{ "作业统计页（自定义元素 <k12-export-button>）" }</a></li>
                        <li><a href="/examples/stage-test.html">{ "阶段测试统计页（JS mount()）" }</a></li>
                        <li><a href="/examples/backends.html">{ "其它四种导出后端与导出记录面板" }</a></li>
                    </ul>
                </section>
            </main>
        </div>
    }
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("app"));
        if let Some(root) = root {
            yew::Renderer::<Demo>::with_root(root).render();
        }
    }
}
