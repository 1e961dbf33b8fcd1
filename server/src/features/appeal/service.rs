//! 申诉的用例 — filing an appeal with its category, reason and evidence; adding evidence while it
//! is undecided; downloading a file; what the ticket page shows. Files are checked in full before
//! any is written, and a file whose row is not written is removed: a row never points to a
//! missing file and a refusal leaves nothing behind.

use domain::{
    access::Actor,
    appeal::{self, AppealError, EvidenceError, EvidenceType, evidence},
    ticket::{TicketAction, TicketState, Triage},
};

use super::files::{EvidenceDir, sha256_hex};
use super::{AppealRecord, EvidenceRecord, NewAppeal, StoredEvidence};
use crate::features::ticket::{self, TicketActError};
use crate::platform::state::AppState;

/// One file as uploaded: the name it was chosen by and its bytes.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Why an appeal or its evidence was refused.
#[derive(Debug, thiserror::Error)]
pub enum AppealActError {
    /// The ticket's own refusals: not found (or not visible), not allowed, not now, changed.
    #[error(transparent)]
    Ticket(#[from] TicketActError),
    #[error(transparent)]
    Filing(#[from] AppealError),
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    /// A stored file is missing or no longer matches its record.
    #[error("evidence file {0} is missing or altered")]
    Damaged(i64),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// What a filing form sent.
#[derive(Debug, Clone, Default)]
pub struct Filing {
    pub category: String,
    pub reason: String,
    pub files: Vec<Upload>,
}

/// Each file checked (size, then type by content) and the count against what is stored.
fn check(stored: usize, files: &[Upload]) -> Result<Vec<EvidenceType>, EvidenceError> {
    evidence::check_count(stored, files.len())?;
    files
        .iter()
        .map(|f| evidence::check_file(&f.name, &f.bytes))
        .collect()
}

/// Writes the checked files; on a failure removes those already written.
async fn write(
    dir: &EvidenceDir,
    files: &[Upload],
    kinds: &[EvidenceType],
) -> Result<Vec<StoredEvidence>, AppealActError> {
    let mut stored: Vec<StoredEvidence> = Vec::with_capacity(files.len());
    for (file, &kind) in files.iter().zip(kinds) {
        match dir.write(&file.bytes).await {
            Ok(written) => stored.push(StoredEvidence {
                stored_name: written.stored_name,
                original_name: evidence::file_name(&file.name, kind),
                kind,
                size: i64::try_from(file.bytes.len()).unwrap_or(i64::MAX),
                sha256: written.sha256,
            }),
            Err(e) => {
                discard(dir, &stored).await;
                return Err(e.into());
            }
        }
    }
    Ok(stored)
}

async fn discard(dir: &EvidenceDir, stored: &[StoredEvidence]) {
    let names: Vec<String> = stored.iter().map(|s| s.stored_name.clone()).collect();
    dir.remove(&names).await;
}

/// 提出申诉 — the handler of the ticket's department files the appeal, now.
pub async fn file(
    state: &AppState,
    actor: Actor,
    id: i64,
    filing: Filing,
) -> Result<TicketState, AppealActError> {
    file_at(state, actor, id, filing, crate::platform::db::now_ms()).await
}

/// The same at `now` (unix ms): the day the decision's deadline counts from. For tests.
pub async fn file_at(
    state: &AppState,
    actor: Actor,
    id: i64,
    filing: Filing,
    now: i64,
) -> Result<TicketState, AppealActError> {
    let row = ticket::visible_ticket(state, actor, id).await?;
    let action = TicketAction::Triage(Triage::Appeal);
    if !actor.may_act(action, row.department_id) {
        return Err(TicketActError::Forbidden.into());
    }
    // Refused before anything is written: not now, no category, no reason, a file refused.
    row.state
        .apply(action, row.facts)
        .map_err(TicketActError::from)?;
    let category = appeal::read_category(&filing.category)?;
    let reason = appeal::read_reason(&filing.reason)?;
    let kinds = check(0, &filing.files)?;
    let dir = EvidenceDir::of(state);
    let stored = write(&dir, &filing.files, &kinds).await?;
    let new = NewAppeal {
        category,
        evidence: &stored,
    };
    match ticket::file_appeal_step(state, actor, &row, &reason, &new, now).await {
        Ok(to) => Ok(to),
        Err(e) => {
            discard(&dir, &stored).await;
            Err(e.into())
        }
    }
}

/// The appeal on record for ticket `id`, if `actor` may see the ticket.
pub async fn record(
    state: &AppState,
    actor: Actor,
    id: i64,
) -> Result<Option<AppealRecord>, AppealActError> {
    ticket::visible_ticket(state, actor, id).await?;
    Ok(state.store.appeal_of(id).await?)
}

/// Whether `actor` may add evidence to ticket `row` now: the handler who may file the appeal,
/// while it is undecided.
pub fn may_add_evidence(actor: Actor, department: i64, state: TicketState) -> bool {
    actor.may_act(TicketAction::Triage(Triage::Appeal), department) && appeal::takes_evidence(state)
}

/// 补充证据 — adds files to the undecided appeal of ticket `id`; returns their ids.
pub async fn add_evidence(
    state: &AppState,
    actor: Actor,
    id: i64,
    files: Vec<Upload>,
) -> Result<Vec<i64>, AppealActError> {
    let row = ticket::visible_ticket(state, actor, id).await?;
    if !actor.may_act(TicketAction::Triage(Triage::Appeal), row.department_id) {
        return Err(TicketActError::Forbidden.into());
    }
    // An appeal filed before its category was recorded has no record to add to.
    let record = match state.store.appeal_of(id).await? {
        Some(record) if appeal::takes_evidence(row.state) => record,
        _ => return Err(EvidenceError::Closed.into()),
    };
    if files.is_empty() {
        return Err(EvidenceError::Missing.into());
    }
    let kinds = check(record.evidence.len(), &files)?;
    let dir = EvidenceDir::of(state);
    let stored = write(&dir, &files, &kinds).await?;
    let added = state
        .store
        .add_evidence((record.id, id), actor.account_id, &stored)
        .await;
    match added {
        Ok(Some(ids)) => Ok(ids),
        Ok(None) => {
            discard(&dir, &stored).await;
            Err(EvidenceError::Closed.into())
        }
        Err(e) => {
            discard(&dir, &stored).await;
            Err(e.into())
        }
    }
}

/// An evidence file to send.
#[derive(Debug, Clone)]
pub struct Download {
    pub record: EvidenceRecord,
    pub bytes: Vec<u8>,
}

/// 下载证据 — evidence file `evidence` of ticket `id`, for staff who may see the ticket; the
/// download is audited. The file is checked against its record (size, SHA-256) first.
pub async fn download(
    state: &AppState,
    actor: Actor,
    id: i64,
    evidence: i64,
) -> Result<Download, AppealActError> {
    ticket::visible_ticket(state, actor, id).await?;
    let record = state
        .store
        .evidence(id, evidence)
        .await?
        .ok_or(TicketActError::NotFound)?;
    let bytes = match EvidenceDir::of(state).read(&record.stored_name).await {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(AppealActError::Damaged(record.id));
        }
        Err(e) => return Err(e.into()),
    };
    let intact = i64::try_from(bytes.len()).is_ok_and(|n| n == record.size)
        && sha256_hex(&bytes) == record.sha256;
    if !intact {
        return Err(AppealActError::Damaged(record.id));
    }
    state
        .store
        .audit_evidence_download(actor.account_id, id, record.id)
        .await?;
    Ok(Download { record, bytes })
}

/// Files in the evidence directory without a row, older than an hour (a crash between the write
/// and the insert), are removed; returns how many. Younger ones may be an upload in progress.
pub async fn sweep_orphans(state: &AppState) -> Result<usize, AppealActError> {
    let dir = EvidenceDir::of(state);
    let known: std::collections::HashSet<String> =
        state.store.evidence_names().await?.into_iter().collect();
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let mut orphans = Vec::new();
    for name in dir.names().await? {
        if known.contains(&name) {
            continue;
        }
        let modified = dir.modified(&name).await?;
        if modified < hour_ago {
            orphans.push(name);
        }
    }
    dir.remove(&orphans).await;
    Ok(orphans.len())
}
