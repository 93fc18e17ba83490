//! The HTTP status of a domain error, in one place: the API's JSON errors and the pages' HTML
//! errors answer with the same status for the same error.

use axum::http::StatusCode;
use duban_domain::ErrorCode;

/// The HTTP status of an error code.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::InvalidInput | ErrorCode::CalendarOutOfRange => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::Conflict | ErrorCode::VersionConflict => StatusCode::CONFLICT,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::ImportTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::ImportTimeout | ErrorCode::ImportPastDeadlines => StatusCode::UNPROCESSABLE_ENTITY,
    }
}
