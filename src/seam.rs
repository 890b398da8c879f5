//! One source for what crosses the seam between the Rust and the JS beside it.
//!
//! The JS files of the crate (wasm-bindgen snippets such as `src/driver/share.js`) and the loader
//! (`www/embed/k12-export.js`) use numbers and texts the Rust knows too: the codes they exchange,
//! timings, the channel's name, the texts and classes the loader draws before the wasm arrives.
//! Each such JS file carries them in one generated block, written from the Rust values listed
//! here:
//!
//! ```js
//! // seam: generated from src/seam.rs; `K12X_WRITE_SEAM=1 cargo test -p k12-export --lib seam` rewrites it
//! const GRANTED = 0;
//! // seam: end
//! ```
//!
//! A native test fails when a block is not what the Rust values make (one side changed without
//! the other), naming the file and the command that rewrites it.

/// A value as JS writes it.
#[derive(Clone, Debug)]
pub enum Value {
    /// A number.
    Num(f64),
    /// A string.
    Text(String),
    /// An array of strings.
    Texts(Vec<String>),
    /// An object of arrays of strings, keys in order.
    TextTable(Vec<(String, Vec<String>)>),
    /// An array of [number, string] pairs.
    Pairs(Vec<(u32, String)>),
}

/// The first line of a generated block.
pub const BEGIN: &str =
    "// seam: generated from src/seam.rs; `K12X_WRITE_SEAM=1 cargo test -p k12-export --lib seam` rewrites it";
/// The last line of a generated block.
pub const END: &str = "// seam: end";

fn js_string(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn js_value(v: &Value) -> String {
    match v {
        Value::Num(n) => {
            let mut out = String::new();
            k12_export_core::json::write_number(*n, &mut out);
            out
        }
        Value::Text(s) => js_string(s),
        Value::Texts(list) => ["[", &list.iter().map(|s| js_string(s)).collect::<Vec<_>>().join(", "), "]"].concat(),
        Value::TextTable(rows) => {
            let rows: Vec<String> = rows
                .iter()
                .map(|(k, list)| [k.as_str(), ": ", &js_value(&Value::Texts(list.clone()))].concat())
                .collect();
            ["{ ", &rows.join(", "), " }"].concat()
        }
        Value::Pairs(pairs) => {
            let pairs: Vec<String> =
                pairs.iter().map(|(n, s)| ["[", &n.to_string(), ", ", &js_string(s), "]"].concat()).collect();
            ["[", &pairs.join(", "), "]"].concat()
        }
    }
}

/// The block of `consts`, lines included.
pub fn block(consts: &[(&str, Value)]) -> String {
    let mut out = String::from(BEGIN);
    out.push('\n');
    for (name, v) in consts {
        out.push_str("const ");
        out.push_str(name);
        out.push_str(" = ");
        out.push_str(&js_value(v));
        out.push_str(";\n");
    }
    out.push_str(END);
    out
}

/// Every JS file with a generated block, and its constants.
pub fn files() -> Vec<(&'static str, Vec<(&'static str, Value)>)> {
    use crate::driver::share::heard;
    use k12_export_core::share::{CHANNEL, MAX_MESSAGE_BYTES};
    let n = |v: u32| Value::Num(f64::from(v));
    let code = |v: u8| Value::Num(f64::from(v));
    // What the loader draws before the wasm runs: the idle button's label, the toast's title and
    // close button, and why the widget cannot run.
    use crate::labels::{Labels, UNAVAILABLE};
    let loader_texts = |l: Labels, zh: bool| -> Vec<String> {
        let mut t = vec![l.export.to_owned(), l.failed.to_owned(), l.close.to_owned()];
        t.extend(UNAVAILABLE.iter().map(|(_, z, e)| if zh { *z } else { *e }.to_owned()));
        t
    };
    vec![
        (
            "www/embed/k12-export.js",
            vec![
                (
                    "TEXT",
                    Value::TextTable(vec![
                        ("zh".into(), loader_texts(Labels::zh_cn(), true)),
                        ("en".into(), loader_texts(Labels::en(), false)),
                    ]),
                ),
                ("CAUSES", Value::Texts(UNAVAILABLE.iter().map(|(c, _, _)| (*c).to_owned()).collect())),
            ],
        ),
        (
            "src/hidden_tab.js",
            vec![
                ("EXPORTING", code(crate::hidden_tab::code::EXPORTING)),
                ("DONE", code(crate::hidden_tab::code::DONE)),
                ("FAILED", code(crate::hidden_tab::code::FAILED)),
                ("VISIBILITY", n(crate::driver::page::event::VISIBILITY)),
            ],
        ),
        ("src/driver/download.js", vec![("SPACING_MS", n(crate::driver::DOWNLOAD_SPACING_MS))]),
        (
            "src/driver/page.js",
            vec![
                (
                    "EVENTS",
                    Value::Pairs(crate::driver::page::EVENTS.iter().map(|(t, n)| (*t, (*n).to_owned())).collect()),
                ),
                ("BATCH", n(crate::driver::page::BATCH)),
                ("SLICE_MS", n(crate::driver::page::SLICE_MS)),
            ],
        ),
        (
            "src/driver/share.js",
            vec![
                ("GRANTED", n(heard::GRANTED)),
                ("REFUSED", n(heard::REFUSED)),
                ("LOCK_FAILED", n(heard::LOCK_FAILED)),
                ("HELD", n(heard::HELD)),
                ("FREE", n(heard::FREE)),
                ("MESSAGE", n(heard::MESSAGE)),
                ("SHOWN", n(heard::SHOWN)),
                ("LEAVE", n(heard::LEAVE)),
                ("CHANNEL", Value::Text(CHANNEL.to_owned())),
                ("MAX_MESSAGE", Value::Num(MAX_MESSAGE_BYTES as f64)),
                ("PAGEHIDE", n(crate::driver::page::event::PAGEHIDE)),
                ("VISIBILITY", n(crate::driver::page::event::VISIBILITY)),
                ("RESUME", n(crate::driver::page::event::RESUME)),
            ],
        ),
    ]
}

/// `text` with its generated block replaced by `fresh`; `None` when it has no block.
pub fn replace_block(text: &str, fresh: &str) -> Option<String> {
    let start = text.find(BEGIN)?;
    let end = start + text[start..].find(END)? + END.len();
    Some([&text[..start], fresh, &text[end..]].concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each file's block is what the Rust values make; `K12X_WRITE_SEAM=1` rewrites the blocks.
    #[test]
    fn seam_blocks_are_the_rust_values() {
        let root = env!("CARGO_MANIFEST_DIR");
        let write = std::env::var_os("K12X_WRITE_SEAM").is_some();
        let mut stale = Vec::new();
        for (file, consts) in files() {
            let path = [root, "/", file].concat();
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            let fresh = block(&consts);
            let updated =
                replace_block(&text, &fresh).unwrap_or_else(|| panic!("{file} has no `{BEGIN}` … `{END}` block"));
            if updated != text {
                if write {
                    std::fs::write(&path, updated).unwrap_or_else(|e| panic!("{path}: {e}"));
                } else {
                    stale.push(file);
                }
            }
        }
        assert!(
            stale.is_empty(),
            "the generated blocks of {stale:?} are not what the Rust values make: one side changed without the \
             other. If the Rust is right: K12X_WRITE_SEAM=1 cargo test -p k12-export --lib seam"
        );
    }

    #[test]
    fn values_are_written_as_js_reads_them() {
        let b = block(&[
            ("A", Value::Num(150.0)),
            ("B", Value::Text("it's \\ ok".into())),
            ("C", Value::TextTable(vec![("zh".into(), vec!["导出".into()]), ("en".into(), vec!["Export".into()])])),
        ]);
        assert_eq!(
            b,
            [
                BEGIN,
                "\nconst A = 150;\nconst B = 'it\\'s \\\\ ok';\nconst C = { zh: ['导出'], en: ['Export'] };\n",
                END
            ]
            .concat()
        );
        assert_eq!(replace_block("x\n// seam: end", "y"), None, "no begin");
    }
}
