//! 批量导入 — the 实施清单 (service items) and the staff roster from an XLSX or CSV file. The file is
//! read by kept readers (calamine, csv); every row becomes an [`OrgRecord`] saved exactly as the
//! organisation page saves one, idempotent on its code, all rows in one transaction. A check (试导入)
//! runs the same transaction and rolls it back; an import with any bad row writes nothing and lists
//! every row's problem.

use std::io::Cursor;

use calamine::{Data, Reader};
use domain::org::ItemType;

use super::{AdminError, Editor, OrgRecord, SaveMode, Saved, invalid, records};
use crate::platform::{
    auth::{Audit, audit},
    db::Store,
};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// 实施清单: 实施编码, 事项名称, 部门编码, 事项类型.
    Items,
    /// 人员名册: 工号, 姓名, 部门编码, 窗口编码.
    Staff,
}

impl ImportKind {
    pub fn parse(name: &str) -> Option<ImportKind> {
        match name.trim() {
            "items" => Some(ImportKind::Items),
            "staff" => Some(ImportKind::Staff),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Items => "items",
            ImportKind::Staff => "staff",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ImportKind::Items => "事项实施清单",
            ImportKind::Staff => "工作人员名册",
        }
    }

    /// The columns, Chinese heading and English heading; either is accepted. The last is optional.
    pub fn columns(self) -> [(&'static str, &'static str); 4] {
        match self {
            ImportKind::Items => [
                ("实施编码", "code"),
                ("事项名称", "name"),
                ("部门编码", "department"),
                ("事项类型", "item_type"),
            ],
            ImportKind::Staff => [
                ("工号", "staff_no"),
                ("姓名", "name"),
                ("部门编码", "department"),
                ("窗口编码", "window"),
            ],
        }
    }
}

/// One row's problem; `row` counts as a spreadsheet does (the heading is row 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub row: usize,
    pub message: String,
}

/// What an import did, or would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub kind: ImportKind,
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub problems: Vec<ImportProblem>,
    /// Whether it was written (an import without problems), or rolled back (a check, or problems).
    pub written: bool,
}

/// The file's cells as text, first sheet of a workbook or every record of a CSV file (UTF-8, with
/// or without BOM, or GB18030 as spreadsheets in China often save it).
fn cells(bytes: &[u8]) -> Result<Vec<Vec<String>>, AdminError> {
    if bytes.starts_with(b"PK\x03\x04") {
        let mut book = calamine::Xlsx::new(Cursor::new(bytes))
            .map_err(|_| invalid("文件无法读取：不是有效的 XLSX 工作簿"))?;
        let range = book
            .worksheet_range_at(0)
            .ok_or_else(|| invalid("工作簿中没有工作表"))?
            .map_err(|_| invalid("工作表无法读取"))?;
        return Ok(range
            .rows()
            .map(|row| row.iter().map(cell_text).collect())
            .collect());
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text.trim_start_matches('\u{feff}')),
        Err(_) => {
            let (text, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                return Err(invalid(
                    "文件无法读取：请上传 XLSX，或 UTF-8 / GBK 编码的 CSV",
                ));
            }
            text
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            r.map(|r| r.iter().map(str::to_owned).collect())
                .map_err(|e| invalid(format!("CSV 文件有误：{e}")))
        })
        .collect()
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        // Codes typed as numbers come back as floats: 440100 is a code, not 440100.0.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

/// The records of the file's rows, each with its row number, or the row's problem.
type Rows = Vec<(usize, Result<OrgRecord, String>)>;

fn rows(kind: ImportKind, table: &[Vec<String>]) -> Result<Rows, AdminError> {
    let Some(heading) = table.first() else {
        return Err(invalid("文件是空的"));
    };
    let position = |(zh, en): (&str, &str)| {
        heading
            .iter()
            .position(|h| h.trim() == zh || h.trim().eq_ignore_ascii_case(en))
    };
    let columns = kind.columns();
    let mut at = [None; 4];
    for (i, column) in columns.into_iter().enumerate() {
        at[i] = position(column);
        if at[i].is_none() && i < 3 {
            return Err(invalid(format!(
                "第1行应为表头，缺少“{}”列（可下载模板）",
                column.0
            )));
        }
    }
    let mut out = Vec::new();
    for (index, row) in table.iter().enumerate().skip(1) {
        let cell = |i: usize| {
            at[i]
                .and_then(|p| row.get(p))
                .map(|c| c.trim().to_owned())
                .unwrap_or_default()
        };
        if (0..4).all(|i| cell(i).is_empty()) {
            continue;
        }
        let record = match kind {
            ImportKind::Items => {
                let item_type = match cell(3).as_str() {
                    "" => Ok(ItemType::PublicService),
                    t => ItemType::parse(t).ok_or_else(|| format!("事项类型“{t}”不是国家事项类型")),
                };
                item_type.map(|item_type| OrgRecord::ServiceItem {
                    code: cell(0),
                    name: cell(1),
                    department: cell(2),
                    item_type,
                })
            }
            ImportKind::Staff => Ok(OrgRecord::Staff {
                staff_no: cell(0),
                name: cell(1),
                department: cell(2),
                window: Some(cell(3)),
            }),
        };
        out.push((index + 1, record));
    }
    Ok(out)
}

impl Store {
    /// Imports (or with `write` false, checks) a file of `kind`: every row saved in one
    /// transaction, which is committed only when writing and no row has a problem.
    pub async fn import_org(
        &self,
        by: Editor,
        kind: ImportKind,
        bytes: &[u8],
        write: bool,
    ) -> Result<ImportReport, AdminError> {
        let rows = rows(kind, &cells(bytes)?)?;
        let mut report = ImportReport {
            kind,
            rows: rows.len(),
            created: 0,
            updated: 0,
            unchanged: 0,
            problems: Vec::new(),
            written: false,
        };
        if rows.is_empty() {
            return Err(invalid("文件中没有数据行"));
        }
        let mut seen = std::collections::HashMap::new();
        let mut tx = self.pool.begin().await?;
        for (row, record) in rows {
            let record = record.and_then(|r| r.checked().map_err(|e| e.to_string()));
            let outcome = match record {
                Err(message) => Err(message),
                Ok(record) => match seen.insert(record.code().to_owned(), row) {
                    Some(first) => Err(format!("编码“{}”与第{first}行重复", record.code())),
                    None => records::save(&mut tx, by, &record, SaveMode::Upsert)
                        .await
                        .map_err(|e| match e {
                            AdminError::Invalid(m) => m,
                            other => other.to_string(),
                        }),
                },
            };
            match outcome {
                Ok(Saved::Created(_)) => report.created += 1,
                Ok(Saved::Updated(_)) => report.updated += 1,
                Ok(Saved::Unchanged(_)) => report.unchanged += 1,
                Err(message) => report.problems.push(ImportProblem { row, message }),
            }
        }
        if write && report.problems.is_empty() {
            let summary = serde_json::json!({
                "kind": kind.as_str(),
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            });
            let action = format!("import_{}", kind.as_str());
            audit(
                &mut tx,
                Audit::new(by.account, &action, ("import", 0)).change(None, Some(summary)),
            )
            .await?;
            tx.commit().await?;
            report.written = true;
        } else {
            tx.rollback().await?;
        }
        Ok(report)
    }
}

/// A template: the heading row only, as CSV (UTF-8 with BOM, which spreadsheets open correctly).
pub fn template_csv(kind: ImportKind) -> Vec<u8> {
    let heading: Vec<&str> = kind.columns().iter().map(|(zh, _)| *zh).collect();
    let mut out = "\u{feff}".as_bytes().to_vec();
    out.extend_from_slice(heading.join(",").as_bytes());
    out.extend_from_slice(b"\r\n");
    out
}

/// A template: the heading row only, as an XLSX workbook with text-formatted columns (so that codes
/// keep their leading zeros).
pub fn template_xlsx(kind: ImportKind) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(kind.label_zh())?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let text = rust_xlsxwriter::Format::new().set_num_format("@");
    for (col, (zh, _)) in (0u16..).zip(kind.columns()) {
        sheet.write_string_with_format(0, col, zh, &bold)?;
        sheet.set_column_width(col, 24)?;
        sheet.set_column_format(col, &text)?;
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_by_their_headings_in_either_language() {
        let table = vec![
            vec!["部门编码".into(), "code".into(), "事项名称".into()],
            vec!["BDC".into(), "1134112500001".into(), "不动产登记".into()],
            vec![String::new(), String::new(), String::new()],
            vec!["BDC".into(), "X2".into(), "抵押登记".into()],
        ];
        let read = rows(ImportKind::Items, &table).unwrap();
        assert_eq!(read.len(), 2, "the empty row is skipped");
        assert_eq!(read[1].0, 4, "row numbers count the heading and blank rows");
        assert_eq!(
            read[0].1,
            Ok(OrgRecord::ServiceItem {
                code: "1134112500001".into(),
                name: "不动产登记".into(),
                department: "BDC".into(),
                item_type: ItemType::PublicService,
            })
        );
        let missing = rows(ImportKind::Staff, &table).unwrap_err();
        assert_eq!(
            missing.to_string(),
            "第1行应为表头，缺少“工号”列（可下载模板）"
        );
    }

    #[test]
    fn csv_files_in_utf8_with_bom_or_gbk_read_the_same() {
        let utf8 = "\u{feff}工号,姓名\r\nS1,王芳\r\n";
        let (gbk, _, _) = encoding_rs::GB18030.encode("工号,姓名\r\nS1,王芳\r\n");
        let expected = vec![vec!["工号", "姓名"], vec!["S1", "王芳"]];
        assert_eq!(cells(utf8.as_bytes()).unwrap(), expected);
        assert_eq!(cells(&gbk).unwrap(), expected);
    }

    #[test]
    fn templates_carry_the_headings() {
        let csv = String::from_utf8(template_csv(ImportKind::Items)).unwrap();
        assert_eq!(csv, "\u{feff}实施编码,事项名称,部门编码,事项类型\r\n");
        let xlsx = template_xlsx(ImportKind::Staff).unwrap();
        let table = cells(&xlsx).unwrap();
        assert_eq!(table[0], vec!["工号", "姓名", "部门编码", "窗口编码"]);
    }
}
