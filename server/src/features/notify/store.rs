//! The queries of the messages: candidates for an invitation, for a default evaluation and for a
//! handler's notice; the message log; opt-outs. Each job's "once" is kept here: an invitation's
//! count, a ticket notice claimed before it is sent, an evaluation's unique occurrence.

use domain::{Level, ticket::TicketKind, time::Timestamp};

use crate::platform::db::{Store, StoreResult};

/// An unrated service with a phone that may be due an invitation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct InviteCandidate {
    pub id: i64,
    pub registered_at: Timestamp,
    pub phone_enc: Vec<u8>,
    pub sent: i64,
}

/// A ticket a department may be told about.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct NoticeCandidate {
    pub id: i64,
    pub kind: TicketKind,
    pub department_code: String,
    pub department: String,
    pub tracking_code: String,
    pub due_at: Option<Timestamp>,
}

/// One line of the message log.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MessageLine {
    pub kind: String,
    pub via: String,
    pub occurrence_id: Option<i64>,
    pub ticket_id: Option<i64>,
    /// 138****1234, or none for a robot.
    pub phone_masked: Option<String>,
    pub status: String,
    pub error: Option<String>,
    pub at: Timestamp,
}

/// A message to log.
pub(super) struct LogEntry<'a> {
    pub kind: &'a str,
    pub via: &'a str,
    pub occurrence_id: Option<i64>,
    pub ticket_id: Option<i64>,
    /// The full phone: masked here, before it is stored.
    pub phone: Option<&'a str>,
    pub outcome: &'a Result<(), String>,
    pub at: i64,
}

impl Store {
    /// Services (cases and visits, never walk-ins) with a phone, unrated, registered between
    /// `from` and `until`, that got at most `max_sent` messages and had no attempt since
    /// `retry_before`.
    pub(super) async fn invitation_candidates(
        &self,
        from: i64,
        until: i64,
        max_sent: i64,
        retry_before: i64,
    ) -> StoreResult<Vec<InviteCandidate>> {
        sqlx::query_as(
            "SELECT o.id, o.registered_at, o.evaluator_phone_enc AS phone_enc, \
             coalesce(i.sent, 0) AS sent FROM service_occurrence o \
             LEFT JOIN invitation i ON i.occurrence_id = o.id \
             WHERE o.kind IN ('case', 'visit') AND o.evaluator_phone_enc IS NOT NULL \
             AND o.registered_at BETWEEN $1 AND $2 \
             AND NOT EXISTS (SELECT 1 FROM evaluation e WHERE e.occurrence_id = o.id) \
             AND coalesce(i.sent, 0) <= $3 \
             AND (i.last_attempt_at IS NULL OR i.last_attempt_at <= $4) \
             ORDER BY o.id LIMIT 500",
        )
        .bind(from)
        .bind(until)
        .bind(max_sent)
        .bind(retry_before)
        .fetch_all(&self.pool)
        .await
    }

    /// Counts an attempt at an invitation message (`accepted`: one more was sent).
    pub(super) async fn record_invitation(
        &self,
        occurrence: i64,
        accepted: bool,
        at: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO invitation (occurrence_id, sent, last_attempt_at) VALUES ($1, $2, $3) \
             ON CONFLICT (occurrence_id) DO UPDATE SET sent = invitation.sent + excluded.sent, \
             last_attempt_at = excluded.last_attempt_at",
        )
        .bind(occurrence)
        .bind(i64::from(accepted))
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Whether the occurrence is rated (a message is never sent for a rated one).
    pub(super) async fn is_rated(&self, occurrence: i64) -> StoreResult<bool> {
        sqlx::query_scalar::<_, domain::sql::Flag>(
            "SELECT EXISTS (SELECT 1 FROM evaluation WHERE occurrence_id = $1)",
        )
        .bind(occurrence)
        .fetch_one(&self.pool)
        .await
        .map(bool::from)
    }

    /// The sealed phone registered with an occurrence.
    pub(super) async fn occurrence_phone(&self, occurrence: i64) -> StoreResult<Option<Vec<u8>>> {
        Ok(
            sqlx::query_scalar("SELECT evaluator_phone_enc FROM service_occurrence WHERE id = $1")
                .bind(occurrence)
                .fetch_optional(&self.pool)
                .await?
                .flatten(),
        )
    }

    /// Whether any of `hashes` (a phone's keyed hashes under each listed key) opted out.
    pub(super) async fn opted_out(&self, hashes: &[Vec<u8>]) -> StoreResult<bool> {
        for hash in hashes {
            let found: domain::sql::Flag =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM opt_out WHERE phone_hash = $1)")
                    .bind(hash)
                    .fetch_one(&self.pool)
                    .await?;
            if found.0 {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// 退订: the phone's keyed hash gets no more invitations. Repeats are no-ops.
    pub(super) async fn add_opt_out(&self, hash: &[u8], source: &str, at: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO opt_out (phone_hash, source, at) VALUES ($1, $2, $3) \
             ON CONFLICT (phone_hash) DO NOTHING",
        )
        .bind(hash)
        .bind(source)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Keeps a message in the log, its phone masked.
    pub(super) async fn log_message(&self, entry: LogEntry<'_>) -> StoreResult<()> {
        // A gateway's answer may echo the number it was sent: masked like the phone column.
        let (status, error) = match entry.outcome {
            Ok(()) => ("accepted", None),
            Err(e) => ("failed", Some(domain::mask::phones_in(e))),
        };
        sqlx::query(
            "INSERT INTO message_log (kind, via, occurrence_id, ticket_id, phone_masked, status, \
             error, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(entry.kind)
        .bind(entry.via)
        .bind(entry.occurrence_id)
        .bind(entry.ticket_id)
        .bind(entry.phone.map(domain::mask::phone))
        .bind(status)
        .bind(error)
        .bind(entry.at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest `limit` lines of the message log.
    pub async fn message_log(&self, limit: i64) -> StoreResult<Vec<MessageLine>> {
        sqlx::query_as(
            "SELECT kind, via, occurrence_id, ticket_id, phone_masked, status, error, at \
             FROM message_log ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// Cases and visits (never walk-ins) registered in `[since, before]` and still unrated.
    pub(super) async fn unrated_before(&self, since: i64, before: i64) -> StoreResult<Vec<i64>> {
        sqlx::query_scalar(
            "SELECT o.id FROM service_occurrence o WHERE o.kind IN ('case', 'visit') \
             AND o.registered_at BETWEEN $1 AND $2 \
             AND NOT EXISTS (SELECT 1 FROM evaluation e WHERE e.occurrence_id = o.id) \
             ORDER BY o.id LIMIT 1000",
        )
        .bind(since)
        .bind(before)
        .fetch_all(&self.pool)
        .await
    }

    /// 默认评价: stores the system's evaluation of `occurrence` at `level` (no reasons, no
    /// comment, no ticket), with the rule and its version. `false`: it was rated meanwhile.
    pub(super) async fn insert_default_evaluation(
        &self,
        occurrence: i64,
        tracking_code: &str,
        level: Level,
        rule_version: u32,
        at: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO evaluation (occurrence_id, tracking_code, level, catalogue_version, \
             channel, created_at, default_rule, default_rule_version) \
             VALUES ($1, $2, $3, $4, 'system_default', $5, $6, $7) \
             ON CONFLICT (occurrence_id) DO NOTHING",
        )
        .bind(occurrence)
        .bind(tracking_code)
        .bind(level)
        .bind(i64::from(domain::Catalogue::CURRENT.version))
        .bind(at)
        .bind(domain::notify::DefaultEvaluationSettings::RULE_ID)
        .bind(i64::from(rule_version))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Tickets opened since `since` whose opening no department was told of yet.
    pub(super) async fn tickets_opened_untold(
        &self,
        since: i64,
    ) -> StoreResult<Vec<NoticeCandidate>> {
        let sql = format!(
            "{} AND t.opened_at >= $1 AND NOT EXISTS (SELECT 1 FROM ticket_notice n \
             WHERE n.ticket_id = t.id AND n.reason = 'opened') ORDER BY t.id LIMIT 200",
            notice_select()
        );
        sqlx::query_as(&sql).bind(since).fetch_all(&self.pool).await
    }

    /// Tickets not closed whose running deadline falls in `(now, until]`.
    pub(super) async fn tickets_due_by(
        &self,
        now: i64,
        until: i64,
    ) -> StoreResult<Vec<NoticeCandidate>> {
        let sql = format!(
            "SELECT * FROM ({}) AS c WHERE c.due_at > $1 AND c.due_at <= $2 \
             AND NOT EXISTS (SELECT 1 FROM ticket_notice n WHERE n.ticket_id = c.id \
             AND n.reason = 'deadline_near' AND n.due_at = c.due_at) ORDER BY c.id LIMIT 200",
            notice_select()
        );
        sqlx::query_as(&sql)
            .bind(now)
            .bind(until)
            .fetch_all(&self.pool)
            .await
    }

    /// Claims the notice of `ticket` for `reason` and deadline `due_at` (0 for the opening):
    /// `true` for the one caller that is to send it.
    pub(super) async fn claim_notice(
        &self,
        ticket: i64,
        reason: &str,
        due_at: i64,
        at: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO ticket_notice (ticket_id, reason, due_at, at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(ticket)
        .bind(reason)
        .bind(due_at)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// A ticket with its department and tracking code (the evaluation's or the complaint's) and its
/// running deadline; not closed.
fn notice_select() -> String {
    format!(
        "SELECT t.id, t.kind, d.code AS department_code, d.name AS department, \
         coalesce(e.tracking_code, c.tracking_code) AS tracking_code, {} AS due_at \
         FROM ticket t JOIN department d ON d.id = t.department_id \
         LEFT JOIN evaluation e ON e.id = t.evaluation_id \
         LEFT JOIN complaint c ON c.id = t.complaint_id WHERE t.state <> 'closed'",
        domain::sql::due_at_sql("t")
    )
}
