//! 开放数据行 — the published shape of an aggregate, defined once: the columns of
//! `/open/data.csv`, the keys of the rows of `/open/data.json` and the field list of
//! `/open/data-schema.json`.

use serde::Serialize;
use serde_json::Value;

use super::{OpenRow, to_csv};

/// One published row: a scope, a month and its counts. The field order is the CSV's column order
/// and the order of `FIELDS`, which documents each field (a unit test holds them equal).
#[derive(Debug, Serialize)]
pub(super) struct DataRow<'a> {
    scope: &'a str,
    scope_id: i64,
    name: std::borrow::Cow<'a, str>,
    month: i64,
    occurrences: i64,
    l1: i64,
    l2: i64,
    l3: i64,
    l4: i64,
    l5: i64,
    a1: i64,
    a2: i64,
    a3: i64,
    a4: i64,
    a5: i64,
    invalidated: i64,
    bad_replied: i64,
    bad_rectified: i64,
    bad_real_name: i64,
    fix_rated: i64,
    fix_satisfied: i64,
    ch_pc: i64,
    ch_mobile: i64,
    ch_qr_code: i64,
    ch_hall_device: i64,
    ch_kiosk: i64,
    ch_phone: i64,
    ch_sms: i64,
    ch_system_default: i64,
    walk_in: i64,
    walk_in_bad: i64,
    bad_real_name_visited: i64,
    et1: i64,
    et2: i64,
    et3: i64,
    et4: i64,
    et5: i64,
    et6: i64,
    anonymous: i64,
    received: i64,
    kind_case: i64,
    kind_visit: i64,
    kind_default: i64,
    complaints: i64,
    complaints_on_time: i64,
    complaints_late: i64,
    complaints_complex: i64,
    complaints_form: i64,
    complaints_12345: i64,
    complaints_website: i64,
    complaints_other_referral: i64,
    appeals_filed: i64,
    appeals_upheld: i64,
    appeals_rejected: i64,
    general: i64,
    general_typed: i64,
    general_good: i64,
    general_bad: i64,
    inspections: i64,
    inspections_covert: i64,
    inspections_good: i64,
    inspections_bad: i64,
}

impl<'a> From<&'a OpenRow> for DataRow<'a> {
    fn from(r: &'a OpenRow) -> Self {
        let c = &r.counts;
        let [l1, l2, l3, l4, l5] = c.levels;
        let [a1, a2, a3, a4, a5] = c.active_levels;
        let [et1, et2, et3, et4, et5, et6] = c.evaluator_types;
        let [
            complaints,
            complaints_on_time,
            complaints_late,
            complaints_complex,
            complaints_form,
            complaints_12345,
            complaints_website,
            complaints_other_referral,
        ] = r.complaints;
        // The order of `Channel::ALL`.
        let [
            ch_pc,
            ch_mobile,
            ch_qr_code,
            ch_hall_device,
            ch_kiosk,
            ch_phone,
            ch_sms,
            ch_system_default,
        ] = r.channels.0;
        DataRow {
            scope: &r.scope,
            scope_id: r.scope_id,
            name: std::borrow::Cow::Borrowed(&r.name),
            month: r.month.yyyymm(),
            occurrences: c.occurrences,
            l1,
            l2,
            l3,
            l4,
            l5,
            a1,
            a2,
            a3,
            a4,
            a5,
            invalidated: c.invalidated,
            bad_replied: c.bad_replied,
            bad_rectified: c.bad_rectified,
            bad_real_name: c.bad_real_name,
            fix_rated: c.fix_rated,
            fix_satisfied: c.fix_satisfied,
            ch_pc,
            ch_mobile,
            ch_qr_code,
            ch_hall_device,
            ch_kiosk,
            ch_phone,
            ch_sms,
            ch_system_default,
            walk_in: r.walk_ins.rated,
            walk_in_bad: r.walk_ins.bad,
            bad_real_name_visited: c.bad_real_name_visited,
            et1,
            et2,
            et3,
            et4,
            et5,
            et6,
            anonymous: c.anonymous,
            received: c.received,
            kind_case: c.kinds[0],
            kind_visit: c.kinds[1],
            kind_default: c.kinds[2],
            complaints,
            complaints_on_time,
            complaints_late,
            complaints_complex,
            complaints_form,
            complaints_12345,
            complaints_website,
            complaints_other_referral,
            appeals_filed: c.appeals[0],
            appeals_upheld: c.appeals[1],
            appeals_rejected: c.appeals[2],
            general: r.voices.general,
            general_typed: r.voices.general_typed,
            general_good: r.voices.general_good,
            general_bad: r.voices.general_bad,
            inspections: r.voices.inspections,
            inspections_covert: r.voices.inspection_covert,
            inspections_good: r.voices.inspection_good,
            inspections_bad: r.voices.inspection_bad,
        }
    }
}

/// The fields of a `DataRow`, in order, with their meaning: the schema document's field list and
/// the CSV's heading line. The channel columns came last (with migration 0012), then the walk-in
/// columns (0015), then the return visits and 评价主体 (0016), then the kinds (0023) and the
/// complaints (0024), the appeals (0025), then 综合点评 and 监督查评 (0026), so that readers of the earlier columns by position keep working.
pub(super) const FIELDS: [(&str, &str); 62] = [
    (
        "scope",
        "统计范围：all 全部、region 地区、department 部门、hall 大厅、window 窗口、staff 工作人员、item 事项",
    ),
    ("scope_id", "范围编号（all 为 0）"),
    ("name", "名称（工作人员按公示设置显示姓名或工号）"),
    ("month", "统计月份 YYYYMM（所评价服务的月份，北京时间）"),
    ("occurrences", "登记办件数"),
    ("l1", "有效评价：非常不满意"),
    ("l2", "有效评价：不满意"),
    ("l3", "有效评价：基本满意"),
    ("l4", "有效评价：满意"),
    ("l5", "有效评价：非常满意"),
    ("a1", "主动评价：非常不满意"),
    ("a2", "主动评价：不满意"),
    ("a3", "主动评价：基本满意"),
    ("a4", "主动评价：满意"),
    ("a5", "主动评价：非常满意"),
    ("invalidated", "申诉成立、不计入统计的评价"),
    ("bad_replied", "已答复的有效差评"),
    ("bad_rectified", "经回访且已办结的有效差评"),
    ("bad_real_name", "实名有效差评"),
    ("fix_rated", "群众评价过的整改次数"),
    ("fix_satisfied", "其中满意或基本满意"),
    ("ch_pc", "有效评价中渠道为 PC端（通用编码 1，另一编码 1）"),
    (
        "ch_mobile",
        "有效评价中渠道为 移动服务端（通用编码 2，另一编码 2）",
    ),
    (
        "ch_qr_code",
        "有效评价中渠道为 二维码（通用编码 3，另一编码 3）",
    ),
    (
        "ch_hall_device",
        "有效评价中渠道为 政务大厅平板电脑/评价器（通用编码 4，另一编码 4）",
    ),
    (
        "ch_kiosk",
        "有效评价中渠道为 政务大厅其他终端/自助终端（通用编码 5，另一编码 5）",
    ),
    (
        "ch_phone",
        "有效评价中渠道为 电话（通用编码 6，另一编码无）",
    ),
    ("ch_sms", "有效评价中渠道为 短信（通用编码 7，另一编码 6）"),
    (
        "ch_system_default",
        "有效评价中为系统默认评价（通用编码无，另一编码 7）",
    ),
    (
        "walk_in",
        "未关联办件的扫码评价（有效）：不计入以上各项，也不计入评价率和满意率",
    ),
    ("walk_in_bad", "其中差评"),
    (
        "bad_real_name_visited",
        "实名有效差评中回访已联系上群众的（未联系上的回访、匿名差评的核实不计）",
    ),
    ("et1", "有效评价中评价主体为 自然人（GB/T 39046 编码 1）"),
    ("et2", "有效评价中评价主体为 企业法人（编码 2）"),
    ("et3", "有效评价中评价主体为 事业法人（编码 3）"),
    ("et4", "有效评价中评价主体为 社会组织法人（编码 4）"),
    ("et5", "有效评价中评价主体为 行政机关（编码 5）"),
    (
        "et6",
        "有效评价中评价主体为 其他组织（编码 6）；业务系统未登记主体类型的评价不在 et1–et6 中",
    ),
    ("anonymous", "有效评价中评价人选择匿名评价的"),
    (
        "received",
        "其中下级平台上报的评价（省级平台）：上报数据不含未评价的办件，这部分不计入评价率的分子，occurrences 不含其办件",
    ),
    ("kind_case", "有效评价中的一事一评（对登记办件的评价）"),
    (
        "kind_visit",
        "有效评价中的一次一评（对窗口来访的评价，含评价器、窗口 e码）",
    ),
    (
        "kind_default",
        "有效评价中的默认评价（系统在评价期满后作出）；kind_case + kind_visit + kind_default 等于有效评价数",
    ),
    (
        "complaints",
        "收到的投诉（服务不满意表单与 12345、政府网站等转办），按投诉收到的月份计；范围为全部、地区、部门、事项",
    ),
    (
        "complaints_on_time",
        "其中首次答复在答复时限（2 个工作日，复杂投诉 5 个）截止前的",
    ),
    ("complaints_late", "其中首次答复晚于答复时限的"),
    ("complaints_complex", "其中认定为复杂投诉（延长答复时限）的"),
    (
        "complaints_form",
        "收到的投诉中来自窗口或网页“服务不满意”表单的",
    ),
    ("complaints_12345", "收到的投诉中由 12345 热线转办的"),
    ("complaints_website", "收到的投诉中由政府网站转办的"),
    (
        "complaints_other_referral",
        "收到的投诉中由领导信箱等其他平台转办的",
    ),
    ("appeals_filed", "对差评提出的申诉（按所评服务的月份计）"),
    (
        "appeals_upheld",
        "其中申诉成立的（该评价失效，计入 invalidated）",
    ),
    ("appeals_rejected", "其中申诉不成立的（评价照常计入）"),
    (
        "general",
        "综合点评（不对应某次办件的评价）中公众在网上自行提交的，有效；综合点评和监督查评不计入以上各项，也不计入评价率和满意率",
    ),
    (
        "general_typed",
        "综合点评中由工作人员录入的（意见箱、电子邮件、来信、热线电话、监督平台），有效",
    ),
    ("general_good", "综合点评中满意或非常满意的"),
    (
        "general_bad",
        "综合点评中的差评（不满意、非常不满意），按差评整改",
    ),
    (
        "inspections",
        "监督查评（监督部门的检查，按检查日期的月份计），有效",
    ),
    ("inspections_covert", "其中暗访的"),
    ("inspections_good", "监督查评中结论为满意或非常满意的"),
    (
        "inspections_bad",
        "监督查评中结论为不满意或非常不满意的（转被检查单位整改）",
    ),
];

/// The rows as the published CSV: the heading line from `FIELDS` (also when there are no rows),
/// then one line per row.
pub(super) fn csv_document(rows: &[OpenRow]) -> csv::Result<Vec<u8>> {
    to_csv(|w| {
        w.write_record(FIELDS.map(|(name, _)| name))?;
        rows.iter().try_for_each(|r| {
            let mut row = DataRow::from(r);
            // A name that would be a formula in a spreadsheet stays text (the JSON keeps it as is).
            row.name = super::csv_format::text_cell(&r.name);
            w.serialize(row)
        })
    })
}

/// The rows for the JSON document. Each goes through `Value`, whose object keys are kept sorted:
/// the key order `/open/data.json` has always had.
pub(super) fn json_rows(rows: &[OpenRow]) -> serde_json::Result<Value> {
    serde_json::to_value(rows.iter().map(DataRow::from).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use domain::stats::Counts;

    use super::*;

    fn open_row(name: &str) -> OpenRow {
        OpenRow {
            scope: "window".into(),
            scope_id: 3,
            name: name.into(),
            month: domain::time::Month::new(2026, 11).unwrap(),
            counts: Counts {
                occurrences: 20,
                levels: [1, 2, 3, 4, 5],
                active_levels: [0, 1, 2, 3, 4],
                invalidated: 6,
                bad_replied: 2,
                bad_rectified: 1,
                bad_real_name: 3,
                fix_rated: 2,
                fix_satisfied: 1,
                bad_real_name_visited: 2,
                evaluator_types: [7, 1, 0, 0, 2, 0],
                anonymous: 4,
                received: 5,
                kinds: [10, 4, 1],
                appeals: [3, 2, 1],
            },
            channels: crate::features::disclosure::ByChannel([1, 2, 3, 0, 0, 0, 9, 0]),
            walk_ins: crate::features::disclosure::WalkIns { rated: 4, bad: 1 },
            complaints: [5, 3, 1, 1, 1, 3, 1, 0],
            voices: crate::features::voices::VoiceCounts {
                general: 6,
                general_typed: 2,
                general_good: 5,
                general_bad: 1,
                inspections: 3,
                inspection_covert: 2,
                inspection_good: 1,
                inspection_bad: 1,
            },
        }
    }

    fn names() -> Vec<&'static str> {
        FIELDS.iter().map(|(name, _)| *name).collect()
    }

    /// The document without its byte-order mark, as a CSV reader takes it.
    fn body(bytes: &[u8]) -> &[u8] {
        bytes.strip_prefix("\u{feff}".as_bytes()).unwrap()
    }

    #[test]
    fn the_rows_serialized_headers_and_keys_are_the_schemas_fields() {
        let row = open_row("A01号窗口");
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.serialize(DataRow::from(&row)).unwrap();
        let bytes = writer.into_inner().unwrap();
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        assert_eq!(
            reader.headers().unwrap().iter().collect::<Vec<_>>(),
            names()
        );

        let json = serde_json::to_value(DataRow::from(&row)).unwrap();
        let mut keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut fields = names();
        keys.sort_unstable();
        fields.sort_unstable();
        assert_eq!(keys, fields);
    }

    #[test]
    fn a_name_with_a_comma_a_quote_and_a_line_break_round_trips() {
        let name = "1号窗口 \"综合\",受理\r\n（二楼）";
        let bytes = csv_document(&[open_row(name), open_row("全部")]).unwrap();
        let mut reader = csv::Reader::from_reader(body(&bytes));
        assert_eq!(
            reader.headers().unwrap().iter().collect::<Vec<_>>(),
            names()
        );
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 2);
        assert_eq!(&records[0][2], name);
        assert_eq!(&records[1][2], "全部");
        let counts: Vec<i64> = records[0]
            .iter()
            .skip(4)
            .map(|v| v.parse().unwrap())
            .collect();
        assert_eq!(
            counts,
            [
                20, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 2, 1, 3, 2, 1, 1, 2, 3, 0, 0, 0, 9, 0, 4, 1,
                2, 7, 1, 0, 0, 2, 0, 4, 5, 10, 4, 1, 5, 3, 1, 1, 1, 3, 1, 0, 3, 2, 1, 6, 2, 5, 1,
                3, 2, 1, 1
            ]
        );
    }

    /// The columns published before the channel columns are unchanged, in place; later columns
    /// (walk-ins, then return visits and 评价主体) only ever come after them.
    #[test]
    fn plain_rows_are_published_byte_for_byte_with_the_channels_last() {
        let heading = "\u{feff}scope,scope_id,name,month,occurrences,l1,l2,l3,l4,l5,a1,a2,a3,a4,a5,\
                       invalidated,bad_replied,bad_rectified,bad_real_name,fix_rated,fix_satisfied,\
                       ch_pc,ch_mobile,ch_qr_code,ch_hall_device,ch_kiosk,ch_phone,ch_sms,\
                       ch_system_default,walk_in,walk_in_bad,bad_real_name_visited,et1,et2,et3,et4,\
                       et5,et6,anonymous,received,kind_case,kind_visit,kind_default,complaints,\
                       complaints_on_time,complaints_late,complaints_complex,complaints_form,\
                       complaints_12345,complaints_website,complaints_other_referral,\
                       appeals_filed,appeals_upheld,appeals_rejected,general,general_typed,\
                       general_good,general_bad,inspections,inspections_covert,inspections_good,\
                       inspections_bad\r\n";
        assert_eq!(csv_document(&[]).unwrap(), heading.as_bytes());
        let bytes = csv_document(&[open_row("1号窗口 不动产登记")]).unwrap();
        let line = "window,3,1号窗口 不动产登记,202611,20,1,2,3,4,5,0,1,2,3,4,6,2,1,3,2,1,\
                    1,2,3,0,0,0,9,0,4,1,2,7,1,0,0,2,0,4,5,10,4,1,5,3,1,1,1,3,1,0,3,2,1,\
                    6,2,5,1,3,2,1,1\r\n";
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            format!("{heading}{line}")
        );
    }

    #[test]
    fn json_rows_keep_the_sorted_keys_they_were_published_with() {
        let json = serde_json::to_string(&json_rows(&[open_row("全部")]).unwrap()).unwrap();
        let expected = concat!(
            r#"[{"a1":0,"a2":1,"a3":2,"a4":3,"a5":4,"anonymous":4,"appeals_filed":3,"appeals_rejected":1,"appeals_upheld":2,"bad_real_name":3,"#,
            r#""bad_real_name_visited":2,"bad_rectified":1,"bad_replied":2,"ch_hall_device":0,"ch_kiosk":0,"ch_mobile":2,"ch_pc":1,"#,
            r#""ch_phone":0,"ch_qr_code":3,"ch_sms":9,"ch_system_default":0,"#,
            r#""complaints":5,"complaints_12345":3,"complaints_complex":1,"complaints_form":1,"#,
            r#""complaints_late":1,"complaints_on_time":3,"complaints_other_referral":0,"complaints_website":1,"et1":7,"et2":1,"et3":0,"et4":0,"et5":2,"et6":0,"fix_rated":2,"fix_satisfied":1,"#,
            r#""general":6,"general_bad":1,"general_good":5,"general_typed":2,"inspections":3,"inspections_bad":1,"inspections_covert":2,"inspections_good":1,"#,
            r#""invalidated":6,"kind_case":10,"kind_default":1,"kind_visit":4,"l1":1,"l2":2,"#,
            r#""l3":3,"l4":4,"l5":5,"month":202611,"name":"全部","occurrences":20,"received":5,"#,
            r#""scope":"window","scope_id":3,"walk_in":4,"walk_in_bad":1}]"#,
        );
        assert_eq!(json, expected);
    }
}
