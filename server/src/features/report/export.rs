//! 月度报告 as files: the table's headings and text cells (also shown on the page), the CSV through
//! the one CSV writer of the open data, and the XLSX workbook.

use domain::stats::Figures;

use super::{MonthlyReport, percent};
use crate::features::disclosure::to_csv;

/// The column headings of the report's tables.
pub const HEADINGS: [&str; 12] = [
    "类别",
    "名称",
    "编号",
    "登记办件",
    "有效评价",
    "评价率",
    "满意度",
    "差评",
    "差评已答复",
    "回访整改",
    "排名",
    "较上月",
];

/// The report's rows as text cells, in `HEADINGS` order.
pub fn cells(report: &MonthlyReport) -> Vec<[String; 12]> {
    let mut out = Vec::new();
    for (kind, rows) in &report.sections {
        for r in rows {
            let f = Figures::of(&r.counts, report.policy);
            out.push([
                (*kind).to_owned(),
                r.name.clone(),
                r.code.clone(),
                r.counts.occurrences.to_string(),
                r.counts.rated().to_string(),
                percent(f.rating_rate),
                percent(f.good_rate),
                r.counts.bad().to_string(),
                r.counts.bad_replied.to_string(),
                r.counts.bad_rectified.to_string(),
                r.rank.map_or_else(|| "—".into(), |n| n.to_string()),
                domain::stats::rank_change_zh(r.change()),
            ]);
        }
    }
    out
}

/// The report as CSV (RFC 4180 with a byte-order mark for spreadsheet programs).
pub fn csv(report: &MonthlyReport) -> csv::Result<Vec<u8>> {
    to_csv(|w| {
        w.write_record(HEADINGS)?;
        cells(report).iter().try_for_each(|row| w.write_record(row))
    })
}

/// The report as an XLSX workbook: one sheet of rows, one of where 差评 cluster.
pub fn xlsx(report: &MonthlyReport) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name(format!("{} 月度报告", report.month))?;
    for (col, heading) in HEADINGS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *heading, &bold)?;
    }
    for (row, cells) in cells(report).iter().enumerate() {
        for (col, cell) in cells.iter().enumerate() {
            let (r, c) = (row as u32 + 1, col as u16);
            // Counts are numbers in the sheet; rates and labels stay text (truncated, as published).
            match (col, cell.parse::<f64>()) {
                (3 | 4 | 7 | 8 | 9 | 10, Ok(n)) => sheet.write_number(r, c, n)?,
                _ => sheet.write_string(r, c, cell)?,
            };
        }
    }
    let clusters = book.add_worksheet();
    clusters.set_name("差评集中")?;
    clusters.write_string_with_format(0, 0, "事项", &bold)?;
    clusters.write_string_with_format(0, 1, "差评", &bold)?;
    clusters.write_string_with_format(0, 2, "有效评价", &bold)?;
    for (i, (name, bad, rated)) in report.bad_items.iter().enumerate() {
        let r = i as u32 + 1;
        clusters.write_string(r, 0, name)?;
        clusters.write_number(r, 1, *bad as f64)?;
        clusters.write_number(r, 2, *rated as f64)?;
    }
    let start = report.bad_items.len() as u32 + 2;
    clusters.write_string_with_format(start, 0, "差评原因", &bold)?;
    clusters.write_string_with_format(start, 1, "次数", &bold)?;
    for (i, (reason, n)) in report.bad_reasons.iter().enumerate() {
        let r = start + 1 + i as u32;
        clusters.write_string(r, 0, reason)?;
        clusters.write_number(r, 1, *n as f64)?;
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use domain::stats::{Counts, Policy};

    use super::*;
    use crate::features::report::ReportRow;

    #[test]
    fn the_csv_reads_back_as_the_cells_even_with_a_comma_and_quotes_in_a_name() {
        let row = |name: &str, rank| ReportRow {
            name: name.into(),
            code: "A01".into(),
            counts: Counts {
                occurrences: 2,
                levels: [0, 0, 0, 0, 2],
                ..Counts::default()
            },
            rank,
            previous_rank: Some(2),
        };
        let report = MonthlyReport {
            month: domain::time::Month::new(2026, 11).unwrap(),
            policy: Policy::default(),
            sections: vec![(
                "窗口",
                vec![row("A01号窗口 \"综合\",受理", Some(1)), row("B02", None)],
            )],
            bad_items: Vec::new(),
            bad_reasons: Vec::new(),
        };
        let bytes = csv(&report).unwrap();
        let body = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap();
        let mut reader = csv::Reader::from_reader(body);
        assert_eq!(reader.headers().unwrap(), HEADINGS.as_slice());
        let read: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        let written: Vec<Vec<String>> = cells(&report).into_iter().map(Vec::from).collect();
        assert_eq!(read, written);
        assert_eq!(read[0][1], "A01号窗口 \"综合\",受理");
        assert_eq!(read[0][11], "↑1");
    }
}
