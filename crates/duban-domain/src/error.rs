//! The one error type that every layer maps into. Each error has a stable machine-readable
//! [`ErrorCode`] (used by the API and by tools) and a message in Chinese for the people who use
//! Duban. Internal causes (SQL errors, IO) are logged where they happen and never shown here.

use crate::calendar::CalendarError;
use serde::Serialize;

/// Stable error codes. They are part of the API: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ErrorCode {
    NotFound,
    InvalidInput,
    Conflict,
    VersionConflict,
    CalendarOutOfRange,
    Forbidden,
    Unauthenticated,
    TooManyAttempts,
    Internal,
    Unavailable,
    /// An uploaded document beyond the importer's limits (size, declared cells, output).
    #[serde(rename = "import.too_large")]
    ImportTooLarge,
    /// An uploaded document that took longer to read than the importer's time budget.
    #[serde(rename = "import.timeout")]
    ImportTimeout,
    /// A commit of an import whose deadlines (their own or the default given) have already
    /// passed, not confirmed: the tasks would be overdue the moment they are written.
    #[serde(rename = "import.past_deadlines")]
    ImportPastDeadlines,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::InvalidInput => "invalid_input",
            Self::Conflict => "conflict",
            Self::VersionConflict => "version_conflict",
            Self::CalendarOutOfRange => "calendar_out_of_range",
            Self::Forbidden => "forbidden",
            Self::Unauthenticated => "unauthenticated",
            Self::TooManyAttempts => "too_many_attempts",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
            Self::ImportTooLarge => "import.too_large",
            Self::ImportTimeout => "import.timeout",
            Self::ImportPastDeadlines => "import.past_deadlines",
        }
    }
}

/// A domain error: what went wrong, said so a user can act on it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// No such record. `what` names it in Chinese, e.g. "任务 12".
    #[error("{what}不存在")]
    NotFound { what: String },
    /// Bad input; `field` names the offending field for forms and API clients.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// The request contradicts existing data (a duplicate name, a unit still in use …).
    #[error("{0}")]
    Conflict(String),
    /// Someone else changed the record first; the caller must reload and retry.
    #[error("记录已被他人修改（当前版本 {current}），请刷新后重试")]
    VersionConflict { current: i64 },
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    #[error("无权执行此操作")]
    Forbidden,
    #[error("请先登录")]
    Unauthenticated,
    /// Sign-in refused for a while after repeated failures.
    #[error("登录失败次数过多，请 {retry_after_secs} 秒后再试")]
    TooManyAttempts { retry_after_secs: u64 },
    /// Something failed inside; the cause was logged where it happened.
    #[error("系统内部错误，请稍后重试或联系管理员")]
    Internal,
    /// A public form submitted too often from one address (the enterprise demand intake).
    #[error("提交过于频繁，请 {retry_after_secs} 秒后再试")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("服务暂时不可用：{0}")]
    Unavailable(String),
    /// An uploaded document beyond the importer's limits; the message says which, in Chinese.
    #[error("{0}")]
    ImportTooLarge(String),
    /// An uploaded document that took longer to read than the importer's time budget.
    #[error("{0}")]
    ImportTimeout(String),
    /// An import whose deadlines have passed, committed without confirming them; the message
    /// says how many and which, in Chinese.
    #[error("{0}")]
    ImportPastDeadlines(String),
}

impl Error {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { field: field.into(), message: message.into() }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound { what: what.into() }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotFound { .. } => ErrorCode::NotFound,
            Self::Invalid { .. } => ErrorCode::InvalidInput,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::VersionConflict { .. } => ErrorCode::VersionConflict,
            Self::Calendar(CalendarError::InvalidFile(_)) => ErrorCode::InvalidInput,
            Self::Calendar(_) => ErrorCode::CalendarOutOfRange,
            Self::Forbidden => ErrorCode::Forbidden,
            Self::Unauthenticated => ErrorCode::Unauthenticated,
            Self::TooManyAttempts { .. } | Self::TooManyRequests { .. } => ErrorCode::TooManyAttempts,
            Self::Internal => ErrorCode::Internal,
            Self::Unavailable(_) => ErrorCode::Unavailable,
            Self::ImportTooLarge(_) => ErrorCode::ImportTooLarge,
            Self::ImportTimeout(_) => ErrorCode::ImportTimeout,
            Self::ImportPastDeadlines(_) => ErrorCode::ImportPastDeadlines,
        }
    }
}
