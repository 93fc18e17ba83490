//! Uploads for both the API and the pages: the body limit, reading a multipart form's `file`
//! (and the pages' `csrf` field) or a raw body, and serving an attachment back safely (a clean
//! file name, a Content-Type browsers do not run, `Content-Disposition: attachment`).

use axum::extract::FromRequest;
use duban_domain::Error;

/// Uploads (documents, spreadsheets, evidence) can be large; 20 MiB is plenty.
pub const MAX_UPLOAD: usize = 20 * 1024 * 1024;

/// An uploaded file.
pub struct Upload {
    pub bytes: axum::body::Bytes,
    /// The file name the browser sent, or empty for a raw upload.
    pub name: String,
    pub content_type: String,
}

/// A page's upload form: the file, if one was chosen, and the form's CSRF token (a field of the
/// body, so that it never appears in a URL and the logs), and its other short text fields (at
/// most [`MAX_FIELDS`], each cut to [`MAX_FIELD_CHARS`]).
pub struct UploadForm {
    pub file: Option<Upload>,
    pub csrf: String,
    pub fields: Vec<(String, String)>,
}

/// How many text fields besides `file` and `csrf` an upload form keeps.
pub const MAX_FIELDS: usize = 16;
/// How long a text field of an upload form may be.
pub const MAX_FIELD_CHARS: usize = 1000;

/// Reads an upload: a multipart form's `file` field, or the raw body.
pub async fn upload<S: Send + Sync>(req: axum::extract::Request, state: &S, missing: &str) -> Result<Upload, Error> {
    upload_form(req, state).await?.file.ok_or_else(|| Error::invalid("file", missing))
}

/// Reads a multipart form's `file` and `csrf` fields (in any order, within the body limit), or a
/// raw body as the file.
pub async fn upload_form<S: Send + Sync>(req: axum::extract::Request, state: &S) -> Result<UploadForm, Error> {
    use axum::extract::Multipart;
    let unreadable = |e: &dyn std::fmt::Display| Error::invalid("file", format!("上传内容无法读取：{e}"));
    let content_type = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_string();
    if !content_type.starts_with("multipart/form-data") {
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|e| unreadable(&e))?;
        return Ok(UploadForm {
            file: Some(Upload { bytes, name: String::new(), content_type }),
            csrf: String::new(),
            fields: Vec::new(),
        });
    }
    let mut form = Multipart::from_request(req, state).await.map_err(|e| unreadable(&e))?;
    let mut out = UploadForm { file: None, csrf: String::new(), fields: Vec::new() };
    while let Some(field) = form.next_field().await.map_err(|e| unreadable(&e))? {
        match field.name() {
            Some("file") if out.file.is_none() => {
                let name = field.file_name().map(str::to_string).unwrap_or_default();
                let content_type = field.content_type().unwrap_or("application/octet-stream").to_string();
                let bytes = field.bytes().await.map_err(|e| unreadable(&e))?;
                // A file input left empty still sends a part, with no name and no bytes.
                if !(name.is_empty() && bytes.is_empty()) {
                    out.file = Some(Upload { bytes, name, content_type });
                }
            }
            Some("csrf") => out.csrf = field.text().await.map_err(|e| unreadable(&e))?.trim().to_string(),
            Some(name) if out.fields.len() < MAX_FIELDS && field.file_name().is_none() => {
                let name = name.to_string();
                let text = field.text().await.map_err(|e| unreadable(&e))?;
                out.fields.push((name, text.trim().chars().take(MAX_FIELD_CHARS).collect()));
            }
            _ => {}
        }
    }
    Ok(out)
}

pub use duban_app::file_names::clean_file_name;

/// The Content-Type an attachment is served with: the uploader's type only when it is on a
/// short list of types browsers do not run (PDF, raster images, Office and OpenDocument files,
/// plain text, archives); anything else — HTML, JavaScript, SVG, XML — as
/// `application/octet-stream`.
pub fn safe_content_type(declared: &str) -> &'static str {
    const ALLOWED: [&str; 22] = [
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/bmp",
        "image/tiff",
        "text/plain",
        "text/csv",
        "application/zip",
        "application/x-7z-compressed",
        "application/vnd.rar",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/ofd",
    ];
    let essence = declared.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    ALLOWED.iter().find(|a| **a == essence).copied().unwrap_or("application/octet-stream")
}

/// `Content-Disposition: attachment` with the name for the browser (RFC 6266): the UTF-8 name in
/// `filename*`, and an ASCII fallback in `filename` for clients that do not read it.
pub fn attachment_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' { c } else { '_' })
        .collect();
    format!("attachment; filename*=UTF-8''{}; filename=\"{fallback}\"", super::percent_encode(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_harmless_types_keep_their_content_type() {
        assert_eq!(safe_content_type("application/pdf"), "application/pdf");
        assert_eq!(safe_content_type("Image/PNG; q=1"), "image/png");
        for t in ["text/html", "image/svg+xml", "application/javascript", "text/javascript", "text/xml", "", "x"] {
            assert_eq!(safe_content_type(t), "application/octet-stream", "{t}");
        }
    }

    #[test]
    fn the_disposition_has_an_ascii_fallback_and_the_utf8_name() {
        assert_eq!(
            attachment_disposition("方案 \"v2\".pdf"),
            "attachment; filename*=UTF-8''%E6%96%B9%E6%A1%88%20%22v2%22.pdf; filename=\"__ _v2_.pdf\""
        );
    }
}
