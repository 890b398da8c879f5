//! Every word the widget shows, in Chinese by default and in English on request.

use k12_export_core::small_std::uint;
use k12_export_core::{Cancellation, FailKind, Failure};

/// The widget's texts. `Labels::default()` is zh-CN; [`Labels::en`] is English.
#[derive(Clone, Debug, PartialEq)]
pub struct Labels {
    /// Button text.
    pub export: &'static str,
    /// Shown before the first progress answer.
    pub preparing: &'static str,
    /// Shown while the file is written after progress reached its end.
    pub generating: &'static str,
    /// Shown while retrying after a transient failure.
    pub retrying: &'static str,
    /// `{n}` is replaced by seconds.
    pub eta: &'static str,
    /// The progress bar's accessible name.
    pub progress: &'static str,
    /// The failure toast's title (the spec's exact words).
    pub failed: &'static str,
    /// The toast's close button.
    pub close: &'static str,
    /// The fallback download link.
    pub download: &'static str,
    /// The fallback link's hint.
    pub download_hint: &'static str,
    /// Shown when the options are invalid.
    pub misconfigured: &'static str,
    /// Failure reasons when the server said nothing.
    pub reasons: Reasons,
    /// Texts of the export history panel (with the `backends` feature, as the panel).
    #[cfg(feature = "backends")]
    pub history: HistoryLabels,
    // Cancel, stalled progress, hidden tabs, in-app browsers.
    /// The popover's cancel button.
    pub cancel: &'static str,
    /// Announced when the user cancelled.
    pub cancelled: &'static str,
    /// The toast's title when the server cancelled the job.
    pub cancelled_by_server: &'static str,
    /// Progress stands still: `{t}` is replaced by the waited time ([`Labels::duration`]).
    pub stalled: &'static str,
    /// A duration under a minute: `{s}` seconds.
    pub seconds: &'static str,
    /// A duration of a minute or more: `{m}` minutes, `{s}` seconds.
    pub minutes: &'static str,
    /// A request got no answer in time, after every retry.
    pub no_answer: &'static str,
    /// The page title while a hidden tab exports: `{p}` percent, `{title}` the page's own title.
    pub title_progress: &'static str,
    /// The page title while several exports of the page run in a hidden tab: `{p}` the least
    /// advanced percent, `{n}` how many, `{title}` the page's own title.
    pub title_many: &'static str,
    /// The page title when the export finished in a hidden tab.
    pub title_done: &'static str,
    /// The page title when the export failed in a hidden tab.
    pub title_failed: &'static str,
    /// The desktop notification's title when the file is ready.
    pub notify_done: &'static str,
    /// The desktop notification's title when the export failed.
    pub notify_failed: &'static str,
    /// In-app browsers: the heading of the guidance.
    pub in_app: &'static str,
    /// In-app browsers: what to do.
    pub in_app_hint: &'static str,
    /// In-app browsers: the copy-link button.
    pub copy_link: &'static str,
    /// In-app browsers: said once the link is copied.
    pub copied: &'static str,
    /// In-app browsers: said when copying failed (the link is selected instead).
    pub copy_failed: &'static str,
    /// In-app browsers, a file built in the page (which cannot be opened elsewhere; with the
    /// `backends` feature, as only those build files): the heading.
    #[cfg(feature = "backends")]
    pub in_app_built: &'static str,
    /// In-app browsers, a file built in the page: what to do.
    #[cfg(feature = "backends")]
    pub in_app_built_hint: &'static str,
    /// In-app browsers, a file built in the page: the copy-the-page's-link button.
    #[cfg(feature = "backends")]
    pub copy_page_link: &'static str,
}

/// Texts of the export history panel.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryLabels {
    /// The panel's heading.
    pub title: &'static str,
    /// The refresh button.
    pub refresh: &'static str,
    /// Before the first list arrives.
    pub loading: &'static str,
    /// No exports.
    pub empty: &'static str,
    /// Shown while the list refreshes by itself.
    pub auto_refresh: &'static str,
    /// The re-download button (`{title}` is replaced in its accessible name).
    pub download: &'static str,
    /// The re-download button's accessible name.
    pub download_named: &'static str,
    /// Job states.
    pub queued: &'static str,
    /// Job states.
    pub running: &'static str,
    /// Job states.
    pub done: &'static str,
    /// Job states.
    pub failed: &'static str,
    /// Job states.
    pub cancelled: &'static str,
    /// Job states.
    pub expired: &'static str,
    /// Prefix of the failure line.
    pub error: &'static str,
}

/// Why the widget cannot run at all (a Content-Security-Policy without `'wasm-unsafe-eval'`, a
/// runtime file that does not load, no WebAssembly) or any more (its runtime crashed: a panic, in
/// the embeddable bundle a trap, after which the loader stops it), as the loader says it without
/// the wasm: the cause's name (the `cause` of the `export-error` event), then zh-CN and English.
/// Written into the loader (`www/embed/k12-export.js`) by `crate::seam`; not in the wasm.
pub const UNAVAILABLE: [(&str, &str, &str); 4] = [
    ("csp", "页面的安全设置不允许运行导出组件", "The page's security settings block the export component"),
    ("load", "导出组件加载失败，请刷新页面重试", "The export component failed to load; reload the page"),
    ("unsupported", "当前浏览器无法运行导出组件", "This browser cannot run the export component"),
    ("crashed", "导出组件出错，请刷新页面", "The export component crashed; reload the page"),
];

/// One sentence per failure kind.
#[derive(Clone, Debug, PartialEq)]
pub struct Reasons {
    /// [`FailKind::Server`]
    pub server: &'static str,
    /// [`FailKind::Http`]: `{status}` is replaced.
    pub http: &'static str,
    /// [`FailKind::Network`]
    pub network: &'static str,
    /// [`FailKind::BadResponse`]
    pub bad_response: &'static str,
    /// [`FailKind::UnsafeUrl`]
    pub unsafe_url: &'static str,
    /// [`FailKind::TimedOut`]
    pub timed_out: &'static str,
    /// [`FailKind::Rejected`]
    pub rejected: &'static str,
    /// A job the server ended ([`Cancellation`]) without words of its own.
    pub cancelled: &'static str,
}

impl Default for Labels {
    fn default() -> Labels {
        Labels::zh_cn()
    }
}

impl Labels {
    /// Simplified Chinese (the default).
    pub fn zh_cn() -> Labels {
        Labels::ZH_CN
    }

    /// English.
    pub fn en() -> Labels {
        Labels::EN
    }

    // Constants, so that a `Labels` is a copy of static data rather than code filling 19 fields.
    const ZH_CN: Labels = Labels {
        export: "导出",
        preparing: "正在准备导出…",
        generating: "正在生成文件…",
        retrying: "网络不稳定，正在重试…",
        eta: "约 {n} 秒",
        progress: "导出进度",
        failed: "导出失败",
        close: "关闭",
        download: "下载",
        download_hint: "若未自动下载，请点击下载",
        misconfigured: "导出配置有误",
        reasons: Reasons {
            server: "服务器处理出错，请稍后重试",
            http: "服务器错误（HTTP {status}）",
            network: "网络异常，请检查网络后重试",
            bad_response: "服务器返回了无法识别的数据",
            unsafe_url: "下载地址不安全，已阻止",
            timed_out: "导出超时，请稍后重试",
            rejected: "服务器拒绝了本次导出",
            cancelled: "导出任务已取消或已过期",
        },
        #[cfg(feature = "backends")]
        history: HistoryLabels {
            title: "导出记录",
            refresh: "刷新",
            loading: "正在加载导出记录…",
            empty: "最近没有导出记录",
            auto_refresh: "有任务进行中，自动刷新",
            download: "下载",
            download_named: "下载 {title}",
            queued: "等待中",
            running: "导出中",
            done: "已完成",
            failed: "失败",
            cancelled: "已取消",
            expired: "已过期",
            error: "导出记录加载失败",
        },
        cancel: "取消导出",
        cancelled: "已取消导出",
        cancelled_by_server: "导出已取消",
        stalled: "服务器仍在处理，已等待 {t}",
        seconds: "{s} 秒",
        minutes: "{m} 分 {s} 秒",
        no_answer: "服务器长时间没有响应，请稍后重试",
        title_progress: "{p} 导出中 – {title}",
        title_many: "{p} 导出中（共 {n} 个）– {title}",
        title_done: "✓ 导出完成 – {title}",
        title_failed: "✗ 导出失败 – {title}",
        notify_done: "导出完成",
        notify_failed: "导出失败",
        in_app: "请在浏览器中打开",
        in_app_hint: "当前应用内无法直接下载文件。请点右上角“…”选择“在浏览器中打开”，或复制链接到浏览器中下载。",
        copy_link: "复制链接",
        copied: "链接已复制，请粘贴到浏览器中打开",
        copy_failed: "无法自动复制，请长按链接手动复制",
        #[cfg(feature = "backends")]
        in_app_built: "请在浏览器中打开本页面后导出",
        #[cfg(feature = "backends")]
        in_app_built_hint: "文件在页面中生成，当前应用内可能无法保存。请点右上角“…”选择“在浏览器中打开”后再导出，或复制页面链接到浏览器中打开。",
        #[cfg(feature = "backends")]
        copy_page_link: "复制页面链接",
    };

    const EN: Labels = Labels {
        export: "Export",
        preparing: "Preparing export…",
        generating: "Generating file…",
        retrying: "Connection unstable, retrying…",
        eta: "about {n} s left",
        progress: "Export progress",
        failed: "Export failed",
        close: "Close",
        download: "Download",
        download_hint: "If the download did not start, click here",
        misconfigured: "Export is misconfigured",
        reasons: Reasons {
            server: "The server could not complete the export",
            http: "Server error (HTTP {status})",
            network: "Network error, please check your connection",
            bad_response: "The server sent an answer that could not be read",
            unsafe_url: "The download address was unsafe and was blocked",
            timed_out: "The export took too long",
            rejected: "The server refused the export",
            cancelled: "The export was cancelled or has expired",
        },
        #[cfg(feature = "backends")]
        history: HistoryLabels {
            title: "Export history",
            refresh: "Refresh",
            loading: "Loading export history…",
            empty: "No recent exports",
            auto_refresh: "Refreshing while exports run",
            download: "Download",
            download_named: "Download {title}",
            queued: "Queued",
            running: "Exporting",
            done: "Done",
            failed: "Failed",
            cancelled: "Cancelled",
            expired: "Expired",
            error: "Could not load the export history",
        },
        cancel: "Cancel export",
        cancelled: "Export cancelled",
        cancelled_by_server: "Export cancelled",
        stalled: "The server is still working, waited {t}",
        seconds: "{s} s",
        minutes: "{m} min {s} s",
        no_answer: "The server did not answer in time, please try again later",
        title_progress: "{p} exporting – {title}",
        title_many: "{p} exporting ({n} files) – {title}",
        title_done: "✓ Export done – {title}",
        title_failed: "✗ Export failed – {title}",
        notify_done: "Export done",
        notify_failed: "Export failed",
        in_app: "Please open this page in your browser",
        in_app_hint: "This app cannot download files. Use the “…” menu to open the page in your browser, or copy the link into a browser.",
        copy_link: "Copy link",
        copied: "Link copied, paste it into your browser",
        copy_failed: "Could not copy: press and hold the link to copy it",
        #[cfg(feature = "backends")]
        in_app_built: "Open this page in your browser to export",
        #[cfg(feature = "backends")]
        in_app_built_hint: "The file is made in this page, and this app may not save it. Use the “…” menu to open the page in your browser and export there, or copy the page's link into a browser.",
        #[cfg(feature = "backends")]
        copy_page_link: "Copy page link",
    };

    /// Labels for a BCP 47 tag: English for `en*`, Chinese otherwise.
    pub fn for_lang(lang: &str) -> Labels {
        if lang.trim().to_ascii_lowercase().starts_with("en") {
            Labels::en()
        } else {
            Labels::zh_cn()
        }
    }

    /// The estimated time left, e.g. "约 12 秒".
    pub fn eta_text(&self, secs: u32) -> String {
        fill(self.eta, "{n}", &uint(secs.into()))
    }

    /// "服务器仍在处理，已等待 1 分 20 秒".
    pub fn stalled_text(&self, secs: u32) -> String {
        fill(self.stalled, "{t}", &self.duration(secs))
    }

    /// "20 秒", "1 分 20 秒".
    pub fn duration(&self, secs: u32) -> String {
        let s = uint((secs % 60).into());
        if secs < 60 {
            fill(self.seconds, "{s}", &s)
        } else {
            fill(&fill(self.minutes, "{m}", &uint((secs / 60).into())), "{s}", &s)
        }
    }

    /// A sentence for the toast, in words a teacher understands: the server's own words when it
    /// gave any, else one per kind. The technical details the core keeps for developers ("no
    /// status", "request timed out") are not shown: a request that got no answer in time says so.
    pub fn reason(&self, f: &Failure) -> String {
        let r = &self.reasons;
        match (f.kind, &f.detail) {
            (FailKind::Server | FailKind::Http | FailKind::Rejected, Some(d)) => return d.clone(),
            (FailKind::Network, Some(_)) if *f == k12_export_core::retry::timed_out() => {
                return self.no_answer.to_owned()
            }
            _ => {}
        }
        match f.kind {
            FailKind::Server => r.server.to_owned(),
            FailKind::Http => fill(r.http, "{status}", &f.status.map_or_else(|| "?".to_owned(), |s| uint(s.into()))),
            FailKind::Network => r.network.to_owned(),
            FailKind::BadResponse => r.bad_response.to_owned(),
            FailKind::UnsafeUrl => r.unsafe_url.to_owned(),
            FailKind::TimedOut => r.timed_out.to_owned(),
            FailKind::Rejected => r.rejected.to_owned(),
        }
    }

    /// A sentence for the toast when the server ended the job: its own words, else the label's.
    pub fn cancel_reason(&self, c: &Cancellation) -> String {
        c.detail.clone().unwrap_or_else(|| self.reasons.cancelled.to_owned())
    }
}

/// `template` with every `placeholder` (which starts with `{`) replaced by `value`: what
/// `str::replace` does, found by scanning for `{` (a substring search would bring its own
/// searcher into the wasm for these two uses).
pub(crate) fn fill(template: &str, placeholder: &str, value: &str) -> String {
    let mut out = String::with_capacity(template.len() + value.len());
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        if rest[i..].starts_with(placeholder) {
            out.push_str(value);
            rest = &rest[i + placeholder.len()..];
        } else {
            out.push('{');
            rest = &rest[i + 1..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::{fill, Labels};
    use k12_export_core::{Cancellation, FailKind, Failure};

    #[test]
    fn waited_time_reads_as_minutes_and_seconds() {
        let zh = Labels::zh_cn();
        assert_eq!(zh.stalled_text(20), "服务器仍在处理，已等待 20 秒");
        assert_eq!(zh.stalled_text(80), "服务器仍在处理，已等待 1 分 20 秒");
        assert_eq!(Labels::en().stalled_text(125), "The server is still working, waited 2 min 5 s");
    }

    #[test]
    fn a_job_the_server_ended_shows_its_words_else_the_label() {
        let zh = Labels::zh_cn();
        assert_eq!(zh.cancel_reason(&Cancellation::new(Some("管理员取消"))), "管理员取消");
        assert_eq!(zh.cancel_reason(&Cancellation::default()), zh.reasons.cancelled);
    }

    #[test]
    fn every_failure_has_a_reason_in_words_not_internals() {
        let technical = ["no status", "request timed out", "data is not a list", "finish without download_url"];
        for labels in [Labels::zh_cn(), Labels::en()] {
            for kind in FailKind::ALL {
                let plain = labels.reason(&Failure::new(kind));
                assert!(!plain.is_empty() && !plain.contains('{'), "{kind:?}: {plain}");
                for t in technical {
                    let r = labels.reason(&Failure::new(kind).detail(Some(t)));
                    let own_words = matches!(kind, FailKind::Server | FailKind::Http | FailKind::Rejected);
                    assert_eq!(r.contains(t), own_words, "{kind:?}: {r}");
                    assert!(!r.is_empty());
                }
            }
        }
        let zh = Labels::zh_cn();
        assert_eq!(zh.reason(&k12_export_core::retry::timed_out()), zh.no_answer);
        // An answer over its size limit is an unreadable answer, said as every other one.
        assert_eq!(zh.reason(&k12_export_core::retry::too_large()), "服务器返回了无法识别的数据");
        assert_eq!(zh.reason(&Failure::new(FailKind::Server).detail(Some("数据太多"))), "数据太多");
        assert_eq!(zh.reason(&Failure::new(FailKind::Http).status(403).detail(Some("没有权限"))), "没有权限");
        assert_eq!(zh.reason(&Failure::new(FailKind::Http).status(500)), "服务器错误（HTTP 500）");
        assert_eq!(zh.reason(&Failure::new(FailKind::Network)), "网络异常，请检查网络后重试");
    }

    #[test]
    fn fill_is_replace() {
        for (template, placeholder) in [
            ("约 {n} 秒", "{n}"),
            ("{n}{n} {n", "{n}"),
            ("{{n}} {x} {", "{n}"),
            ("no placeholder", "{n}"),
            ("", "{n}"),
            ("服务器错误（HTTP {status}）", "{status}"),
            ("{status", "{status}"),
        ] {
            assert_eq!(fill(template, placeholder, "12"), template.replace(placeholder, "12"), "{template}");
        }
    }
}
