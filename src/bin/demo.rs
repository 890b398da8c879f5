//! The demo page: every state of the export button side by side for designers (from fixed props,
//! no server needed), and live scenarios against the mock backend.

// The page only renders in the browser; natively the binary is a stub.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

use std::rc::Rc;

use k12_export::components::ExportButtonView;
use k12_export::core::json::Json;
use k12_export::core::{Download, FailKind, Failure, Stage, Status, View};
use k12_export::{AsyncExportButton, Labels, Options};
use yew::prelude::*;

const K12_CONFIG: &str = r#"{
  "homework-export": {"method": "GET", "url": "/j/org/{termId}/homework/export", "rest": true, "isPolling": true},
  "homework-export-progress": {"method": "GET", "url": "/j/org/{termId}/homework/export/process", "rest": true, "isPolling": true},
  "test-export": {"method": "GET", "url": "/j/org/{termId}/test/export", "rest": true, "isPolling": true},
  "test-export-progress": {"method": "GET", "url": "/j/org/{termId}/test/export/process", "rest": true, "isPolling": true}
}"#;

const LONG_NAME: &str = "K12阶段测试统计-2025寒假班（高三理科实验班·第二学期·期中阶段测试与单元测验全部成绩汇总）.xlsx";

/// A state in the gallery.
struct Sample {
    title: &'static str,
    note: &'static str,
    view: View,
    open: bool,
    inert: bool,
    toast: Option<Failure>,
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
    let s = |title, note, view, open| Sample {
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
    let done = View {
        status: Status::Done,
        percent: Some(100),
        download: Some(Download {
            url: Some("https://files.example.edu.cn/k12/export/K12作业统计-2024春季班.xlsx".into()),
            filename: "K12作业统计-2024春季班.xlsx".into(),
        }),
        ..idle.clone()
    };
    vec![
        s("空闲", "可点击，悬停无浮层", idle.clone(), false),
        Sample {
            inert: true,
            ..s("导出中", "置灰、不可再次点击，仍可悬停和聚焦", exporting(Some(37), Stage::Running, Some(12)), false)
        },
        Sample {
            inert: true, ..s("悬停 · 0%", "刚开始，尚无进度", exporting(Some(0), Stage::Starting, None), true)
        },
        Sample {
            inert: true,
            ..s("悬停 · 37%", "有预计剩余时间", exporting(Some(37), Stage::Running, Some(12)), true)
        },
        Sample { inert: true, ..s("悬停 · 99%", "即将完成", exporting(Some(99), Stage::Running, None), true) },
        Sample {
            inert: true,
            ..s("悬停 · 进度未知", "后端不提供数字时的不确定进度条", exporting(None, Stage::Running, None), true)
        },
        Sample {
            inert: true,
            ..s("正在生成文件", "进度已满、下载地址尚未返回", exporting(Some(99), Stage::Generating, None), true)
        },
        Sample {
            inert: true,
            ..s(
                "网络重试中",
                "临时故障自动重试",
                View { retrying: true, ..exporting(Some(58), Stage::Running, None) },
                true,
            )
        },
        Sample {
            toast: Some(Failure::new(FailKind::Server).detail(Some("导出任务异常：数据库连接中断"))),
            ..s(
                "导出失败",
                "toast 提示“导出失败”，按钮恢复正常",
                View { status: Status::Failed, ..idle.clone() },
                false,
            )
        },
        s(
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
        Sample { inert: true, ..s("禁用", "aria-disabled，可聚焦", idle.clone(), false) },
        Sample {
            inert: true,
            ..s(
                "超长文件名",
                "最多两行，其余省略",
                View { filename: LONG_NAME.into(), ..exporting(Some(64), Stage::Running, Some(95)) },
                true,
            )
        },
        Sample {
            inert: true,
            narrow: true,
            ..s("窄容器", "浮层不超出视口", exporting(Some(21), Stage::Running, Some(40)), true)
        },
        // Cancel, waiting, background tabs, in-app browsers.
        Sample {
            inert: true,
            ..s(
                "进度停滞",
                "超过 15 秒无进展：说明服务器仍在处理及已等待时间，不再显示旧的预计时间",
                View { stalled_secs: Some(80), ..exporting(Some(63), Stage::Running, None) },
                true,
            )
        },
        Sample {
            inert: true,
            ..s(
                "停滞 · 进度未知",
                "后端不提供数字时同样说明已等待多久",
                View { stalled_secs: Some(25), ..exporting(None, Stage::Running, None) },
                true,
            )
        },
        Sample {
            toast: Some(Failure::new(FailKind::Cancelled).detail(Some("管理员取消了该导出任务"))),
            ..s(
                "服务器取消任务",
                "导出服务返回 status 4：显示为“导出已取消”，而非失败",
                View { status: Status::Cancelled, ..idle.clone() },
                false,
            )
        },
        Sample {
            toast: Some(Failure::new(FailKind::Network)),
            ..s("失败原因 · 网络", "无服务器消息时也说明原因", View { status: Status::Failed, ..idle.clone() }, false)
        },
        Sample {
            in_app: true,
            ..s("应用内浏览器", "微信、企业微信、钉钉内无法下载：提示在浏览器中打开，可复制链接", done, false)
        },
        Sample {
            inert: true,
            ..s(
                "跟随另一标签页的导出",
                "同一导出已在另一标签页进行：显示其进度，不再发起请求，文件只在那边下载一次",
                exporting(Some(46), Stage::Running, Some(9)),
                true,
            )
        },
    ]
}

#[derive(Properties, PartialEq)]
struct GalleryProps {
    dark: bool,
    labels: Rc<Labels>,
}

#[function_component]
fn Gallery(props: &GalleryProps) -> Html {
    let cards = samples().into_iter().enumerate().map(|(i, s)| {
        html! {
            <figure class={classes!("demo-card", s.open.then_some("demo-card--tall"), s.narrow.then_some("demo-card--narrow"))} data-state={s.title}>
                <div class="demo-stage">
                    <ExportButtonView
                        view={s.view}
                        label={props.labels.export}
                        labels={props.labels.clone()}
                        popover_open={s.open}
                        popover_id={AttrValue::from(format!("gallery-pop-{i}-{}", props.dark))}
                        inert={s.inert}
                        toast={s.toast}
                        oncancel={s.cancel.then(Callback::noop)}
                        in_app={s.in_app}
                    />
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

const LIVE: &[Live] = &[
    Live {
        title: "小型作业导出",
        note: "48 名学生，约 4 秒",
        kind: "homework",
        term: (1001, "2024春季班"),
        query: &[],
        extra: "",
    },
    Live {
        title: "大型阶段测试导出",
        note: "100,000 名学生的真实 xlsx",
        kind: "test",
        term: (1004, "2025寒假班"),
        query: &[],
        extra: "",
    },
    Live {
        title: "空导出",
        note: "0 名学生，仍返回文件",
        kind: "homework",
        term: (1002, "2024暑期集训"),
        query: &[],
        extra: "",
    },
    Live {
        title: "40% 时失败",
        note: "code ≠ 0，提示“导出失败”",
        kind: "homework",
        term: (1003, "2024秋季班"),
        query: &[("scenario", "fail"), ("failAt", "40")],
        extra: "",
    },
    Live {
        title: "网络不稳定",
        note: "约 30% 请求 502，自动重试",
        kind: "homework",
        term: (1005, "2025春季班"),
        query: &[("scenario", "flaky")],
        extra: "",
    },
    Live {
        title: "永不结束",
        note: "卡在 63%，20 秒后超时失败",
        kind: "homework",
        term: (1001, "2024春季班"),
        query: &[("scenario", "never-finishes")],
        extra: r#","timeoutMs":20000"#,
    },
    Live {
        title: "约定 A",
        note: "total = n + 1，空文件也有 URL",
        kind: "test",
        term: (1005, "2025春季班"),
        query: &[("scheme", "A")],
        extra: "",
    },
    Live {
        title: "约定 B",
        note: "首次 1/0，URL 晚于 100% 到达",
        kind: "test",
        term: (1005, "2025春季班"),
        query: &[("scheme", "B")],
        extra: "",
    },
    Live {
        title: "HTTP 502 一次",
        note: "网关错误一次后恢复",
        kind: "homework",
        term: (1001, "2024春季班"),
        query: &[("scenario", "http502-once")],
        extra: "",
    },
    Live {
        title: "HTTP 500 始终",
        note: "重试数次后失败",
        kind: "homework",
        term: (1001, "2024春季班"),
        query: &[("scenario", "http500-always")],
        extra: "",
    },
    Live {
        title: "429 限流",
        note: "遵守 Retry-After",
        kind: "homework",
        term: (1001, "2024春季班"),
        query: &[("scenario", "rate-limited")],
        extra: "",
    },
    Live {
        title: "返回非 JSON",
        note: "无法解析的响应，重试后失败",
        kind: "homework",
        term: (1001, "2024春季班"),
        query: &[("scenario", "malformed-json")],
        extra: "",
    },
    Live {
        title: "result 为 null",
        note: "进度未知，文件仍会下载",
        kind: "homework",
        term: (1001, "2024春季班"),
        query: &[("scenario", "result-null")],
        extra: "",
    },
    Live {
        title: "数字为字符串",
        note: "\"loaded\": \"12\"",
        kind: "homework",
        term: (1001, "2024春季班"),
        query: &[("scenario", "string-numbers")],
        extra: "",
    },
    Live {
        title: "loaded > total",
        note: "视为完成并获取地址",
        kind: "homework",
        term: (1001, "2024春季班"),
        query: &[("scenario", "loaded-over-total")],
        extra: "",
    },
    Live {
        title: "URL 永不返回",
        note: "停在“正在生成文件”，20 秒后超时",
        kind: "homework",
        term: (1001, "2024春季班"),
        query: &[("scenario", "url-never")],
        extra: r#","timeoutMs":20000"#,
    },
    Live {
        title: "javascript: 地址",
        note: "拒绝下载并提示失败",
        kind: "homework",
        term: (1001, "2024春季班"),
        query: &[("scenario", "javascript-url")],
        extra: "",
    },
    Live {
        title: "恶意文件名",
        note: "作为纯文本显示",
        kind: "homework",
        term: (1001, "2024春季班"),
        query: &[("scenario", "hostile-filename")],
        extra: "",
    },
    Live {
        title: "启动缓慢",
        note: "开始接口 3 秒后才响应",
        kind: "homework",
        term: (1001, "2024春季班"),
        query: &[("scenario", "slow-start")],
        extra: "",
    },
    // Cancel, waiting, background tabs, in-app browsers.
    Live {
        title: "进度停滞 · 可取消",
        note: "停在 63%：15 秒后说明已等待多久；可随时“取消导出”",
        kind: "homework",
        term: (1001, "2024春季班"),
        query: &[("scenario", "never-finishes")],
        extra: r#","timeoutMs":300000"#,
    },
    Live {
        title: "应用内浏览器",
        note: "inApp: true，完成后提示在浏览器中打开并可复制链接",
        kind: "homework",
        term: (1001, "2024春季班"),
        query: &[("scenario", "fast")],
        extra: r#","inApp":true"#,
    },
    Live {
        title: "后台标签页",
        note: "titleProgress: true，切到其它标签页时标题显示进度与结果",
        kind: "test",
        term: (1005, "2025春季班"),
        query: &[("scenario", "slow")],
        extra: r#","titleProgress":true,"notify":true"#,
    },
    Live {
        title: "多个标签页共享一次导出",
        note: "在两个标签页打开本页，点击其中一个：另一个显示同一进度；关闭先点击的那页，另一页接手并下载",
        kind: "homework",
        term: (1003, "2024秋季班"),
        query: &[("durationMs", "20000")],
        extra: "",
    },
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

#[function_component]
fn Demo() -> Html {
    let dark = use_state(|| false);
    let english = use_state(|| false);
    let labels = Rc::new(if *english { Labels::en() } else { Labels::zh_cn() });
    let toggle = |s: &UseStateHandle<bool>| {
        let s = s.clone();
        Callback::from(move |_: MouseEvent| s.set(!*s))
    };
    html! {
        <div class={classes!("demo", (*dark).then_some("demo--dark"))}>
            <header class="demo-header">
                <div>
                    <h1>{ "异步导出按钮" }</h1>
                    <p>{ "K12 作业统计与阶段测试统计的“导出”：点击开始，悬停查看进度，完成后自动下载。" }</p>
                </div>
                <div class="demo-tools" role="group" aria-label="预览设置">
                    <button type="button" class="demo-toggle" aria-pressed={(*dark).to_string()} onclick={toggle(&dark)}>{ "深色背景" }</button>
                    <button type="button" class="demo-toggle" aria-pressed={(*english).to_string()} onclick={toggle(&english)}>{ "English" }</button>
                </div>
            </header>
            <main>
                <section aria-labelledby="gallery-title">
                    <h2 id="gallery-title">{ "状态一览" }</h2>
                    <p class="demo-lead">{ "固定数据渲染，无需服务器；浅色与深色主题并列。" }</p>
                    <Gallery dark={false} labels={labels.clone()} />
                    <Gallery dark={true} labels={labels.clone()} />
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
