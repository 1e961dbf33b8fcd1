//! 评价类型 — what an evaluation is: a rating of one case (一事一评), of one visit at a window
//! (一次一评), society's general review (综合点评), a supervising body's inspection (监督查评), or a
//! system default (默认评价). Shown apart everywhere; only 一事一评 and 一次一评 make the service
//! rates.

use crate::Channel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EvaluationKind {
    /// 一事一评 — the rating of a registered case's occurrence.
    PerCase,
    /// 一次一评 — the rating of a visit at a window (e码, 评价器), walk-ins included.
    PerVisit,
    /// 综合点评 — a review not bound to a case (意见箱, hotline, e-mail, the public form).
    General,
    /// 监督查评 — an inspection by a supervising body.
    Inspection,
    /// 默认评价 — made by the system when the rating period passed.
    Default,
}

impl EvaluationKind {
    pub const ALL: [EvaluationKind; 5] = [
        EvaluationKind::PerCase,
        EvaluationKind::PerVisit,
        EvaluationKind::General,
        EvaluationKind::Inspection,
        EvaluationKind::Default,
    ];

    /// The kinds an evaluation of a service occurrence can have (`evaluation.kind`).
    pub const OF_SERVICE: [EvaluationKind; 3] = [
        EvaluationKind::PerCase,
        EvaluationKind::PerVisit,
        EvaluationKind::Default,
    ];

    /// The stable name (`evaluation.kind`, the `evaluationKind` upward field).
    pub fn as_str(self) -> &'static str {
        match self {
            EvaluationKind::PerCase => "case",
            EvaluationKind::PerVisit => "visit",
            EvaluationKind::General => "general",
            EvaluationKind::Inspection => "inspection",
            EvaluationKind::Default => "default",
        }
    }

    pub fn parse(name: &str) -> Option<EvaluationKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            EvaluationKind::PerCase => "一事一评",
            EvaluationKind::PerVisit => "一次一评",
            EvaluationKind::General => "综合点评",
            EvaluationKind::Inspection => "监督查评",
            EvaluationKind::Default => "默认评价",
        }
    }

    /// The kind of an evaluation of an occurrence of `occurrence_kind` (`service_occurrence.kind`)
    /// made through `channel` — the rule the database applies (migration 0023).
    pub fn of_service(occurrence_kind: &str, channel: Channel) -> EvaluationKind {
        match (channel, occurrence_kind) {
            (Channel::SystemDefault, _) => EvaluationKind::Default,
            (_, "visit" | "walk_in") => EvaluationKind::PerVisit,
            _ => EvaluationKind::PerCase,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_the_service_rule_puts_defaults_first() {
        for kind in EvaluationKind::ALL {
            assert_eq!(EvaluationKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(
            EvaluationKind::of_service("case", Channel::Sms),
            EvaluationKind::PerCase
        );
        assert_eq!(
            EvaluationKind::of_service("visit", Channel::QrCode),
            EvaluationKind::PerVisit
        );
        assert_eq!(
            EvaluationKind::of_service("walk_in", Channel::QrCode),
            EvaluationKind::PerVisit
        );
        assert_eq!(
            EvaluationKind::of_service("visit", Channel::SystemDefault),
            EvaluationKind::Default
        );
    }
}
