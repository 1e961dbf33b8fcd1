//! 取号/叫号 — a hall visit as the queue system reports it: its ticket number and its times.

use crate::time::{Date, Timestamp};

/// What is wrong with a reported visit, naming the API field; the message is for the queue
/// system's developers (Chinese, like the rest of the API's visit errors).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VisitError {
    #[error("取号号码不能为空")]
    QueueNoEmpty,
    #[error("取号号码最多 {max} 个字符")]
    QueueNoTooLong { max: usize },
    #[error("取号号码只能包含字母、数字和 -")]
    QueueNoCharacter,
    #[error("时间应为 Unix 毫秒数（2020 年以后）")]
    NotATime { field: &'static str },
    #[error("叫号时间不能早于取号时间")]
    CalledBeforeTaken,
    #[error("办结的来访须有叫号时间")]
    FinishedUncalled,
    #[error("办结时间不能早于叫号时间")]
    FinishedBeforeCalled,
}

impl VisitError {
    /// The API field this error is about.
    pub fn field(&self) -> &'static str {
        match self {
            VisitError::QueueNoEmpty
            | VisitError::QueueNoTooLong { .. }
            | VisitError::QueueNoCharacter => "queue_no",
            VisitError::NotATime { field } => field,
            VisitError::CalledBeforeTaken => "called_at_ms",
            VisitError::FinishedUncalled | VisitError::FinishedBeforeCalled => "finished_at_ms",
        }
    }
}

/// 取号号码 — the number printed on a queue ticket, unique in its hall for the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueNo(String);

impl QueueNo {
    pub const MAX_CHARS: usize = 20;

    pub fn parse(raw: &str) -> Result<Self, VisitError> {
        let text = raw.trim();
        let len = text.chars().count();
        if len == 0 {
            return Err(VisitError::QueueNoEmpty);
        }
        if len > Self::MAX_CHARS {
            return Err(VisitError::QueueNoTooLong {
                max: Self::MAX_CHARS,
            });
        }
        if !text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(VisitError::QueueNoCharacter);
        }
        Ok(QueueNo(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A visit's times: taken (取号), called (叫号) and finished (办结), each after the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitTimes {
    pub taken: Timestamp,
    pub called: Option<Timestamp>,
    pub finished: Option<Timestamp>,
}

/// 2020-01-01 China time: no queue system reports visits from before 好差评 existed, and a smaller
/// number is a unit mistake (seconds for milliseconds).
const EARLIEST_MS: i64 = 1_577_808_000_000;

fn time(field: &'static str, ms: i64) -> Result<Timestamp, VisitError> {
    if ms < EARLIEST_MS {
        return Err(VisitError::NotATime { field });
    }
    Ok(Timestamp::from_unix_ms(ms))
}

impl VisitTimes {
    /// Checks the order of the times (unix ms).
    pub fn new(taken: i64, called: Option<i64>, finished: Option<i64>) -> Result<Self, VisitError> {
        let taken = time("taken_at_ms", taken)?;
        let called = called.map(|ms| time("called_at_ms", ms)).transpose()?;
        let finished = finished.map(|ms| time("finished_at_ms", ms)).transpose()?;
        if called.is_some_and(|c| c < taken) {
            return Err(VisitError::CalledBeforeTaken);
        }
        match (called, finished) {
            (None, Some(_)) => Err(VisitError::FinishedUncalled),
            (Some(c), Some(f)) if f < c => Err(VisitError::FinishedBeforeCalled),
            _ => Ok(VisitTimes {
                taken,
                called,
                finished,
            }),
        }
    }

    /// The day the ticket was taken (China time): with the hall and the number, the visit's key.
    pub fn day(self) -> Date {
        self.taken.date_cst()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_764_547_200_000; // 2025-12-01 08:00 China time

    #[test]
    fn queue_numbers_are_short_plain_codes() {
        assert_eq!(QueueNo::parse(" A012 ").unwrap().as_str(), "A012");
        assert_eq!(QueueNo::parse(""), Err(VisitError::QueueNoEmpty));
        assert_eq!(QueueNo::parse("A 1"), Err(VisitError::QueueNoCharacter));
        assert_eq!(
            QueueNo::parse(&"9".repeat(21)).unwrap_err().field(),
            "queue_no"
        );
    }

    #[test]
    fn times_follow_each_other() {
        assert!(VisitTimes::new(T, None, None).is_ok());
        assert!(VisitTimes::new(T, Some(T), Some(T + 1)).is_ok());
        let field = |r: Result<VisitTimes, VisitError>| r.unwrap_err().field();
        assert_eq!(field(VisitTimes::new(T, Some(T - 1), None)), "called_at_ms");
        assert_eq!(field(VisitTimes::new(T, None, Some(T))), "finished_at_ms");
        assert_eq!(
            field(VisitTimes::new(T, Some(T + 5), Some(T + 4))),
            "finished_at_ms"
        );
        // Seconds instead of milliseconds.
        assert_eq!(field(VisitTimes::new(T / 1000, None, None)), "taken_at_ms");
    }

    #[test]
    fn the_day_is_china_time() {
        // 2025-11-30 16:30 UTC is already 1 December in China.
        let times = VisitTimes::new(T - 450 * 60_000, None, None).unwrap();
        assert_eq!(times.day().yyyymmdd(), 20_251_201);
    }
}
