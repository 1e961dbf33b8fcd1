//! 我的评价 as the window clerk's page shows it: counts per level and each rating, labelled.

use domain::{Level, access::Actor};

use super::clerk::{ClerkError, own_ratings};
use crate::features::ticket::reason_labels;
use crate::platform::state::AppState;

/// A level and how many valid ratings it had.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelCount {
    pub level_zh: &'static str,
    pub count: usize,
}

/// One rating of the clerk's service, labelled.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnRatingLine {
    pub at: String,
    pub level_zh: &'static str,
    /// The reasons' labels, joined.
    pub reasons: String,
    pub comment: Option<String>,
    /// Upheld on appeal: not counted.
    pub invalidated: bool,
}

/// A window clerk's page of their own ratings.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnRatingsPage {
    /// Staff number and name.
    pub staff: String,
    pub days: u32,
    /// Per level, 非常满意 first; invalidated ratings left out.
    pub counts: Vec<LevelCount>,
    /// Newest first.
    pub ratings: Vec<OwnRatingLine>,
}

/// The clerk's ratings of the last `days` days, labelled and counted.
pub async fn own_ratings_page(
    state: &AppState,
    actor: Actor,
    days: u32,
) -> Result<OwnRatingsPage, ClerkError> {
    let own = own_ratings(state, actor, days).await?;
    let counts = Level::ALL
        .into_iter()
        .map(|level| LevelCount {
            level_zh: level.label_zh(),
            count: own
                .ratings
                .iter()
                .filter(|r| r.level == level && !r.invalidated)
                .count(),
        })
        .collect();
    Ok(OwnRatingsPage {
        staff: own.staff,
        days: own.days,
        counts,
        ratings: own
            .ratings
            .into_iter()
            .map(|r| OwnRatingLine {
                at: r.created_at.to_string(),
                level_zh: r.level.label_zh(),
                reasons: reason_labels(&r.reasons).join("、"),
                comment: r.comment,
                invalidated: r.invalidated,
            })
            .collect(),
    })
}
