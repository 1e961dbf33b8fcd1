//! Why a visit report was refused: a field (422), a grant (403), a fixed visit (409), or the rows
//! of a batch, each named.

use serde::Serialize;

/// A refused row of a batch: its index (from 0), the field and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub row: usize,
    pub field: String,
    pub message: String,
}

/// Why a report was refused.
#[derive(Debug, thiserror::Error)]
pub enum VisitReportError {
    #[error("{field}: {message}")]
    Field {
        field: &'static str,
        message: String,
    },
    /// The window's department is outside the system's grant (403).
    #[error("{field}: {message}")]
    Forbidden {
        field: &'static str,
        message: String,
    },
    /// The visit is an occurrence already and the report changes what defines it (409).
    #[error("{field}: {message}")]
    Conflict {
        field: &'static str,
        message: String,
    },
    /// A batch: the rows that were refused (nothing was stored); 409 when a row conflicts with a
    /// stored visit, else 422.
    #[error("{} rows refused", .rows.len())]
    Rows { conflict: bool, rows: Vec<RowError> },
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

pub(super) fn field(field: &'static str, message: impl Into<String>) -> VisitReportError {
    VisitReportError::Field {
        field,
        message: message.into(),
    }
}

pub(super) fn conflict(name: &'static str) -> VisitReportError {
    VisitReportError::Conflict {
        field: name,
        message: if name == "queue_no" {
            "该号码今日已由另一业务系统登记".into()
        } else if name == "case_number" {
            "该办件编号已由另一业务系统登记，或已关联另一来访".into()
        } else {
            format!("来访已办结或已评价，{name} 不能再改")
        },
    }
}

impl VisitReportError {
    /// The field the error names ("body" when none).
    pub fn field_name(&self) -> &'static str {
        match self {
            VisitReportError::Field { field, .. }
            | VisitReportError::Forbidden { field, .. }
            | VisitReportError::Conflict { field, .. } => field,
            VisitReportError::Rows { .. } | VisitReportError::Store(_) => "body",
        }
    }

    /// The message without the field.
    pub fn message(&self) -> String {
        match self {
            VisitReportError::Field { message, .. }
            | VisitReportError::Forbidden { message, .. }
            | VisitReportError::Conflict { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }

    /// This error as row `row` of a batch.
    pub fn at_row(&self, row: usize) -> RowError {
        RowError {
            row,
            field: self.field_name().to_owned(),
            message: self.message(),
        }
    }
}
