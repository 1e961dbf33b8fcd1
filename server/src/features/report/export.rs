//! 月度报告 as files: the table's headings and text cells and the by-channel section's (also shown
//! on the page), the CSV through
//! the one CSV writer of the open data, and the XLSX workbook.

use domain::stats::Figures;

use super::{MonthlyReport, percent};
use crate::features::disclosure::{text_cell, to_csv};

/// The number of columns of the report's main table.
pub(super) const WIDTH: usize = 19;

/// The column headings of the report's tables.
pub const HEADINGS: [&str; WIDTH] = [
    "类别",
    "名称",
    "编号",
    "登记办件",
    "有效评价",
    "评价率",
    "满意度",
    "主动评价好评率",
    "未评率",
    "差评",
    "差评已答复",
    "回访整改",
    "实名差评回访",
    "实名差评回访率（目标 100 %）",
    "排名",
    "较上月",
    // 评价类型: valid ratings of each kind, adding up to 有效评价 (appended: columns before keep
    // their places).
    "一事一评",
    "一次一评",
    "默认评价",
];

/// The column headings of the by-channel section.
pub const CHANNEL_HEADINGS: [&str; 5] = [
    "评价渠道",
    "通用编码",
    "另一编码（6 短信、7 系统默认）",
    "有效评价",
    "占比",
];

/// The by-channel section as text cells, in `CHANNEL_HEADINGS` order: every channel with its
/// GB/T 39046 text, both numberings ("—" where one has no code), its valid ratings and share.
pub fn channel_cells(report: &MonthlyReport) -> Vec<[String; 5]> {
    let code = |c: Option<u8>| c.map_or_else(|| "—".to_owned(), |c| c.to_string());
    report
        .channels
        .table()
        .into_iter()
        .map(|c| {
            [
                c.label.to_owned(),
                code(c.common_code),
                code(c.sms6_code),
                c.count.to_string(),
                c.share,
            ]
        })
        .collect()
}

/// The column headings of the complaints section.
pub const COMPLAINT_HEADINGS: [&str; 5] = ["投诉来源", "收到", "按时答复", "超时答复", "复杂投诉"];

/// The complaints section as text cells, in `COMPLAINT_HEADINGS` order: every source, then 合计.
pub fn complaint_cells(report: &MonthlyReport) -> Vec<[String; 5]> {
    let row = |label: &str, c: crate::features::disclosure::ComplaintCounts| {
        [
            label.to_owned(),
            c.received.to_string(),
            c.on_time.to_string(),
            c.late.to_string(),
            c.complex.to_string(),
        ]
    };
    let by = &report.complaints;
    domain::referral::ComplaintSource::ALL
        .into_iter()
        .map(|source| row(source.label_zh(), by.of_source(source)))
        .chain(std::iter::once(row("合计", by.total)))
        .collect()
}

/// The column headings of the 综合点评 and 监督查评 section.
pub const VOICE_HEADINGS: [&str; 5] = ["评价类型", "条数", "构成", "满意及以上", "差评"];

/// 综合点评 and 监督查评 as text cells, in `VOICE_HEADINGS` order.
pub fn voice_cells(report: &MonthlyReport) -> Vec<[String; 5]> {
    let v = &report.voices;
    vec![
        [
            "综合点评".to_owned(),
            v.general_total().to_string(),
            format!("群众提交 {}，工作人员录入 {}", v.general, v.general_typed),
            v.general_good.to_string(),
            v.general_bad.to_string(),
        ],
        [
            "监督查评".to_owned(),
            v.inspections.to_string(),
            format!(
                "暗访 {}，明察 {}",
                v.inspection_covert,
                v.inspections - v.inspection_covert
            ),
            v.inspection_good.to_string(),
            v.inspection_bad.to_string(),
        ],
    ]
}

/// The column headings of the list of inspections.
pub const INSPECTION_HEADINGS: [&str; 8] = [
    "检查编号",
    "检查日期",
    "检查对象",
    "方式",
    "评价等级",
    "被检查单位",
    "检查发现",
    "整改工单",
];

/// The month's inspections as text cells, in `INSPECTION_HEADINGS` order.
pub fn inspection_cells(report: &MonthlyReport) -> Vec<[String; 8]> {
    report
        .inspections
        .iter()
        .map(|i| {
            [
                i.inspection_no.clone(),
                i.date.to_string(),
                format!("{} {}", i.target.label_zh(), i.target_name),
                i.method.label_zh().to_owned(),
                i.level.label_zh().to_owned(),
                i.department.clone(),
                i.findings.clone(),
                i.ticket
                    .map_or_else(|| "—".to_owned(), |t| t.label_zh().to_owned()),
            ]
        })
        .collect()
}

/// A row of `N` cells padded to the width of the main table (the CSV has one width).
fn padded<const N: usize>(cells: [String; N]) -> [String; WIDTH] {
    let mut row: [String; WIDTH] = Default::default();
    for (slot, cell) in row.iter_mut().zip(cells) {
        *slot = cell;
    }
    row
}

/// 实名差评回访率 with its target: a shortfall is marked, whatever the sample.
fn visit_rate(rate: domain::stats::Rate) -> String {
    let missed = Figures::target("实名差评回访率").is_some_and(|t| rate.shortfall(t) > 0);
    match percent(rate) {
        shown if missed => format!("{shown}（未达目标）"),
        shown => shown,
    }
}

/// The report's rows as text cells, in `HEADINGS` order.
pub fn cells(report: &MonthlyReport) -> Vec<[String; WIDTH]> {
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
                percent(f.active_good_rate),
                percent(f.unrated_rate),
                r.counts.bad().to_string(),
                r.counts.bad_replied.to_string(),
                r.counts.bad_rectified.to_string(),
                format!(
                    "{}/{}",
                    r.counts.bad_real_name_visited, r.counts.bad_real_name
                ),
                visit_rate(f.real_name_visit_rate),
                r.rank.map_or_else(|| "—".into(), |n| n.to_string()),
                domain::stats::rank_change_zh(r.change()),
                r.counts.kinds[0].to_string(),
                r.counts.kinds[1].to_string(),
                r.counts.kinds[2].to_string(),
            ]);
        }
    }
    out
}

/// The report as CSV (RFC 4180 with a byte-order mark for spreadsheet programs): the rows, an
/// empty line, then the by-channel section with its own headings (padded to the same width), an
/// empty line and the complaints by source.
pub fn csv(report: &MonthlyReport) -> csv::Result<Vec<u8>> {
    to_csv(|w| {
        w.write_record(HEADINGS)?;
        cells(report)
            .iter()
            .try_for_each(|row| w.write_record(row.iter().map(|c| text_cell(c).into_owned())))?;
        w.write_record(padded::<0>([]))?;
        w.write_record(padded(CHANNEL_HEADINGS.map(str::to_owned)))?;
        channel_cells(report)
            .into_iter()
            .try_for_each(|row| w.write_record(padded(row)))?;
        w.write_record(padded::<0>([]))?;
        w.write_record(padded(COMPLAINT_HEADINGS.map(str::to_owned)))?;
        complaint_cells(report)
            .into_iter()
            .try_for_each(|row| w.write_record(padded(row)))?;
        w.write_record(padded::<0>([]))?;
        w.write_record(padded(VOICE_HEADINGS.map(str::to_owned)))?;
        voice_cells(report)
            .into_iter()
            .try_for_each(|row| w.write_record(padded(row)))?;
        w.write_record(padded::<0>([]))?;
        w.write_record(padded(INSPECTION_HEADINGS.map(str::to_owned)))?;
        inspection_cells(report)
            .into_iter()
            .try_for_each(|row| w.write_record(padded(row.map(|c| text_cell(&c).into_owned()))))
    })
}

/// The report as an XLSX workbook: one sheet of rows, one of where 差评 cluster, one by channel,
/// one of complaints by source.
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
                (3 | 4 | 9 | 10 | 11 | 14 | 16..=18, Ok(n)) => sheet.write_number(r, c, n)?,
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
    let channels = book.add_worksheet();
    channels.set_name("评价渠道")?;
    for (col, heading) in CHANNEL_HEADINGS.iter().enumerate() {
        channels.write_string_with_format(0, col as u16, *heading, &bold)?;
    }
    for (row, cells) in channel_cells(report).iter().enumerate() {
        for (col, cell) in cells.iter().enumerate() {
            let (r, c) = (row as u32 + 1, col as u16);
            match (col, cell.parse::<f64>()) {
                (1..=3, Ok(n)) => channels.write_number(r, c, n)?,
                _ => channels.write_string(r, c, cell)?,
            };
        }
    }
    let complaints = book.add_worksheet();
    complaints.set_name("投诉")?;
    for (col, heading) in COMPLAINT_HEADINGS.iter().enumerate() {
        complaints.write_string_with_format(0, col as u16, *heading, &bold)?;
    }
    for (row, cells) in complaint_cells(report).iter().enumerate() {
        for (col, cell) in cells.iter().enumerate() {
            let (r, c) = (row as u32 + 1, col as u16);
            match (col, cell.parse::<f64>()) {
                (1..=4, Ok(n)) => complaints.write_number(r, c, n)?,
                _ => complaints.write_string(r, c, cell)?,
            };
        }
    }
    let voices = book.add_worksheet();
    voices.set_name("综合点评与监督查评")?;
    for (col, heading) in VOICE_HEADINGS.iter().enumerate() {
        voices.write_string_with_format(0, col as u16, *heading, &bold)?;
    }
    for (row, cells) in voice_cells(report).iter().enumerate() {
        for (col, cell) in cells.iter().enumerate() {
            let (r, c) = (row as u32 + 1, col as u16);
            match (col, cell.parse::<f64>()) {
                (1 | 3 | 4, Ok(n)) => voices.write_number(r, c, n)?,
                _ => voices.write_string(r, c, cell)?,
            };
        }
    }
    let start = 4;
    for (col, heading) in INSPECTION_HEADINGS.iter().enumerate() {
        voices.write_string_with_format(start, col as u16, *heading, &bold)?;
    }
    for (row, cells) in inspection_cells(report).iter().enumerate() {
        for (col, cell) in cells.iter().enumerate() {
            voices.write_string(start + 1 + row as u32, col as u16, cell)?;
        }
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
            channels: crate::features::disclosure::ByChannel([0, 0, 0, 0, 0, 0, 4, 0]),
            complaints: Default::default(),
            voices: Default::default(),
            inspections: Vec::new(),
        };
        let bytes = csv(&report).unwrap();
        let body = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap();
        let mut reader = csv::Reader::from_reader(body);
        assert_eq!(reader.headers().unwrap(), HEADINGS.as_slice());
        let read: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        let mut written: Vec<Vec<String>> = cells(&report).into_iter().map(Vec::from).collect();
        written.push(vec![String::new(); WIDTH]);
        written.push(Vec::from(padded(CHANNEL_HEADINGS.map(str::to_owned))));
        written.extend(
            channel_cells(&report)
                .into_iter()
                .map(|r| Vec::from(padded(r))),
        );
        let sms_row = written.len() - 2;
        written.push(vec![String::new(); WIDTH]);
        written.push(Vec::from(padded(COMPLAINT_HEADINGS.map(str::to_owned))));
        written.extend(
            complaint_cells(&report)
                .into_iter()
                .map(|r| Vec::from(padded(r))),
        );
        let total_row = written.len() - 1;
        written.push(vec![String::new(); WIDTH]);
        written.push(Vec::from(padded(VOICE_HEADINGS.map(str::to_owned))));
        written.extend(
            voice_cells(&report)
                .into_iter()
                .map(|r| Vec::from(padded(r))),
        );
        written.push(vec![String::new(); WIDTH]);
        written.push(Vec::from(padded(INSPECTION_HEADINGS.map(str::to_owned))));
        assert_eq!(read, written);
        assert_eq!(&read[total_row][..5], ["合计", "0", "0", "0", "0"]);
        let sms = &read[sms_row];
        assert_eq!(&sms[..5], ["短信", "7", "6", "4", "100.00 %"]);
        assert_eq!(read[0][1], "A01号窗口 \"综合\",受理");
        // No citizen-made ratings in this row: 主动评价好评率 has no denominator.
        assert_eq!((read[0][7].as_str(), read[0][8].as_str()), ("—", "0.00 %"));
        assert_eq!(read[0][15], "↑1");
    }
}
