//! The theme editor's model, free of the browser: the public tokens read from the widget's
//! stylesheet, the values a designer gives them, the CSS they make, the link that carries them,
//! the ready looks (presets) and the contrast of text on its background.

/// The widget's stylesheet, as shipped. The editor's tokens are read from its `.k12x` rule, and
/// every gallery state's shadow root adopts it.
pub const WIDGET_CSS: &str = include_str!("../../../www/k12-export.css");

/// The element a page themes: every rule the editor makes selects it (the gallery's states are
/// shadow hosts of this name, so the preview applies the very CSS that is copied).
pub const HOST: &str = "k12-export-button";

/// What kind of value a token takes, from its default: the control that edits it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `#rrggbb`: a colour picker.
    Colour,
    /// A length in pixels: a number field.
    Length,
    /// Anything else (a font list, a shadow): a text field.
    Text,
}

/// A public custom property of the widget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// Its name, e.g. `--k12x-primary`.
    pub name: String,
    /// The light theme's default, as written in the stylesheet (whitespace collapsed).
    pub light: String,
    /// The dark theme's default, when the dark palette gives one.
    pub dark: Option<String>,
    /// The control that edits it.
    pub kind: Kind,
}

impl Token {
    /// The default in one theme.
    pub fn default_in(&self, dark: bool) -> &str {
        if dark {
            self.dark.as_deref().unwrap_or(&self.light)
        } else {
            &self.light
        }
    }
}

/// The stylesheet without its comments.
fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start + 2..].find("*/").map_or("", |end| &rest[start + 2 + end + 2..]);
    }
    out.push_str(rest);
    out
}

/// The top-level rules of `css` (without comments) as `(selector, body)`; at-rules are skipped.
fn rules(css: &str) -> Vec<(String, String)> {
    let bytes = css.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                let mut depth = 1;
                let mut j = i + 1;
                while j < bytes.len() && depth > 0 {
                    match bytes[j] {
                        b'{' => depth += 1,
                        b'}' => depth -= 1,
                        _ => {}
                    }
                    j += 1;
                }
                let selector = collapse(&css[start..i]);
                if !selector.starts_with('@') {
                    out.push((selector, css[i + 1..j.saturating_sub(1)].to_owned()));
                }
                start = j;
                i = j;
            }
            // A statement at-rule (`@import …;`) between rules.
            b';' => {
                start = i + 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// `s` trimmed, each run of whitespace one space.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every `var(--k12x-NAME, DEFAULT)` of a rule's body, in order.
fn fallbacks(body: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("var(--k12x-") {
        let after = &rest[at + 4..];
        let Some(comma) = after.find(',') else { break };
        let name = after[..comma].trim();
        // The default runs to the parenthesis that closes `var(`.
        let mut depth = 1;
        let mut end = None;
        for (k, c) in after[comma + 1..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(comma + 1 + k);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(end) = end else { break };
        if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            out.push((name.to_owned(), collapse(&after[comma + 1..end])));
        }
        rest = &after[end..];
    }
    out
}

/// The public tokens of the widget's stylesheet: every `var(--k12x-…, default)` that the `.k12x`
/// rule declares, in its order, with the dark palette's defaults where it gives them.
pub fn tokens(css: &str) -> Vec<Token> {
    let all = rules(&strip_comments(css));
    let light = all.iter().find(|(s, _)| s == ".k12x").map(|(_, b)| fallbacks(b)).unwrap_or_default();
    let dark = all
        .iter()
        .find(|(s, _)| s.contains(".k12x-theme-dark") && s.ends_with(" .k12x"))
        .map(|(_, b)| fallbacks(b))
        .unwrap_or_default();
    let mut out: Vec<Token> = Vec::new();
    for (name, value) in light {
        if out.iter().any(|t| t.name == name) {
            continue;
        }
        let kind = kind_of(&value);
        let dark = dark.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone());
        let (light, dark) = match kind {
            Kind::Colour => (colour(&value).unwrap_or(value), dark.map(|d| colour(&d).unwrap_or(d))),
            _ => (value, dark),
        };
        out.push(Token { name, light, dark, kind });
    }
    out
}

fn kind_of(value: &str) -> Kind {
    if colour(value).is_some() {
        Kind::Colour
    } else if length(value).is_some() {
        Kind::Length
    } else {
        Kind::Text
    }
}

/// `#rgb` or `#rrggbb` as lowercase `#rrggbb`.
pub fn colour(v: &str) -> Option<String> {
    let hex = v.trim().strip_prefix('#')?;
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let hex = hex.to_ascii_lowercase();
    match hex.len() {
        6 => Some(["#", &hex].concat()),
        3 => Some(hex.chars().fold(String::from("#"), |mut s, c| {
            s.push(c);
            s.push(c);
            s
        })),
        _ => None,
    }
}

/// A length in pixels (`12`, `12px`, `12.5px`; 0 to 999, at most two decimals) as `12px`.
pub fn length(v: &str) -> Option<String> {
    let n = v.trim();
    let n = n.strip_suffix("px").unwrap_or(n).trim();
    let (int, frac) = n.split_once('.').unwrap_or((n, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if int.is_empty() || int.len() > 3 || frac.len() > 2 || !digits(int) || !digits(frac) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let frac = frac.trim_end_matches('0');
    Some(if frac.is_empty() { [int, "px"].concat() } else { [int, ".", frac, "px"].concat() })
}

/// The number of a length (`12px` → `12`), for a number field.
pub fn px_number(v: &str) -> &str {
    v.trim().strip_suffix("px").unwrap_or(v).trim()
}

/// Why a text value cannot go into a declaration, if it cannot: it must stay one value (no `;`,
/// braces, `!`, comments or unbalanced brackets and quotes), load nothing (`url(`, `@`) and be
/// short.
pub fn text_problem(v: &str) -> Option<&'static str> {
    let v = v.trim();
    if v.is_empty() {
        return Some("不能为空");
    }
    if v.chars().count() > 300 {
        return Some("太长（最多 300 个字符）");
    }
    if v.chars().any(|c| matches!(c, ';' | '{' | '}' | '<' | '>' | '\\' | '!' | '@') || c.is_control()) {
        return Some("不能含 ; { } < > \\ ! @");
    }
    let lower = v.to_ascii_lowercase();
    if lower.contains("url(") || lower.contains("/*") || lower.contains("image(") || lower.contains("image-set(") {
        return Some("不能引用图片或含注释");
    }
    let mut depth = 0i32;
    let mut quote = None;
    for c in v.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth < 0 {
                    return Some("括号不成对");
                }
            }
            _ => {}
        }
    }
    if quote.is_some() {
        return Some("引号不成对");
    }
    if depth != 0 {
        return Some("括号不成对");
    }
    None
}

/// `v` as a value of a token of `kind`, normalised; `None` when it is not one.
pub fn clean(kind: Kind, v: &str) -> Option<String> {
    match kind {
        Kind::Colour => colour(v),
        Kind::Length => length(v),
        Kind::Text => text_problem(v).is_none().then(|| collapse(v)),
    }
}

/// A ready look: token values and `::part` rules.
#[derive(Debug, PartialEq, Eq)]
pub struct Preset {
    /// Its id in links (`preset=rounded`).
    pub id: &'static str,
    /// Its name on the page.
    pub name: &'static str,
    /// What it is, in a sentence.
    pub note: &'static str,
    /// Token values (names as in the stylesheet).
    pub tokens: &'static [(&'static str, &'static str)],
    /// `::part` rules: the part's name and its declarations.
    pub parts: &'static [(&'static str, &'static str)],
}

/// The ready looks. Colours are the brand ones only (neutral greys stay the widget's, so that both
/// themes keep their palette); the parts follow the design system's own components.
pub const PRESETS: &[Preset] = &[
    Preset {
        id: "rounded",
        name: "圆角",
        note: "胶囊形按钮，圆角浮层与提示",
        tokens: &[("--k12x-radius", "16px")],
        parts: &[
            ("button", "padding: 0 20px;"),
            ("popover", "border-radius: 14px;"),
            ("bar", "height: 8px; border-radius: 4px;"),
            ("toast", "border-radius: 14px;"),
        ],
    },
    Preset {
        id: "compact",
        name: "紧凑",
        note: "表格工具栏里的小号按钮，较窄的浮层",
        tokens: &[("--k12x-height", "26px"), ("--k12x-font-size", "12px"), ("--k12x-radius", "4px")],
        parts: &[
            ("button", "min-width: 0; padding: 0 10px;"),
            ("popover", "width: 240px; padding: 8px 10px 6px; font-size: 12px;"),
            ("bar", "height: 4px;"),
            ("cancel", "min-height: 24px; padding: 0 8px; font-size: 12px;"),
            ("toast", "padding: 6px 8px 6px 12px; font-size: 13px;"),
        ],
    },
    Preset {
        id: "antd",
        name: "Ant Design",
        note: "antd 5 的默认主题：品牌蓝、阴影与 8 px 进度条",
        tokens: &[
            ("--k12x-primary", "#1677ff"),
            ("--k12x-primary-hover", "#4096ff"),
            ("--k12x-danger", "#ff4d4f"),
            ("--k12x-radius", "6px"),
            ("--k12x-height", "32px"),
            ("--k12x-font-size", "14px"),
            (
                "--k12x-shadow",
                "0 6px 16px 0 rgba(0, 0, 0, 0.08), 0 3px 6px -4px rgba(0, 0, 0, 0.12), 0 9px 28px 8px rgba(0, 0, 0, 0.05)",
            ),
        ],
        parts: &[
            ("button", "box-shadow: 0 2px 0 rgba(0, 0, 0, 0.02);"),
            ("bar", "height: 8px; border-radius: 100px;"),
            ("toast", "padding: 9px 12px; border-radius: 8px;"),
        ],
    },
    Preset {
        id: "element",
        name: "Element UI",
        note: "Element 的默认主题：#409eff、4 px 圆角、带边框的浮层",
        tokens: &[
            ("--k12x-primary", "#409eff"),
            ("--k12x-primary-hover", "#66b1ff"),
            ("--k12x-danger", "#f56c6c"),
            ("--k12x-radius", "4px"),
            ("--k12x-height", "32px"),
            ("--k12x-font-size", "14px"),
            ("--k12x-shadow", "0 2px 12px 0 rgba(0, 0, 0, 0.1)"),
        ],
        parts: &[
            ("button", "padding: 0 20px; font-weight: 500;"),
            ("popover", "border: 1px solid color-mix(in srgb, currentColor 12%, transparent); border-radius: 4px;"),
            ("bar", "height: 6px; border-radius: 100px;"),
            ("toast", "border: 1px solid color-mix(in srgb, currentColor 12%, transparent); border-radius: 4px;"),
        ],
    },
];

/// The preset of id `id`.
pub fn preset(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}

/// What the editor holds: what the page shows, and what a link carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    /// The page's background is dark ("深色背景").
    pub dark_page: bool,
    /// The widget speaks English.
    pub english: bool,
    /// The ready look applied (its `::part` rules), if any.
    pub preset: Option<&'static str>,
    /// The tokens given a value, in the stylesheet's order, each value cleaned for its kind.
    pub values: Vec<(String, String)>,
}

impl State {
    /// The value given to `name`, if any.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// `self` with `name` set to `value` (`None`, or its default: unset), kept in `tokens`' order.
    pub fn with(mut self, tokens: &[Token], name: &str, value: Option<String>) -> State {
        self.values.retain(|(n, _)| n != name);
        let Some(token) = tokens.iter().find(|t| t.name == name) else { return self };
        if let Some(v) = value.filter(|v| *v != token.light || token.dark.as_ref().is_some_and(|d| d != v)) {
            self.values.push((name.to_owned(), v));
        }
        let order = |n: &str| tokens.iter().position(|t| t.name == n);
        self.values.sort_by_key(|(n, _)| order(n));
        self
    }

    /// `self` with the look of `p` (its tokens replace every value given so far).
    pub fn with_preset(self, tokens: &[Token], p: &'static Preset) -> State {
        let mut s = State { preset: Some(p.id), values: Vec::new(), ..self };
        for (name, value) in p.tokens {
            if let Some(t) = tokens.iter().find(|t| t.name == *name) {
                s = s.with(tokens, name, clean(t.kind, value));
            }
        }
        s
    }

    /// Back to the widget's defaults (the page's toggles stay).
    pub fn reset(self) -> State {
        State { preset: None, values: Vec::new(), ..self }
    }

    /// The CSS a page adds for this look: the tokens on the element, then the preset's parts.
    /// Empty when nothing differs from the defaults.
    pub fn css(&self) -> String {
        let mut out = String::new();
        if !self.values.is_empty() {
            out.push_str(HOST);
            out.push_str(" {\n");
            for (name, value) in &self.values {
                out.push_str("  ");
                out.push_str(name);
                out.push_str(": ");
                out.push_str(value);
                out.push_str(";\n");
            }
            out.push_str("}\n");
        }
        for (part, declarations) in self.preset.and_then(preset).map_or(&[][..], |p| p.parts) {
            out.push_str(HOST);
            out.push_str("::part(");
            out.push_str(part);
            out.push_str(") {\n");
            for d in declarations.split_inclusive(';') {
                out.push_str("  ");
                out.push_str(d.trim());
                out.push('\n');
            }
            out.push_str("}\n");
        }
        out
    }

    /// The link's fragment (without `#`): `bg=dark&lang=en&preset=…&--k12x-…=…`, empty for the
    /// page's defaults.
    pub fn to_hash(&self) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if self.dark_page {
            pairs.push(("bg", "dark"));
        }
        if self.english {
            pairs.push(("lang", "en"));
        }
        if let Some(p) = self.preset {
            pairs.push(("preset", p));
        }
        for (n, v) in &self.values {
            pairs.push((n, v));
        }
        pairs.iter().map(|(k, v)| [encode(k), "=".into(), encode(v)].concat()).collect::<Vec<_>>().join("&")
    }

    /// The state a link's fragment (with or without `#`) gives, and what in it was not understood
    /// (an unknown token or preset, a value a token cannot take), for the page to say.
    pub fn from_hash(tokens: &[Token], hash: &str) -> (State, Vec<String>) {
        let mut s = State::default();
        let mut rejected = Vec::new();
        for pair in hash.trim_start_matches('#').split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let (k, v) = (decode(k), decode(v));
            match (k.as_str(), v.as_str()) {
                ("bg", "dark") => s.dark_page = true,
                ("lang", "en") => s.english = true,
                ("bg", "light") | ("lang", "zh-CN") => {}
                ("preset", id) if preset(id).is_some() => s.preset = preset(id).map(|p| p.id),
                (name, value) => match tokens.iter().find(|t| t.name == name) {
                    Some(t) => match clean(t.kind, value) {
                        Some(v) => s = s.with(tokens, name, Some(v)),
                        None => rejected.push(name.to_owned()),
                    },
                    None => rejected.push(name.to_owned()),
                },
            }
        }
        (s, rejected)
    }
}

/// Percent-encoding of everything but letters, digits and `-_.~` (UTF-8).
fn encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// The text percent-encoded in `s` (`+` is a space); invalid UTF-8 becomes U+FFFD.
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| char::from(c).to_digit(16);
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Text (or a graphic) in one colour token on a background in another, and where the widget shows
/// it: what the contrast check measures.
#[derive(Debug, PartialEq)]
pub struct Pair {
    /// The foreground's token.
    pub fg: &'static str,
    /// The background's token.
    pub bg: &'static str,
    /// Where the widget shows it.
    pub what: &'static str,
    /// The ratio WCAG AA asks for (4.5 for text, 3 for a graphic); `None`: none asked (the text
    /// of an unavailable control), shown for information.
    pub min: Option<f64>,
}

/// Every pairing of the widget's colour tokens that the contrast check measures.
pub const PAIRS: &[Pair] = &[
    Pair { fg: "--k12x-text", bg: "--k12x-bg", what: "按钮文字", min: Some(4.5) },
    Pair { fg: "--k12x-primary", bg: "--k12x-bg", what: "悬停按钮文字、“下载”链接", min: Some(4.5) },
    Pair { fg: "--k12x-text", bg: "--k12x-pop-bg", what: "浮层与提示的文字", min: Some(4.5) },
    Pair { fg: "--k12x-text-secondary", bg: "--k12x-pop-bg", what: "进度说明、失败原因", min: Some(4.5) },
    Pair { fg: "--k12x-danger-text", bg: "--k12x-bg", what: "导出记录中的失败说明", min: Some(4.5) },
    Pair { fg: "--k12x-primary-text", bg: "--k12x-bg", what: "导出记录中的“进行中”", min: Some(4.5) },
    Pair { fg: "--k12x-success-text", bg: "--k12x-bg", what: "导出记录中的“已完成”", min: Some(4.5) },
    Pair { fg: "--k12x-primary", bg: "--k12x-track", what: "进度条（图形，3:1）", min: Some(3.0) },
    Pair { fg: "--k12x-danger", bg: "--k12x-pop-bg", what: "失败图标（图形，3:1）", min: Some(3.0) },
    Pair {
        fg: "--k12x-disabled-text",
        bg: "--k12x-disabled-bg",
        what: "导出中、禁用按钮的文字（不可用控件，WCAG 不要求）",
        min: None,
    },
];

/// The relative luminance of `#rrggbb` (WCAG 2).
fn luminance(hex: &str) -> Option<f64> {
    let h = colour(hex)?;
    let channel = |i: usize| -> Option<f64> {
        let c = f64::from(u8::from_str_radix(h.get(i..i + 2)?, 16).ok()?) / 255.0;
        Some(if c <= 0.039_28 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) })
    };
    Some(0.2126 * channel(1)? + 0.7152 * channel(3)? + 0.0722 * channel(5)?)
}

/// The contrast ratio of two colours (1 to 21), `None` unless both are `#rrggbb`.
pub fn contrast(a: &str, b: &str) -> Option<f64> {
    let (la, lb) = (luminance(a)?, luminance(b)?);
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    Some((hi + 0.05) / (lo + 0.05))
}

/// The colour `name` has in one theme under `state`: its value, else the theme's default.
pub fn effective<'a>(tokens: &'a [Token], state: &'a State, name: &str, dark: bool) -> Option<&'a str> {
    state.value(name).or_else(|| tokens.iter().find(|t| t.name == name).map(|t| t.default_in(dark)))
}

/// A pair's ratio in one theme, and whether it falls short.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measured {
    /// The ratio (1 to 21).
    pub ratio: f64,
    /// Below what WCAG AA asks.
    pub fails: bool,
}

/// `pair` measured in the light and the dark theme.
pub fn measure(tokens: &[Token], state: &State, pair: &Pair) -> [Option<Measured>; 2] {
    [false, true].map(|dark| {
        let ratio = contrast(effective(tokens, state, pair.fg, dark)?, effective(tokens, state, pair.bg, dark)?)?;
        // Rounded down to 2 decimals first, as a ratio of 4.499 does not pass.
        Some(Measured { ratio, fails: pair.min.is_some_and(|m| (ratio * 100.0).floor() / 100.0 < m) })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<Token> {
        tokens(WIDGET_CSS)
    }

    #[test]
    fn every_token_of_the_stylesheet_with_its_defaults() {
        let t = all();
        let names: Vec<&str> = t.iter().map(|t| t.name.as_str()).collect();
        for n in [
            "--k12x-primary",
            "--k12x-text",
            "--k12x-bg",
            "--k12x-radius",
            "--k12x-font",
            "--k12x-font-size",
            "--k12x-height",
            "--k12x-shadow",
            "--k12x-danger-text",
        ] {
            assert!(names.contains(&n), "{n} in {names:?}");
        }
        // Each once, as many as the stylesheet's `.k12x` rule names.
        let mut unique = names.clone();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
        let count = strip_comments(WIDGET_CSS)
            .split(".k12x {")
            .nth(1)
            .and_then(|b| b.split('}').next())
            .map(|b| b.matches("var(--k12x-").count());
        assert_eq!(Some(names.len()), count);
        let primary = &t[0];
        assert_eq!(
            (primary.name.as_str(), primary.light.as_str(), primary.kind),
            ("--k12x-primary", "#2468f2", Kind::Colour)
        );
        assert_eq!(primary.dark.as_deref(), Some("#5b8ff9"));
        let radius = t.iter().find(|t| t.name == "--k12x-radius").unwrap();
        assert_eq!((radius.light.as_str(), radius.kind, radius.dark.as_deref()), ("6px", Kind::Length, None));
        let font = t.iter().find(|t| t.name == "--k12x-font").unwrap();
        assert_eq!(font.kind, Kind::Text);
        assert!(font.light.starts_with("-apple-system, BlinkMacSystemFont, \"PingFang SC\""), "{}", font.light);
        assert!(font.light.ends_with("Arial, sans-serif"), "{}", font.light);
        let shadow = t.iter().find(|t| t.name == "--k12x-shadow").unwrap();
        assert_eq!(shadow.light, "0 6px 24px rgba(31, 35, 41, 0.12), 0 1px 3px rgba(31, 35, 41, 0.08)");
        assert_eq!(shadow.kind, Kind::Text);
    }

    #[test]
    fn a_new_token_appears_without_code() {
        let css = ".x { color: var(--k12x-nope, red); }\n/* .k12x { var(--k12x-commented, #fff) } */\n\
                   .k12x {\n  --_a: var(--k12x-a, #ABC);\n  --_b: var(--k12x-b, calc(2px + 1px));\n  --_c: var(--k12x-c , 3px);\n}\n\
                   @media (prefers-color-scheme: dark) { :where([data-k12x-theme=\"auto\"]) .k12x { --_a: var(--k12x-a, #000); } }\n\
                   :where(.k12x-theme-dark, [data-k12x-theme=\"dark\"]) .k12x { --_a: var(--k12x-a, #111111); }";
        let t = tokens(css);
        assert_eq!(
            t,
            vec![
                Token {
                    name: "--k12x-a".into(),
                    light: "#aabbcc".into(),
                    dark: Some("#111111".into()),
                    kind: Kind::Colour
                },
                Token { name: "--k12x-b".into(), light: "calc(2px + 1px)".into(), dark: None, kind: Kind::Text },
                Token { name: "--k12x-c".into(), light: "3px".into(), dark: None, kind: Kind::Length },
            ]
        );
    }

    #[test]
    fn values_are_cleaned_for_their_kind() {
        assert_eq!(clean(Kind::Colour, "#FF0000"), Some("#ff0000".into()));
        assert_eq!(clean(Kind::Colour, "#f00"), Some("#ff0000".into()));
        assert_eq!(clean(Kind::Colour, "red"), None);
        assert_eq!(clean(Kind::Colour, "#ff00001"), None);
        assert_eq!(clean(Kind::Length, "16"), Some("16px".into()));
        assert_eq!(clean(Kind::Length, " 016.50px "), Some("16.5px".into()));
        assert_eq!(clean(Kind::Length, "0"), Some("0px".into()));
        assert_eq!(clean(Kind::Length, "-1px"), None);
        assert_eq!(clean(Kind::Length, "1e3"), None);
        assert_eq!(clean(Kind::Length, "1000"), None);
        assert_eq!(clean(Kind::Length, "1.234"), None);
        assert_eq!(clean(Kind::Text, "  \"Noto Sans SC\",   sans-serif "), Some("\"Noto Sans SC\", sans-serif".into()));
        for bad in [
            "a; color: red",
            "x } body { display: none",
            "url(https://e.example/x.png)",
            "a /* b",
            "\"a",
            "f(",
            "a) b(",
            "1px !important",
            "@import x",
            "",
        ] {
            assert_eq!(clean(Kind::Text, bad), None, "{bad}");
        }
        assert_eq!(clean(Kind::Text, "0 2px 4px rgba(0, 0, 0, 0.1)"), Some("0 2px 4px rgba(0, 0, 0, 0.1)".into()));
    }

    #[test]
    fn the_css_sets_the_changed_tokens_and_the_presets_parts() {
        let t = all();
        let s = State::default();
        assert_eq!(s.css(), "");
        let s = s.with(&t, "--k12x-radius", Some("16px".into())).with(&t, "--k12x-primary", Some("#ff0000".into()));
        assert_eq!(s.css(), "k12-export-button {\n  --k12x-primary: #ff0000;\n  --k12x-radius: 16px;\n}\n");
        // Back to its default: unset.
        let s = s.with(&t, "--k12x-radius", Some("6px".into()));
        assert_eq!(s.values, vec![("--k12x-primary".to_owned(), "#ff0000".to_owned())]);
        // A colour equal to the light default is still set when the dark theme's differs.
        let s = s.with(&t, "--k12x-primary", Some("#2468f2".into()));
        assert_eq!(s.value("--k12x-primary"), Some("#2468f2"));
        let rounded = preset("rounded").unwrap();
        let s = s.with_preset(&t, rounded);
        assert_eq!(
            s.css(),
            "k12-export-button {\n  --k12x-radius: 16px;\n}\n\
             k12-export-button::part(button) {\n  padding: 0 20px;\n}\n\
             k12-export-button::part(popover) {\n  border-radius: 14px;\n}\n\
             k12-export-button::part(bar) {\n  height: 8px;\n  border-radius: 4px;\n}\n\
             k12-export-button::part(toast) {\n  border-radius: 14px;\n}\n"
        );
        assert_eq!(s.clone().reset().css(), "");
    }

    #[test]
    fn every_preset_names_tokens_of_the_stylesheet_with_values_they_take() {
        let t = all();
        for p in PRESETS {
            for (name, value) in p.tokens {
                let token =
                    t.iter().find(|t| t.name == *name).unwrap_or_else(|| panic!("{}: {name} is no token", p.id));
                assert_eq!(clean(token.kind, value).as_deref(), Some(*value), "{}: {name}", p.id);
            }
            let s = State::default().with_preset(&t, p);
            assert_eq!(s.preset, Some(p.id));
            for (name, value) in &s.values {
                assert!(p.tokens.contains(&(name.as_str(), value.as_str())), "{}: {name}", p.id);
            }
            for (part, declarations) in p.parts {
                assert!(["button", "popover", "bar", "toast", "in-app", "cancel"].contains(part), "{}: {part}", p.id);
                assert!(
                    declarations.trim_end().ends_with(';') && !declarations.contains(['{', '}']),
                    "{}: {declarations}",
                    p.id
                );
            }
        }
    }

    #[test]
    fn a_link_carries_the_state_and_says_what_it_could_not_take() {
        let t = all();
        let s = State { dark_page: true, english: true, ..State::default() }
            .with_preset(&t, preset("element").unwrap())
            .with(&t, "--k12x-font", Some("\"思源黑体\", sans-serif".into()));
        let hash = s.to_hash();
        assert!(hash.starts_with("bg=dark&lang=en&preset=element&--k12x-primary=%23409eff&"), "{hash}");
        assert!(hash.split('&').all(|p| !p.contains(['#', ' ', '"'])), "{hash}");
        assert_eq!(State::from_hash(&t, &["#", &hash].concat()), (s, vec![]));
        let (s, rejected) = State::from_hash(
            &t,
            "preset=nope&--k12x-primary=red&--k12x-radius=12&--k12x-font=a%3B%7D&--k12x-evil=1&lang=en&%E4%BD%A0=%ZZ",
        );
        assert_eq!(
            s,
            State { english: true, values: vec![("--k12x-radius".into(), "12px".into())], ..State::default() }
        );
        assert_eq!(rejected, vec!["preset", "--k12x-primary", "--k12x-font", "--k12x-evil", "你"]);
        assert_eq!(State::from_hash(&t, ""), (State::default(), vec![]));
        assert_eq!(State::default().to_hash(), "");
    }

    #[test]
    fn contrast_as_wcag_computes_it() {
        assert_eq!(contrast("#000000", "#ffffff").map(|r| (r * 100.0).round()), Some(2100.0));
        assert_eq!(contrast("#ffffff", "#ffffff"), Some(1.0));
        // #767676 on white is the classic 4.54:1.
        assert_eq!(contrast("#767676", "#ffffff").map(|r| (r * 100.0).round() / 100.0), Some(4.54));
        assert_eq!(contrast("red", "#ffffff"), None);
    }

    #[test]
    fn the_default_palette_passes_and_a_poor_choice_is_flagged() {
        let t = all();
        for p in PAIRS {
            for name in [p.fg, p.bg] {
                let token = t.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("{name} is no token"));
                assert_eq!(token.kind, Kind::Colour, "{name}");
            }
            for m in measure(&t, &State::default(), p) {
                assert!(!m.unwrap().fails, "{} on {}: {m:?}", p.fg, p.bg);
            }
        }
        let s = State::default().with(&t, "--k12x-text", Some("#cccccc".into()));
        let m = measure(&t, &s, &PAIRS[0]);
        assert!(m[0].unwrap().fails && !m[1].unwrap().fails, "{m:?}");
    }
}
