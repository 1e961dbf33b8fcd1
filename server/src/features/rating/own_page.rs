//! 我的评价 as the window clerk's page shows it: counts per level, per day and per reason, and the
//! citizens' words — never a rating's time, and a 差评's words only once its ticket is closed, so
//! that a clerk cannot tell who gave it (`domain::access::clerk_reads_comment`).

use std::collections::BTreeMap;

use domain::{
    Level,
    access::{Actor, clerk_reads_comment},
};

use super::clerk::{ClerkError, own_ratings};
use crate::features::ticket::reason_labels;
use crate::platform::state::AppState;

/// A level and how many valid ratings it had.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelCount {
    pub level_zh: &'static str,
    pub count: usize,
}

/// One day's valid ratings, per level (非常满意 first).
#[derive(Debug, Clone, PartialEq)]
pub struct DayCounts {
    /// The China-time date, YYYY-MM-DD.
    pub day: String,
    pub counts: [usize; 5],
}

/// A citizen's words the clerk may read, with the day and level only.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnComment {
    pub day: String,
    pub level_zh: &'static str,
    pub text: String,
}

/// A window clerk's page of their own ratings.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnRatingsPage {
    /// Staff number and name.
    pub staff: String,
    pub days: u32,
    /// Per level, 非常满意 first; invalidated ratings left out.
    pub counts: Vec<LevelCount>,
    /// Per day, newest first.
    pub per_day: Vec<DayCounts>,
    /// Reasons chosen, most frequent first.
    pub reasons: Vec<(&'static str, usize)>,
    /// The words the clerk may read, newest day first.
    pub comments: Vec<OwnComment>,
    /// 差评 words withheld until their ticket is closed.
    pub withheld: usize,
    /// Ratings excluded by an upheld appeal.
    pub invalidated: usize,
}

/// The clerk's ratings of the last `days` days, counted and labelled.
pub async fn own_ratings_page(
    state: &AppState,
    actor: Actor,
    days: u32,
) -> Result<OwnRatingsPage, ClerkError> {
    let own = own_ratings(state, actor, days).await?;
    let valid: Vec<_> = own.ratings.iter().filter(|r| !r.invalidated).collect();
    let counts = Level::ALL
        .into_iter()
        .map(|level| LevelCount {
            level_zh: level.label_zh(),
            count: valid.iter().filter(|r| r.level == level).count(),
        })
        .collect();
    let column = |level: Level| Level::ALL.iter().position(|l| *l == level).unwrap_or(0);
    let mut per_day: BTreeMap<String, [usize; 5]> = BTreeMap::new();
    let mut reasons: BTreeMap<&'static str, usize> = BTreeMap::new();
    for r in &valid {
        per_day
            .entry(r.created_at.date_cst().to_string())
            .or_default()[column(r.level)] += 1;
        for label in reason_labels(&r.reasons) {
            *reasons.entry(label).or_default() += 1;
        }
    }
    let mut reasons: Vec<_> = reasons.into_iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let (mut comments, mut withheld) = (Vec::new(), 0);
    for r in &valid {
        let Some(text) = r.comment.clone().filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        if clerk_reads_comment(r.level, r.ticket) {
            comments.push(OwnComment {
                day: r.created_at.date_cst().to_string(),
                level_zh: r.level.label_zh(),
                text,
            });
        } else {
            withheld += 1;
        }
    }
    // Within a day, in no order that follows the time they were given.
    comments.sort_by(|a, b| b.day.cmp(&a.day).then(a.text.cmp(&b.text)));
    Ok(OwnRatingsPage {
        staff: own.staff,
        days: own.days,
        counts,
        per_day: per_day
            .into_iter()
            .rev()
            .map(|(day, counts)| DayCounts { day, counts })
            .collect(),
        reasons,
        comments,
        withheld,
        invalidated: own.ratings.len() - valid.len(),
    })
}
