//! Writes an export file, row by row: .xlsx (rust_xlsxwriter in constant-memory mode) or CSV.
//!
//! Blocking code: the server runs it on tokio's blocking pool. The caller's `step` callback is told
//! how many rows are written (0 before the first row) and can pace, count or stop the writing.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use rust_xlsxwriter::{Format as XlsxFormat, Workbook, XlsxError};

use crate::data::{self, Cell, Kind};

/// The file format, chosen by the query parameter `format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// Office Open XML spreadsheet (the default).
    #[default]
    Xlsx,
    /// UTF-8 CSV with a byte-order mark, so that Excel reads the Chinese right.
    Csv,
}

impl Format {
    /// Parses `xlsx` or `csv`.
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "xlsx" => Some(Format::Xlsx),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }

    /// The `Content-Type` the file is served with.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// What to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportSpec {
    /// The term whose students are written.
    pub term_id: u32,
    /// Which columns.
    pub kind: Kind,
    /// How many student rows (the header row comes on top).
    pub rows: u64,
    /// The file format.
    pub format: Format,
}

/// Whether the writer goes on after a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Write the next row.
    Continue,
    /// Stop now and leave the file unfinished.
    Stop,
}

/// How a write ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    /// The file is complete at the path given.
    Complete,
    /// `step` asked to stop; whatever is at the path is partial and should be removed.
    Stopped,
}

/// A failure to write the file (I/O or the xlsx writer).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading or writing the disk failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// rust_xlsxwriter failed.
    #[error("xlsx: {0}")]
    Xlsx(#[from] XlsxError),
}

/// Writes the export to `path`; `temp_dir` holds the xlsx writer's row buffer. `step(n)` is called
/// with the number of rows written: once before the first row and after every row.
pub fn write_export(
    path: &Path,
    temp_dir: &Path,
    spec: &ExportSpec,
    step: impl FnMut(u64) -> Flow,
) -> Result<Written, ExportError> {
    match spec.format {
        Format::Xlsx => write_xlsx(path, temp_dir, spec, step),
        Format::Csv => write_csv(path, spec, step),
    }
}

fn write_xlsx(
    path: &Path,
    temp_dir: &Path,
    spec: &ExportSpec,
    mut step: impl FnMut(u64) -> Flow,
) -> Result<Written, ExportError> {
    let mut workbook = Workbook::new();
    // Rows go to a temporary file next to the exports rather than into memory.
    workbook.set_tempdir(temp_dir)?;
    let bold = XlsxFormat::new().set_bold();
    let sheet = workbook.add_worksheet_with_constant_memory();
    sheet.set_name(spec.kind.sheet_name())?;
    let header = spec.kind.header();
    // Column widths must be set before any row is flushed in constant-memory mode.
    sheet.set_column_width(0, 12)?;
    sheet.set_column_width(1, 10)?;
    sheet.set_column_width(2, 8)?;
    for (col, title) in header.iter().enumerate() {
        sheet.write_string_with_format(0, column(col)?, title, &bold)?;
    }
    if step(0) == Flow::Stop {
        return Ok(Written::Stopped);
    }
    for index in 0..spec.rows {
        let row = u32::try_from(index + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (col, cell) in data::row(spec.term_id, spec.kind, index).into_iter().enumerate() {
            match cell {
                Cell::Text(t) => sheet.write_string(row, column(col)?, t)?,
                Cell::Number(n) => sheet.write_number(row, column(col)?, n)?,
            };
        }
        if step(index + 1) == Flow::Stop {
            return Ok(Written::Stopped);
        }
    }
    workbook.save(path)?;
    Ok(Written::Complete)
}

fn column(col: usize) -> Result<u16, XlsxError> {
    u16::try_from(col).map_err(|_| XlsxError::RowColumnLimitError)
}

fn write_csv(path: &Path, spec: &ExportSpec, mut step: impl FnMut(u64) -> Flow) -> Result<Written, ExportError> {
    let mut out = BufWriter::new(File::create(path)?);
    out.write_all("\u{FEFF}".as_bytes())?;
    let header = spec.kind.header();
    write_csv_line(&mut out, header.iter().map(|h| csv_field(h)))?;
    if step(0) == Flow::Stop {
        return Ok(Written::Stopped);
    }
    for index in 0..spec.rows {
        let cells = data::row(spec.term_id, spec.kind, index);
        write_csv_line(
            &mut out,
            cells.iter().map(|c| match c {
                Cell::Text(t) => csv_field(t),
                Cell::Number(n) => n.to_string(),
            }),
        )?;
        if step(index + 1) == Flow::Stop {
            out.flush()?;
            return Ok(Written::Stopped);
        }
    }
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(Written::Complete)
}

fn write_csv_line(out: &mut impl Write, fields: impl Iterator<Item = String>) -> std::io::Result<()> {
    let line: Vec<String> = fields.collect();
    out.write_all(line.join(",").as_bytes())?;
    out.write_all(b"\r\n")
}

/// Quotes a CSV field when it needs it (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("张三"), "张三");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn csv_has_bom_header_and_one_line_per_student() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        let spec = ExportSpec { term_id: 1001, kind: Kind::Student, rows: 48, format: Format::Csv };
        let mut steps = Vec::new();
        let done = write_export(&path, dir.path(), &spec, |n| {
            steps.push(n);
            Flow::Continue
        })
        .unwrap();
        assert_eq!(done, Written::Complete);
        assert_eq!(steps, (0..=48).collect::<Vec<_>>());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("\u{FEFF}学号,姓名,班级,手机\r\n"), "{text:.40}");
        assert_eq!(text.lines().count(), 49);
    }

    #[test]
    fn a_stop_leaves_no_finished_xlsx() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.xlsx");
        let spec = ExportSpec { term_id: 1003, kind: Kind::Homework, rows: 1200, format: Format::Xlsx };
        let done = write_export(&path, dir.path(), &spec, |n| if n >= 10 { Flow::Stop } else { Flow::Continue });
        assert_eq!(done.unwrap(), Written::Stopped);
        assert!(!path.exists());
    }
}
