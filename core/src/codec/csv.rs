//! A CSV file built in the browser, for backends that return records instead of a file.
//!
//! - UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly (without it, Excel
//!   on Windows reads CSV in the ANSI code page and shows mojibake);
//! - RFC 4180: CRLF line ends, a field quoted when it holds `,` `"` CR or LF (or starts or ends
//!   with a space, which Excel would otherwise trim), quotes doubled;
//! - spreadsheet formula injection defused (OWASP "CSV injection"): a text cell starting with `=`,
//!   `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so Excel and LibreOffice show it
//!   as text instead of evaluating it. Cells that came as JSON numbers are numbers, not text, and
//!   are never prefixed (`-1` stays `-1`).
//!
//! XLSX is not built here: a valid .xlsx is a ZIP of several XML parts, which needs a deflate (or
//! stored-ZIP) writer and CRC-32 in the widget. A stored ZIP with a few hundred lines of XML would
//! be feasible without a dependency, but it would roughly double the size this module adds to the
//! wasm for a format Excel already opens from this CSV; so CSV it is.

/// The MIME type of the files built here.
pub const MIME: &str = "text/csv;charset=utf-8";

/// One cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text, defused and quoted as needed.
    Text(String),
    /// A number, written as JSON writes it.
    Number(f64),
}

/// Builds the CSV bytes: BOM, header line, one line per row.
pub fn build(header: &[String], rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut out = String::with_capacity(64 + rows.len() * 64);
    out.push('\u{FEFF}');
    line(&mut out, header.iter().map(|h| Cell::Text(h.clone())));
    for row in rows {
        line(&mut out, row.iter().cloned());
    }
    out.into_bytes()
}

fn line(out: &mut String, cells: impl Iterator<Item = Cell>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        match cell {
            Cell::Text(t) => field(&defuse(&t), out),
            Cell::Number(n) => crate::codec::json::write_number(n, out),
        }
    }
    out.push_str("\r\n");
}

/// Prefixes a text that a spreadsheet would read as a formula.
pub fn defuse(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        ["'", text].concat()
    } else {
        text.to_owned()
    }
}

/// Writes one field, quoted when needed.
fn field(text: &str, out: &mut String) {
    let quote = text.contains([',', '"', '\r', '\n']) || text.starts_with(' ') || text.ends_with(' ');
    if quote {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &[u8]) -> String {
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[test]
    fn starts_with_a_bom_and_ends_lines_with_crlf() {
        let csv = build(&["资产名".into(), "数量".into()], &[vec![Cell::Text("椅子".into()), Cell::Number(10.0)]]);
        assert_eq!(text(&csv), "\u{FEFF}资产名,数量\r\n椅子,10\r\n");
    }

    #[test]
    fn quotes_only_what_needs_quoting() {
        let csv = build(
            &["a".into()],
            &[
                vec![Cell::Text("a,b".into())],
                vec![Cell::Text("say \"hi\"".into())],
                vec![Cell::Text("two\nlines".into())],
                vec![Cell::Text(" padded ".into())],
                vec![Cell::Text("plain".into())],
            ],
        );
        assert_eq!(
            text(&csv),
            "\u{FEFF}a\r\n\"a,b\"\r\n\"say \"\"hi\"\"\"\r\n\"two\nlines\"\r\n\" padded \"\r\nplain\r\n"
        );
    }

    #[test]
    fn formulas_are_defused_but_numbers_are_not() {
        for (cell, want) in [
            ("=1+1", "'=1+1"),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
            ("\tx", "'\tx"),
            ("a=b", "a=b"),
        ] {
            let csv = text(&build(&[], &[vec![Cell::Text(cell.into())]]));
            assert_eq!(csv, format!("\u{FEFF}\r\n{want}\r\n"), "{cell:?}");
        }
        let csv = text(&build(&[], &[vec![Cell::Number(-1.0), Cell::Number(10.5)]]));
        assert_eq!(csv, "\u{FEFF}\r\n-1,10.5\r\n");
    }
}
