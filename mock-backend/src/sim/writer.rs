//! The one file writer of the mock: rows into a real .xlsx (rust_xlsxwriter in constant-memory
//! mode), a UTF-8 CSV with a byte-order mark, or a JSON array — streamed row by row, into a file or
//! into memory — and tables zipped into parts.
//!
//! Blocking code: the server runs it on tokio's blocking pool ([`publish`] does). The caller's
//! `step` callback is told how many rows are written (0 before the first row) and can pace, count
//! or stop the writing.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Format as XlsxFormat, Workbook, XlsxError};

use crate::error::ApiError;
use crate::AppState;

/// One cell of a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
}

/// The file formats the backends write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FileFormat {
    /// An .xlsx workbook (the default).
    #[default]
    Xlsx,
    /// UTF-8 CSV with a byte-order mark, so that Excel reads the Chinese right.
    Csv,
    /// A JSON array of objects.
    Json,
}

impl FileFormat {
    /// Parses `xlsx` or `csv` (any case): the formats of the `format` parameter.
    pub fn parse(s: &str) -> Option<FileFormat> {
        match s.to_ascii_lowercase().as_str() {
            "xlsx" => Some(FileFormat::Xlsx),
            "csv" => Some(FileFormat::Csv),
            _ => None,
        }
    }

    /// The extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Json => "json",
            FileFormat::Xlsx => "xlsx",
        }
    }

    /// The `Content-Type` the file is served with.
    pub fn mime(self) -> &'static str {
        match self {
            FileFormat::Csv => "text/csv; charset=utf-8",
            FileFormat::Json => "application/json",
            FileFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// The columns of a file: field keys (for JSON), titles (for CSV and XLSX), and for XLSX the
/// sheet's name and column widths.
#[derive(Clone, Copy, Debug)]
pub struct Layout<'a> {
    /// Field names.
    pub keys: &'a [String],
    /// Column titles.
    pub titles: &'a [String],
    /// The worksheet's name.
    pub sheet: &'a str,
    /// `(column, width)` of the columns that are not the default width.
    pub widths: &'a [(u16, u16)],
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
    /// The file is complete.
    Complete,
    /// `step` asked to stop; whatever is at the path is partial and should be removed.
    Stopped,
}

/// A failure to write a file.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Reading or writing the disk failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// rust_xlsxwriter failed.
    #[error("xlsx: {0}")]
    Xlsx(#[from] XlsxError),
    /// serde_json failed.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    /// zip failed.
    #[error("zip: {0}")]
    Zip(#[from] zip::result::ZipError),
}

/// Where the bytes go.
enum Sink<'a> {
    File { path: &'a Path, temp_dir: &'a Path },
    Memory(&'a mut Vec<u8>),
}

/// Writes `rows` to `path` in `format`; `temp_dir` holds the xlsx writer's row buffer. `step(n)` is
/// called with the number of rows written: once before the first row and after every row.
pub fn write_file(
    path: &Path,
    temp_dir: &Path,
    format: FileFormat,
    layout: Layout<'_>,
    rows: impl IntoIterator<Item = Vec<Cell>>,
    step: impl FnMut(u64) -> Flow,
) -> Result<Written, WriteError> {
    write(Sink::File { path, temp_dir }, format, layout, rows, step)
}

/// The bytes of `rows` in `format`.
pub fn file_bytes(
    format: FileFormat,
    layout: Layout<'_>,
    rows: impl IntoIterator<Item = Vec<Cell>>,
) -> Result<Vec<u8>, WriteError> {
    let mut out = Vec::new();
    write(Sink::Memory(&mut out), format, layout, rows, |_| Flow::Continue)?;
    Ok(out)
}

fn write(
    sink: Sink<'_>,
    format: FileFormat,
    layout: Layout<'_>,
    rows: impl IntoIterator<Item = Vec<Cell>>,
    mut step: impl FnMut(u64) -> Flow,
) -> Result<Written, WriteError> {
    if format == FileFormat::Xlsx {
        return write_xlsx(sink, layout, rows, step);
    }
    let mut out: Box<dyn Write + '_> = match sink {
        Sink::File { path, .. } => Box::new(BufWriter::new(File::create(path)?)),
        Sink::Memory(buffer) => Box::new(buffer),
    };
    if format == FileFormat::Csv {
        out.write_all("\u{FEFF}".as_bytes())?;
        csv_line(&mut out, layout.titles.iter().map(|t| csv_field(t)))?;
    } else {
        out.write_all(b"[")?;
    }
    if step(0) == Flow::Stop {
        return Ok(Written::Stopped);
    }
    let mut n = 0;
    for row in rows {
        if format == FileFormat::Csv {
            csv_line(
                &mut out,
                row.iter().map(|c| match c {
                    Cell::Text(t) => csv_field(t),
                    Cell::Number(n) => n.to_string(),
                }),
            )?;
        } else {
            if n > 0 {
                out.write_all(b",")?;
            }
            let object = layout.keys.iter().zip(row).map(|(k, c)| (k.clone(), cell_json(c))).collect();
            serde_json::to_writer(&mut out, &serde_json::Value::Object(object))?;
        }
        n += 1;
        if step(n) == Flow::Stop {
            out.flush()?;
            return Ok(Written::Stopped);
        }
    }
    if format == FileFormat::Json {
        out.write_all(b"]")?;
    }
    out.flush()?;
    Ok(Written::Complete)
}

fn write_xlsx(
    sink: Sink<'_>,
    layout: Layout<'_>,
    rows: impl IntoIterator<Item = Vec<Cell>>,
    mut step: impl FnMut(u64) -> Flow,
) -> Result<Written, WriteError> {
    let mut workbook = Workbook::new();
    if let Sink::File { temp_dir, .. } = &sink {
        // Rows go to a temporary file next to the exports rather than into memory.
        workbook.set_tempdir(temp_dir)?;
    }
    let bold = XlsxFormat::new().set_bold();
    let sheet = workbook.add_worksheet_with_constant_memory();
    sheet.set_name(layout.sheet)?;
    // Column widths must be set before any row is flushed in constant-memory mode.
    for &(col, width) in layout.widths {
        sheet.set_column_width(col, width)?;
    }
    for (col, title) in layout.titles.iter().enumerate() {
        sheet.write_string_with_format(0, column(col)?, title, &bold)?;
    }
    if step(0) == Flow::Stop {
        return Ok(Written::Stopped);
    }
    let mut n = 0u64;
    for row in rows {
        n += 1;
        let r = u32::try_from(n).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (col, cell) in row.into_iter().enumerate() {
            match cell {
                Cell::Text(t) => sheet.write_string(r, column(col)?, t)?,
                Cell::Number(v) => sheet.write_number(r, column(col)?, v)?,
            };
        }
        if step(n) == Flow::Stop {
            return Ok(Written::Stopped);
        }
    }
    match sink {
        Sink::File { path, .. } => workbook.save(path)?,
        Sink::Memory(out) => *out = workbook.save_to_buffer()?,
    }
    Ok(Written::Complete)
}

fn column(col: usize) -> Result<u16, XlsxError> {
    u16::try_from(col).map_err(|_| XlsxError::RowColumnLimitError)
}

fn csv_line(out: &mut impl Write, fields: impl Iterator<Item = String>) -> std::io::Result<()> {
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

fn cell_json(c: Cell) -> serde_json::Value {
    match c {
        Cell::Text(t) => serde_json::Value::String(t),
        Cell::Number(n) => serde_json::json!(n),
    }
}

/// A table in memory, for the backends whose jobs are small: field keys (for JSON), column titles
/// (for CSV and XLSX), and rows.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Field names.
    pub keys: Vec<String>,
    /// Column titles.
    pub titles: Vec<String>,
    /// The rows, one cell per key.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// The layout of its file: one sheet, `Sheet1`.
    pub fn layout(&self) -> Layout<'_> {
        Layout { keys: &self.keys, titles: &self.titles, sheet: "Sheet1", widths: &[] }
    }
}

/// A new file in `dir` (created when needed), named by a fresh token, with `extension`.
fn new_file(dir: &Path, extension: &str) -> Result<PathBuf, WriteError> {
    std::fs::create_dir_all(dir)?;
    Ok(dir.join(format!("{}.{extension}", crate::files::new_token())))
}

/// Writes `table` in `format` to a new file in `dir`; blocking. Returns its path.
pub fn write_table(dir: &Path, format: FileFormat, table: &Table) -> Result<PathBuf, WriteError> {
    let path = new_file(dir, format.extension())?;
    write_file(&path, dir, format, table.layout(), table.rows.iter().cloned(), |_| Flow::Continue)?;
    Ok(path)
}

/// Writes `table` as parts of `split` rows each (one part, with only the titles, when it has no
/// rows), named `{stem}-{n}.{ext}`, zipped into a new file in `dir`; blocking. Returns its path.
pub fn write_zip(
    dir: &Path,
    stem: &str,
    format: FileFormat,
    table: &Table,
    split: usize,
) -> Result<PathBuf, WriteError> {
    let path = new_file(dir, "zip")?;
    let mut zip = zip::ZipWriter::new(File::create(&path)?);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let chunks: Vec<&[Vec<Cell>]> =
        if table.rows.is_empty() { vec![&[]] } else { table.rows.chunks(split.max(1)).collect() };
    for (i, rows) in chunks.iter().enumerate() {
        let bytes = file_bytes(format, table.layout(), rows.iter().cloned())?;
        zip.start_file(format!("{stem}-{}.{}", i + 1, format.extension()), options)?;
        zip.write_all(&bytes)?;
    }
    zip.finish()?;
    Ok(path)
}

/// Writes `table` on the blocking pool and registers it for download as `filename`; returns the
/// token.
pub async fn publish(
    state: &AppState,
    format: FileFormat,
    table: Table,
    filename: String,
    client: String,
    job: u64,
) -> Result<String, ApiError> {
    let dir = state.config().data_dir.clone();
    let path = tokio::task::spawn_blocking(move || write_table(&dir, format, &table))
        .await
        .map_err(|e| ApiError::Internal(format!("writer: {e}")))?
        .map_err(|e| ApiError::Internal(format!("writing a file: {e}")))?;
    Ok(crate::files::register(state, path, &filename, format.mime(), &client, job))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            keys: vec!["a".into(), "b".into()],
            titles: vec!["姓名".into(), "年龄".into()],
            rows: vec![
                vec![Cell::Text("李雷, Jr.".into()), Cell::Number(17.0)],
                vec![Cell::Text("韩梅梅".into()), Cell::Number(16.5)],
            ],
        }
    }

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("张三"), "张三");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn csv_and_json_are_written_in_memory_too() {
        let t = table();
        let csv = String::from_utf8(file_bytes(FileFormat::Csv, t.layout(), t.rows.clone()).unwrap()).unwrap();
        assert_eq!(csv, "\u{FEFF}姓名,年龄\r\n\"李雷, Jr.\",17\r\n韩梅梅,16.5\r\n");
        let json = String::from_utf8(file_bytes(FileFormat::Json, t.layout(), t.rows.clone()).unwrap()).unwrap();
        assert_eq!(json, r#"[{"a":"李雷, Jr.","b":17.0},{"a":"韩梅梅","b":16.5}]"#);
        let xlsx = file_bytes(FileFormat::Xlsx, t.layout(), t.rows.clone()).unwrap();
        assert!(xlsx.starts_with(b"PK"), "an xlsx is a zip");
    }

    #[test]
    fn a_stop_leaves_an_unfinished_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.xlsx");
        let t = table();
        let done = write_file(&path, dir.path(), FileFormat::Xlsx, t.layout(), t.rows.clone(), |n| {
            if n >= 1 {
                Flow::Stop
            } else {
                Flow::Continue
            }
        });
        assert_eq!(done.unwrap(), Written::Stopped);
        assert!(!path.exists());
    }
}
