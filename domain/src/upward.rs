//! 上报 — a record sent upward to a provincial or national platform, and how each target spells it.
//!
//! A [`Record`] holds the facts of one evaluation (or of an invalidation or a ticket step of one)
//! in our own terms. A [`Mapping`] is one target's spelling of them: field names, the channel
//! coding, the time format, the 评价主体 coding, numbers as text or not, one record or a batch per
//! request. Mappings are data, kept together here and tested field by field, because provinces
//! differ (`shared/interfaces.md` §1). The same mapping reads what it writes: a haochaping province
//! receives its counties' records through it.

use crate::{
    Catalogue, Channel, EvaluatorType, Level,
    kind::EvaluationKind,
    occurrence::{CaseNumber, ServiceItemCode},
    time::{CST_OFFSET_MS, Date, MS_PER_DAY, Timestamp},
};

/// What a record reports: an evaluation, or a later fact about one. Every kind carries the
/// evaluation's own facts too, as the targets expect (a re-sent record is the whole record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// 评价 — a rating (a citizen's, a 追评's first rating or a system default).
    Evaluation,
    /// 评价失效 — an appeal upheld: the rating no longer counts (`effective` false).
    Invalidation,
    /// 回访 — a return visit that reached the citizen.
    ReturnVisit,
    /// 整改 — the rectification of a 差评.
    Rectification,
    /// 答复 — the reply to the citizen.
    Reply,
    /// 追评 — the citizen's one follow-up rating after the fix (its level, its words, its time).
    FollowUp,
}

impl RecordKind {
    pub const ALL: [RecordKind; 6] = [
        RecordKind::Evaluation,
        RecordKind::Invalidation,
        RecordKind::ReturnVisit,
        RecordKind::Rectification,
        RecordKind::Reply,
        RecordKind::FollowUp,
    ];

    /// The stable name (outbox column, the `recordType` extension field).
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Evaluation => "evaluation",
            RecordKind::Invalidation => "invalidation",
            RecordKind::ReturnVisit => "return_visit",
            RecordKind::Rectification => "rectification",
            RecordKind::Reply => "reply",
            RecordKind::FollowUp => "follow_up",
        }
    }

    pub fn parse(name: &str) -> Option<RecordKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RecordKind::Evaluation => "评价",
            RecordKind::Invalidation => "评价失效",
            RecordKind::ReturnVisit => "回访",
            RecordKind::Rectification => "整改",
            RecordKind::Reply => "答复",
            RecordKind::FollowUp => "追评",
        }
    }
}

/// A ticket step carried by a record: what was said or done, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub text: String,
    pub at: Timestamp,
}

/// One record, in our terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub kind: RecordKind,
    /// 办件编号.
    pub project_no: String,
    /// 评价次数 / 服务次数, 1 for the first service of the case.
    pub assess_number: u16,
    /// 实施编码 of the service item, when the occurrence names one.
    pub task_code: Option<String>,
    pub task_name: Option<String>,
    /// 行政区划代码 of the department's region.
    pub area_code: String,
    /// 统一社会信用代码 of the department (its own code when it has none).
    pub dept_code: String,
    pub dept_name: String,
    pub level: Level,
    /// The reason (tag) codes, ascending.
    pub tags: Vec<u16>,
    pub writing: Option<String>,
    /// The channel the citizen used; [`Channel::SystemDefault`] for a default evaluation.
    pub channel: Channel,
    /// When the evaluation was made.
    pub assess_time: Timestamp,
    /// When the service was (the month every figure counts the rating in).
    pub service_time: Timestamp,
    pub user_prop: Option<EvaluatorType>,
    pub catalogue_version: u16,
    /// Still counts (not invalidated on appeal).
    pub effective: bool,
    /// The step a return visit, rectification or reply record reports; for a 追评 its words
    /// (possibly empty) and time.
    pub step: Option<Step>,
    /// The level of a 追评.
    pub follow_level: Option<Level>,
    /// 一事一评, 一次一评 or 默认评价.
    pub eval_kind: EvaluationKind,
}

impl Record {
    /// 默认评价: made by the system after the rating period.
    pub fn is_default(&self) -> bool {
        self.channel == Channel::SystemDefault
    }
}

/// A value on the wire: text or a whole number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Int(i64),
}

impl Cell {
    /// The value as text, whichever way it came.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Int(n) => n.to_string(),
        }
    }

    /// The value as a whole number, whichever way it came.
    pub fn int(&self) -> Option<i64> {
        match self {
            Cell::Text(t) => t.trim().parse().ok(),
            Cell::Int(n) => Some(*n),
        }
    }
}

/// The facts a mapping spells. The order is the order fields are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    RecordType,
    EvalKind,
    ProjectNo,
    AssessNumber,
    TaskCode,
    TaskName,
    AreaCode,
    DeptCode,
    DeptName,
    Satisfaction,
    EvalDetail,
    Writing,
    Channel,
    AssessTime,
    ServiceTime,
    UserProp,
    Version,
    IsDefault,
    Effective,
    StepText,
    StepTime,
    FollowLevel,
    DataSource,
}

/// How a target numbers channels (`pf`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelCoding {
    /// 1 PC … 6 电话, 7 短信; a default evaluation has no code (its flag says it).
    Common,
    /// … 6 短信, 7 系统默认评价; no code for the telephone.
    Sms6,
}

/// How a target writes times (China time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeFormat {
    /// GB/T 39046: `YYYYMMDDThhmmss`.
    Compact,
    /// `YYYY-MM-DD HH:MM:SS`.
    Dashed,
}

/// How a target codes 评价主体 (`userProp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserPropCoding {
    /// GB/T 39046: 1 自然人 … 6 其他组织.
    Standard,
    /// 1 个人, 2 法人 (every kind of organisation).
    PersonOrLegal,
}

/// One target's spelling of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mapping {
    /// The name an upward target is configured with.
    pub name: &'static str,
    pub label_zh: &'static str,
    /// Field names, in the order they are written. A fact without a name here is not sent.
    pub fields: &'static [(Field, &'static str)],
    pub channels: ChannelCoding,
    pub time: TimeFormat,
    pub user_prop: UserPropCoding,
    /// Codes and counts written as text ("5") rather than numbers (5).
    pub numbers_as_text: bool,
    /// Several records per request (`{"source": …, "records": [...]}`) or one (the record itself).
    pub batch: bool,
    /// Words in an answer that mean "already received" (a re-send): delivered.
    pub duplicate_markers: &'static [&'static str],
    /// The kinds of record the target takes; the others are not sent to it.
    pub kinds: &'static [RecordKind],
}

const HAOCHAPING_FIELDS: &[(Field, &str)] = &[
    (Field::RecordType, "recordType"),
    (Field::EvalKind, "evaluationKind"),
    (Field::ProjectNo, "projectNo"),
    (Field::AssessNumber, "assessNumber"),
    (Field::TaskCode, "taskCode"),
    (Field::TaskName, "taskName"),
    (Field::AreaCode, "areaCode"),
    (Field::DeptCode, "deptCode"),
    (Field::DeptName, "deptName"),
    (Field::Satisfaction, "satisfaction"),
    (Field::EvalDetail, "evalDetail"),
    (Field::Writing, "writingEvaluation"),
    (Field::Channel, "pf"),
    (Field::AssessTime, "assessTime"),
    (Field::ServiceTime, "serviceTime"),
    (Field::UserProp, "userProp"),
    (Field::Version, "evaversion"),
    (Field::IsDefault, "isdefault"),
    (Field::Effective, "effectivEvalua"),
    (Field::StepText, "stepText"),
    (Field::StepTime, "stepTime"),
    (Field::FollowLevel, "followSatisfaction"),
    (Field::DataSource, "dataSource"),
];

const PROVINCIAL_FIELDS: &[(Field, &str)] = &[
    (Field::ProjectNo, "projectNo"),
    (Field::AssessNumber, "serviceNumber"),
    (Field::TaskCode, "taskCode"),
    (Field::AreaCode, "areaCode"),
    (Field::DeptCode, "deptCode"),
    (Field::Satisfaction, "satisfaction"),
    (Field::EvalDetail, "evalDetail"),
    (Field::Writing, "writingEvaluation"),
    (Field::Channel, "pf"),
    (Field::AssessTime, "assessTime"),
    (Field::UserProp, "userProp"),
    (Field::Version, "version"),
    (Field::IsDefault, "isprotion"),
    (Field::Effective, "effectivEvalua"),
    (Field::StepText, "rectification"),
    (Field::StepTime, "rectificationTime"),
    (Field::DataSource, "dataSource"),
];

impl Mapping {
    /// haochaping's own province tier: every fact, batches, the standard codings.
    pub const HAOCHAPING: Mapping = Mapping {
        name: "haochaping",
        label_zh: "好差评省级平台（本系统）",
        fields: HAOCHAPING_FIELDS,
        channels: ChannelCoding::Common,
        time: TimeFormat::Compact,
        user_prop: UserPropCoding::Standard,
        numbers_as_text: false,
        batch: true,
        duplicate_markers: &["duplicate"],
        kinds: &RecordKind::ALL,
    };

    /// A provincial interface of the common kind: one record per request, codes as text, dashed
    /// times, SMS as 6 and the default evaluation as 7, 评价主体 as 个人/法人.
    pub const PROVINCIAL: Mapping = Mapping {
        name: "provincial",
        label_zh: "省级好差评系统（常见接口）",
        fields: PROVINCIAL_FIELDS,
        channels: ChannelCoding::Sms6,
        time: TimeFormat::Dashed,
        user_prop: UserPropCoding::PersonOrLegal,
        numbers_as_text: true,
        batch: false,
        duplicate_markers: &["不可重复", "已存在", "重复"],
        // The common provincial interface has no 追评.
        kinds: &[
            RecordKind::Evaluation,
            RecordKind::Invalidation,
            RecordKind::ReturnVisit,
            RecordKind::Rectification,
            RecordKind::Reply,
        ],
    };

    pub const ALL: [Mapping; 2] = [Mapping::HAOCHAPING, Mapping::PROVINCIAL];

    pub fn named(name: &str) -> Option<Mapping> {
        Self::ALL.into_iter().find(|m| m.name == name)
    }

    /// The wire name of `field`, if this target carries it.
    pub fn name_of(&self, field: Field) -> Option<&'static str> {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, n)| *n)
    }

    /// Whether this target takes records of `kind`.
    pub fn carries(&self, kind: RecordKind) -> bool {
        self.kinds.contains(&kind)
    }

    /// Whether an answer's text says the record was received before.
    pub fn says_duplicate(&self, answer: &str) -> bool {
        self.duplicate_markers.iter().any(|m| answer.contains(m))
    }

    fn number(&self, n: i64) -> Cell {
        if self.numbers_as_text {
            Cell::Text(n.to_string())
        } else {
            Cell::Int(n)
        }
    }

    fn channel_code(&self, channel: Channel) -> Option<u8> {
        match self.channels {
            ChannelCoding::Common => channel.common_code(),
            ChannelCoding::Sms6 => channel.sms6_code(),
        }
    }

    fn user_prop_code(&self, prop: EvaluatorType) -> u8 {
        match (self.user_prop, prop) {
            (UserPropCoding::Standard, p) => p.code(),
            (UserPropCoding::PersonOrLegal, EvaluatorType::NaturalPerson) => 1,
            (UserPropCoding::PersonOrLegal, _) => 2,
        }
    }

    /// The record as this target spells it, field by field in the mapping's order. A fact the
    /// record lacks (no service item, no text) is not written.
    pub fn write(&self, record: &Record, data_source: &str) -> Vec<(&'static str, Cell)> {
        let mut out = Vec::with_capacity(self.fields.len());
        for &(field, name) in self.fields {
            let cell = match field {
                Field::RecordType => Some(Cell::Text(record.kind.as_str().to_owned())),
                Field::EvalKind => Some(Cell::Text(record.eval_kind.as_str().to_owned())),
                Field::ProjectNo => Some(Cell::Text(record.project_no.clone())),
                Field::AssessNumber => Some(self.number(i64::from(record.assess_number))),
                Field::TaskCode => record.task_code.clone().map(Cell::Text),
                Field::TaskName => record.task_name.clone().map(Cell::Text),
                Field::AreaCode => Some(Cell::Text(record.area_code.clone())),
                Field::DeptCode => Some(Cell::Text(record.dept_code.clone())),
                Field::DeptName => Some(Cell::Text(record.dept_name.clone())),
                Field::Satisfaction => Some(self.number(i64::from(record.level.interface_code()))),
                Field::EvalDetail => Some(Cell::Text(
                    record
                        .tags
                        .iter()
                        .map(u16::to_string)
                        .collect::<Vec<_>>()
                        .join(","),
                )),
                Field::Writing => record.writing.clone().map(Cell::Text),
                Field::Channel => self
                    .channel_code(record.channel)
                    .map(|c| self.number(i64::from(c))),
                Field::AssessTime => Some(Cell::Text(format_time(self.time, record.assess_time))),
                Field::ServiceTime => Some(Cell::Text(format_time(self.time, record.service_time))),
                Field::UserProp => record
                    .user_prop
                    .map(|p| self.number(i64::from(self.user_prop_code(p)))),
                Field::Version => Some(self.number(i64::from(record.catalogue_version))),
                Field::IsDefault => Some(self.number(i64::from(record.is_default()))),
                Field::Effective => Some(self.number(i64::from(record.effective))),
                Field::StepText => record.step.as_ref().map(|s| Cell::Text(s.text.clone())),
                Field::StepTime => record
                    .step
                    .as_ref()
                    .map(|s| Cell::Text(format_time(self.time, s.at))),
                Field::FollowLevel => record
                    .follow_level
                    .map(|l| self.number(i64::from(l.interface_code()))),
                Field::DataSource => Some(Cell::Text(data_source.to_owned())),
            };
            if let Some(cell) = cell {
                out.push((name, cell));
            }
        }
        out
    }

    /// Reads a record this target spelled; `get` looks a wire name up. The first wrong field is
    /// named by its wire name.
    pub fn read(&self, get: impl Fn(&str) -> Option<Cell>) -> Result<Record, WireError> {
        let field = |f: Field| self.name_of(f).and_then(&get);
        let wire = |f: Field| self.name_of(f).unwrap_or("?");
        let bad = |f: Field, message: &str| WireError {
            field: wire(f),
            message: message.to_owned(),
        };
        let required = |f: Field| field(f).ok_or_else(|| bad(f, "缺少此字段"));
        let text = |f: Field| field(f).map(|c| c.text()).filter(|t| !t.trim().is_empty());

        let project_no = CaseNumber::parse(&required(Field::ProjectNo)?.text())
            .map_err(|e| bad(Field::ProjectNo, &e.to_string()))?
            .as_str()
            .to_owned();
        let assess_number = required(Field::AssessNumber)?
            .int()
            .and_then(|n| u16::try_from(n).ok())
            .filter(|n| (1..=99).contains(n))
            .ok_or_else(|| bad(Field::AssessNumber, "应为 1–99 的整数"))?;
        let task_code = match text(Field::TaskCode) {
            Some(code) => Some(
                ServiceItemCode::parse(&code)
                    .map_err(|e| bad(Field::TaskCode, &e.to_string()))?
                    .as_str()
                    .to_owned(),
            ),
            None => None,
        };
        let area_code = required(Field::AreaCode)?.text();
        if !matches!(area_code.len(), 6 | 9) || !area_code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(Field::AreaCode, "应为 6 位或 9 位行政区划代码"));
        }
        let dept_code = required(Field::DeptCode)?.text();
        if dept_code.is_empty()
            || dept_code.len() > 18
            || !dept_code.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(bad(
                Field::DeptCode,
                "应为统一社会信用代码（至多 18 位字母数字）",
            ));
        }
        let level = required(Field::Satisfaction)?
            .int()
            .and_then(|n| Level::from_interface_code(n).ok())
            .ok_or_else(|| bad(Field::Satisfaction, "应为 1–5（5 非常满意）"))?;
        let catalogue_version = required(Field::Version)?
            .int()
            .and_then(|v| u16::try_from(v).ok())
            .filter(|v| Catalogue::by_version(*v).is_some())
            .ok_or_else(|| bad(Field::Version, "未知的评价标签版本"))?;
        let catalogue = Catalogue::by_version(catalogue_version).unwrap_or(Catalogue::CURRENT);
        let mut tags = Vec::new();
        for part in text(Field::EvalDetail).unwrap_or_default().split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let code = part
                .parse::<u16>()
                .ok()
                .filter(|c| catalogue.get(*c).is_some())
                .ok_or_else(|| bad(Field::EvalDetail, &format!("未知的评价标签 {part}")))?;
            tags.push(code);
        }
        tags.sort_unstable();
        tags.dedup();
        let is_default = match field(Field::IsDefault) {
            Some(c) => flag(&c).ok_or_else(|| bad(Field::IsDefault, "应为 0 或 1"))?,
            None => false,
        };
        let channel = if is_default {
            Channel::SystemDefault
        } else {
            let code = required(Field::Channel)?
                .int()
                .ok_or_else(|| bad(Field::Channel, "应为渠道代码"))?;
            let read = match self.channels {
                ChannelCoding::Common => Channel::from_common_code(code),
                ChannelCoding::Sms6 => Channel::from_sms6_code(code),
            };
            read.ok()
                .filter(|c| *c != Channel::SystemDefault)
                .ok_or_else(|| bad(Field::Channel, "未知的渠道代码"))?
        };
        let time = |f: Field| -> Result<Timestamp, WireError> {
            parse_time(self.time, &required(f)?.text()).ok_or_else(|| bad(f, time_hint(self.time)))
        };
        let assess_time = time(Field::AssessTime)?;
        let service_time = if self.name_of(Field::ServiceTime).is_some() {
            time(Field::ServiceTime)?
        } else {
            assess_time
        };
        let user_prop = match field(Field::UserProp) {
            Some(c) => Some(
                c.int()
                    .and_then(|n| self.read_user_prop(n))
                    .ok_or_else(|| bad(Field::UserProp, "未知的评价主体代码"))?,
            ),
            None => None,
        };
        let effective = match field(Field::Effective) {
            Some(c) => flag(&c).ok_or_else(|| bad(Field::Effective, "应为 0 或 1"))?,
            None => true,
        };
        let step_text = text(Field::StepText);
        let step_at = match field(Field::StepTime) {
            Some(_) => Some(time(Field::StepTime)?),
            None => None,
        };
        let follow_level = match field(Field::FollowLevel) {
            Some(c) => Some(
                c.int()
                    .and_then(|n| Level::from_interface_code(n).ok())
                    .ok_or_else(|| bad(Field::FollowLevel, "应为 1–5（5 非常满意）"))?,
            ),
            None => None,
        };
        let kind = match text(Field::RecordType) {
            Some(name) => {
                RecordKind::parse(&name).ok_or_else(|| bad(Field::RecordType, "未知的记录类型"))?
            }
            None if !effective => RecordKind::Invalidation,
            None if step_text.is_some() => RecordKind::Rectification,
            None => RecordKind::Evaluation,
        };
        let step = match (kind, step_text, step_at) {
            (RecordKind::FollowUp, text, Some(at)) => Some(Step {
                text: text.unwrap_or_default(),
                at,
            }),
            (RecordKind::FollowUp, _, None) => return Err(bad(Field::StepTime, "缺少此字段")),
            (_, Some(text), Some(at)) => Some(Step { text, at }),
            (_, Some(_), None) => return Err(bad(Field::StepTime, "缺少此字段")),
            (_, None, _) => None,
        };
        if matches!(
            kind,
            RecordKind::ReturnVisit | RecordKind::Rectification | RecordKind::Reply
        ) && step.is_none()
        {
            return Err(bad(Field::StepText, "此类记录须有办理内容"));
        }
        if (kind == RecordKind::FollowUp) != follow_level.is_some() {
            return Err(bad(Field::FollowLevel, "追评须有且只有追评满意度"));
        }
        if kind == RecordKind::Invalidation && effective {
            return Err(bad(Field::Effective, "评价失效记录应为 0"));
        }
        let eval_kind = match text(Field::EvalKind) {
            Some(name) => EvaluationKind::parse(&name)
                .filter(|k| EvaluationKind::OF_SERVICE.contains(k))
                .ok_or_else(|| bad(Field::EvalKind, "应为 case、visit 或 default"))?,
            None => EvaluationKind::of_service("case", channel),
        };
        let writing = text(Field::Writing);
        if writing
            .as_ref()
            .is_some_and(|w| w.chars().count() > crate::evaluation::COMMENT_MAX_CHARS)
        {
            return Err(bad(Field::Writing, "文字评价过长"));
        }
        Ok(Record {
            kind,
            project_no,
            assess_number,
            task_code,
            task_name: text(Field::TaskName),
            area_code,
            dept_code,
            dept_name: text(Field::DeptName).unwrap_or_default(),
            level,
            tags,
            writing,
            channel,
            assess_time,
            service_time,
            user_prop,
            catalogue_version,
            effective,
            step,
            follow_level,
            eval_kind,
        })
    }

    fn read_user_prop(&self, code: i64) -> Option<EvaluatorType> {
        match self.user_prop {
            UserPropCoding::Standard => EvaluatorType::from_code(code),
            UserPropCoding::PersonOrLegal => match code {
                1 => Some(EvaluatorType::NaturalPerson),
                2 => Some(EvaluatorType::Other),
                _ => None,
            },
        }
    }
}

fn flag(cell: &Cell) -> Option<bool> {
    match cell.int()? {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    }
}

/// A field of a received record that is missing or wrong, by its wire name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct WireError {
    pub field: &'static str,
    pub message: String,
}

fn time_hint(format: TimeFormat) -> &'static str {
    match format {
        TimeFormat::Compact => "时间格式应为 YYYYMMDDThhmmss",
        TimeFormat::Dashed => "时间格式应为 YYYY-MM-DD HH:MM:SS",
    }
}

/// `t` in China time, in `format`. Seconds are truncated: a re-send writes the same text.
pub fn format_time(format: TimeFormat, t: Timestamp) -> String {
    let (y, m, d) = t.date_cst().ymd();
    let secs = t
        .unix_ms()
        .saturating_add(CST_OFFSET_MS)
        .rem_euclid(MS_PER_DAY)
        / 1000;
    let (hh, mm, ss) = (secs / 3600, secs / 60 % 60, secs % 60);
    match format {
        TimeFormat::Compact => format!("{y:04}{m:02}{d:02}T{hh:02}{mm:02}{ss:02}"),
        TimeFormat::Dashed => format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}"),
    }
}

/// Reads a time written by [`format_time`] (China time, whole seconds).
pub fn parse_time(format: TimeFormat, text: &str) -> Option<Timestamp> {
    let text = text.trim();
    let digits: String = match format {
        TimeFormat::Compact => {
            let (date, time) = text.split_once('T')?;
            (date.len() == 8 && time.len() == 6).then(|| format!("{date}{time}"))?
        }
        TimeFormat::Dashed => {
            let bytes = text.as_bytes();
            let shape = bytes.len() == 19
                && bytes[4] == b'-'
                && bytes[7] == b'-'
                && bytes[10] == b' '
                && bytes[13] == b':'
                && bytes[16] == b':';
            shape.then(|| text.chars().filter(char::is_ascii_digit).collect())?
        }
    };
    if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |range: std::ops::Range<usize>| digits[range].parse::<u32>().ok();
    let date = Date::from_ymd(i32::try_from(n(0..4)?).ok()?, n(4..6)?, n(6..8)?).ok()?;
    let (hh, mm, ss) = (n(8..10)?, n(10..12)?, n(12..14)?);
    if hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    let ms = i64::from(hh * 3600 + mm * 60 + ss) * 1000;
    Some(Timestamp::from_unix_ms(date.start_unix_ms_cst() + ms))
}

/// How a request is signed: over `timestamp + "\n" + body`, with the shared key (HMAC) or the
/// sender's private key (SM2, where a province keeps each sender's public key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignMethod {
    HmacSha256,
    /// 国密: HMAC over SM3.
    HmacSm3,
    /// 国密: an SM2 signature (GM/T 0003, SM3 digest, the default 1234567812345678 ID).
    Sm2,
}

/// The request headers of a signed request: when it was signed (unix seconds) and
/// `method=signature`.
pub const TIMESTAMP_HEADER: &str = "x-hcp-timestamp";
pub const SIGNATURE_HEADER: &str = "x-hcp-signature";

/// The distinguishing ID of SM2 signatures where a target names none (GM/T 0009's default).
pub const SM2_DEFAULT_ID: &str = "1234567812345678";

impl SignMethod {
    pub const ALL: [SignMethod; 3] = [SignMethod::HmacSha256, SignMethod::HmacSm3, SignMethod::Sm2];

    pub fn as_str(self) -> &'static str {
        match self {
            SignMethod::HmacSha256 => "hmac-sha256",
            SignMethod::HmacSm3 => "hmac-sm3",
            SignMethod::Sm2 => "sm2",
        }
    }

    /// The two headers that carry `signature` (hex) of a request signed at `timestamp`.
    pub fn headers(self, timestamp: i64, signature: &str) -> [(&'static str, String); 2] {
        [
            (TIMESTAMP_HEADER, timestamp.to_string()),
            (SIGNATURE_HEADER, format!("{}={signature}", self.as_str())),
        ]
    }

    /// The SM2 signature (r ‖ s, lower-case hex) of `timestamp + "\n" + body` by the 32-byte
    /// private key `secret`; `None` when it is no valid key. Deterministic (RFC 6979 nonce).
    pub fn sm2_sign(secret: &[u8], timestamp: i64, body: &[u8]) -> Option<String> {
        use sm2::dsa::signature::Signer;
        let secret = sm2::SecretKey::from_slice(secret).ok()?;
        let key = sm2::dsa::SigningKey::new(SM2_DEFAULT_ID, &secret).ok()?;
        let mut message = format!("{timestamp}\n").into_bytes();
        message.extend_from_slice(body);
        let signature: sm2::dsa::Signature = key.sign(&message);
        Some(
            signature
                .to_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        )
    }

    pub fn parse(name: &str) -> Option<SignMethod> {
        Self::ALL.into_iter().find(|m| m.as_str() == name)
    }

    /// The HMAC signature, lower-case hex (an SM2 signature is [`SignMethod::sm2_sign`]'s).
    pub fn sign(self, key: &[u8], timestamp: i64, body: &[u8]) -> String {
        use hmac::{Hmac, Mac};
        fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], timestamp: i64, body: &[u8]) -> Vec<u8> {
            let mut mac =
                <M as hmac::digest::KeyInit>::new_from_slice(key).expect("any key length");
            mac.update(timestamp.to_string().as_bytes());
            mac.update(b"\n");
            mac.update(body);
            mac.finalize().into_bytes().to_vec()
        }
        let bytes = match self {
            SignMethod::HmacSha256 => run::<Hmac<sha2::Sha256>>(key, timestamp, body),
            SignMethod::HmacSm3 | SignMethod::Sm2 => run::<Hmac<sm3::Sm3>>(key, timestamp, body),
        };
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Whether `signature` (hex) is this HMAC method's signature, compared in constant time (an
    /// SM2 signature is never accepted here: a haochaping province verifies HMACs).
    pub fn verify(self, key: &[u8], timestamp: i64, body: &[u8], signature: &str) -> bool {
        if self == SignMethod::Sm2 {
            return false;
        }
        let expected = self.sign(key, timestamp, body);
        expected.len() == signature.len()
            && expected
                .bytes()
                .zip(signature.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

/// A target's reporting wants a supervisor's attention when records fail, wait longer than this,
/// or a day's counts differ from the target's.
pub const LAG_ALERT_MS: i64 = 60_000;

/// Where reporting to one target stands, as far as an alert is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Health {
    /// Undelivered records tried and failed at least once.
    pub failing: i64,
    /// How long the oldest undelivered record has waited (ms), if any waits.
    pub oldest_wait_ms: Option<i64>,
    /// Reconciliation rows that differ.
    pub differences: usize,
}

impl Health {
    /// Whether to raise it as an alert (上报预警).
    pub fn alert(self) -> bool {
        self.failing > 0
            || self.oldest_wait_ms.is_some_and(|w| w > LAG_ALERT_MS)
            || self.differences > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        // 2026-11-30 09:30:05 China time.
        let assess = parse_time(TimeFormat::Compact, "20261130T093005").unwrap();
        Record {
            kind: RecordKind::Evaluation,
            project_no: "320102-2026-000123".into(),
            assess_number: 2,
            task_code: Some("000112001000".into()),
            task_name: Some("不动产首次登记".into()),
            area_code: "320102".into(),
            dept_code: "11320102MB1234567X".into(),
            dept_name: "县自然资源局".into(),
            level: Level::Dissatisfied,
            tags: vec![207, 208],
            writing: Some("等了很久".into()),
            channel: Channel::Sms,
            assess_time: assess,
            service_time: assess.minus_ms(3_600_000),
            user_prop: Some(EvaluatorType::Enterprise),
            catalogue_version: 2,
            effective: true,
            step: None,
            follow_level: None,
            eval_kind: EvaluationKind::PerCase,
        }
    }

    fn lookup<'a>(written: &'a [(&'static str, Cell)]) -> impl Fn(&str) -> Option<Cell> + 'a {
        move |name: &str| {
            written
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, c)| c.clone())
        }
    }

    #[test]
    fn the_haochaping_mapping_writes_every_field_by_its_name() {
        let written = Mapping::HAOCHAPING.write(&record(), "haochaping:320102");
        let get = lookup(&written);
        let text = |n: &str| get(n).map(|c| c.text());
        assert_eq!(text("recordType").as_deref(), Some("evaluation"));
        assert_eq!(text("projectNo").as_deref(), Some("320102-2026-000123"));
        assert_eq!(get("assessNumber"), Some(Cell::Int(2)));
        assert_eq!(text("taskCode").as_deref(), Some("000112001000"));
        assert_eq!(text("areaCode").as_deref(), Some("320102"));
        assert_eq!(text("deptCode").as_deref(), Some("11320102MB1234567X"));
        assert_eq!(
            get("satisfaction"),
            Some(Cell::Int(2)),
            "不满意 is 2 upward"
        );
        assert_eq!(text("evalDetail").as_deref(), Some("207,208"));
        assert_eq!(text("writingEvaluation").as_deref(), Some("等了很久"));
        assert_eq!(get("pf"), Some(Cell::Int(7)), "SMS in the common coding");
        assert_eq!(text("assessTime").as_deref(), Some("20261130T093005"));
        assert_eq!(text("serviceTime").as_deref(), Some("20261130T083005"));
        assert_eq!(get("userProp"), Some(Cell::Int(2)), "企业法人");
        assert_eq!(get("evaversion"), Some(Cell::Int(2)));
        assert_eq!(get("isdefault"), Some(Cell::Int(0)));
        assert_eq!(get("effectivEvalua"), Some(Cell::Int(1)));
        assert_eq!(text("dataSource").as_deref(), Some("haochaping:320102"));
        assert_eq!(get("stepText"), None, "an evaluation carries no step");
    }

    #[test]
    fn the_provincial_mapping_spells_codes_as_text_times_dashed_and_sms_as_six() {
        let mut r = record();
        r.kind = RecordKind::Rectification;
        r.step = Some(Step {
            text: "已调整叫号规则".into(),
            at: r.assess_time.plus_ms(86_400_000),
        });
        let written = Mapping::PROVINCIAL.write(&r, "x");
        let get = lookup(&written);
        assert_eq!(get("serviceNumber"), Some(Cell::Text("2".into())));
        assert_eq!(get("satisfaction"), Some(Cell::Text("2".into())));
        assert_eq!(get("pf"), Some(Cell::Text("6".into())), "SMS is 6 here");
        assert_eq!(
            get("assessTime"),
            Some(Cell::Text("2026-11-30 09:30:05".into()))
        );
        assert_eq!(get("userProp"), Some(Cell::Text("2".into())), "法人");
        assert_eq!(get("isprotion"), Some(Cell::Text("0".into())));
        assert_eq!(
            get("rectification"),
            Some(Cell::Text("已调整叫号规则".into()))
        );
        assert_eq!(
            get("rectificationTime"),
            Some(Cell::Text("2026-12-01 09:30:05".into()))
        );
        assert_eq!(get("recordType"), None, "not a field of this target");
        assert_eq!(get("taskName"), None);
    }

    #[test]
    fn a_default_evaluation_is_flagged_and_coded_as_each_target_can() {
        let mut r = record();
        r.channel = Channel::SystemDefault;
        r.eval_kind = EvaluationKind::Default;
        r.level = Level::VerySatisfied;
        r.tags.clear();
        let common = Mapping::HAOCHAPING.write(&r, "x");
        assert_eq!(lookup(&common)("isdefault"), Some(Cell::Int(1)));
        assert_eq!(
            lookup(&common)("pf"),
            None,
            "the common coding has no code for it"
        );
        let sms6 = Mapping::PROVINCIAL.write(&r, "x");
        assert_eq!(lookup(&sms6)("pf"), Some(Cell::Text("7".into())));
        for mapping in Mapping::ALL {
            let read = mapping.read(lookup(&mapping.write(&r, "x"))).unwrap();
            assert_eq!(read.channel, Channel::SystemDefault, "{}", mapping.name);
        }
    }

    #[test]
    fn what_a_mapping_writes_it_reads_back_unchanged() {
        let mut invalidated = record();
        invalidated.kind = RecordKind::Invalidation;
        invalidated.effective = false;
        let mut reply = record();
        reply.kind = RecordKind::Reply;
        reply.step = Some(Step {
            text: "已电话答复".into(),
            at: reply.assess_time.plus_ms(7_200_000),
        });
        let mut follow_up = record();
        follow_up.kind = RecordKind::FollowUp;
        follow_up.follow_level = Some(Level::Satisfied);
        follow_up.step = Some(Step {
            text: String::new(),
            at: follow_up.assess_time.plus_ms(86_400_000),
        });
        assert!(!Mapping::PROVINCIAL.carries(RecordKind::FollowUp));
        for r in [record(), invalidated, reply, follow_up] {
            let written = Mapping::HAOCHAPING.write(&r, "x");
            assert_eq!(Mapping::HAOCHAPING.read(lookup(&written)), Ok(r.clone()));
        }
    }

    #[test]
    fn a_wrong_field_is_named_by_its_wire_name() {
        let written = Mapping::HAOCHAPING.write(&record(), "x");
        let with = |name: &'static str, cell: Option<Cell>| {
            let mut w = written.clone();
            w.retain(|(n, _)| *n != name);
            if let Some(cell) = cell {
                w.push((name, cell));
            }
            Mapping::HAOCHAPING.read(lookup(&w)).unwrap_err().field
        };
        assert_eq!(with("projectNo", None), "projectNo");
        assert_eq!(with("satisfaction", Some(Cell::Int(6))), "satisfaction");
        assert_eq!(
            with("areaCode", Some(Cell::Text("32010".into()))),
            "areaCode"
        );
        assert_eq!(
            with("evalDetail", Some(Cell::Text("207,999".into()))),
            "evalDetail"
        );
        assert_eq!(
            with("assessTime", Some(Cell::Text("2026-11-30".into()))),
            "assessTime"
        );
        assert_eq!(with("pf", Some(Cell::Int(9))), "pf");
        assert_eq!(with("assessNumber", Some(Cell::Int(0))), "assessNumber");
    }

    #[test]
    fn reporting_is_an_alert_on_failures_a_minute_of_waiting_or_a_difference() {
        let fine = Health {
            failing: 0,
            oldest_wait_ms: Some(LAG_ALERT_MS),
            differences: 0,
        };
        assert!(!fine.alert());
        assert!(
            !Health {
                oldest_wait_ms: None,
                ..fine
            }
            .alert()
        );
        assert!(
            Health {
                oldest_wait_ms: Some(LAG_ALERT_MS + 1),
                ..fine
            }
            .alert()
        );
        assert!(Health { failing: 1, ..fine }.alert());
        assert!(
            Health {
                differences: 1,
                ..fine
            }
            .alert()
        );
    }

    #[test]
    fn times_are_china_time_whole_seconds_both_ways() {
        let t = Timestamp::from_unix_ms(0);
        assert_eq!(format_time(TimeFormat::Compact, t), "19700101T080000");
        assert_eq!(format_time(TimeFormat::Dashed, t), "1970-01-01 08:00:00");
        assert_eq!(parse_time(TimeFormat::Compact, "19700101T080000"), Some(t));
        assert_eq!(
            parse_time(TimeFormat::Dashed, "1970-01-01 08:00:00"),
            Some(t)
        );
        assert_eq!(parse_time(TimeFormat::Compact, "19700101T250000"), None);
        assert_eq!(parse_time(TimeFormat::Dashed, "1970-02-30 08:00:00"), None);
    }

    #[test]
    fn an_sm2_signature_verifies_with_the_senders_public_key_only() {
        use sm2::dsa::{Signature, VerifyingKey, signature::Verifier};
        let secret = [7u8; 32];
        let hex = SignMethod::sm2_sign(&secret, 1_700_000_000, b"{}").unwrap();
        assert_eq!(hex.len(), 128, "r and s, 32 bytes each");
        let bytes: Vec<u8> = (0..64)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        let signature = Signature::from_slice(&bytes).unwrap();
        let public = sm2::SecretKey::from_slice(&secret).unwrap().public_key();
        let verifying = VerifyingKey::new(SM2_DEFAULT_ID, public).unwrap();
        assert!(verifying.verify(b"1700000000\n{}", &signature).is_ok());
        assert!(verifying.verify(b"1700000000\n{ }", &signature).is_err());
        assert_eq!(
            SignMethod::sm2_sign(&[0u8; 32], 1, b""),
            None,
            "zero is no key"
        );
        assert!(!SignMethod::Sm2.verify(b"k", 1, b"", &hex));
    }

    #[test]
    fn signatures_verify_only_with_the_same_key_time_and_body() {
        for method in [SignMethod::HmacSha256, SignMethod::HmacSm3] {
            let s = method.sign(b"key", 1_700_000_000, b"{}");
            assert_eq!(s.len(), 64, "{}", method.as_str());
            assert!(method.verify(b"key", 1_700_000_000, b"{}", &s));
            assert!(!method.verify(b"other", 1_700_000_000, b"{}", &s));
            assert!(!method.verify(b"key", 1_700_000_001, b"{}", &s));
            assert!(!method.verify(b"key", 1_700_000_000, b"{ }", &s));
        }
        assert_ne!(
            SignMethod::HmacSha256.sign(b"k", 1, b"x"),
            SignMethod::HmacSm3.sign(b"k", 1, b"x")
        );
    }
}
