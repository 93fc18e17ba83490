//! The web application (issue 5): server-rendered pages in Simplified Chinese, after kanidm's
//! `views/`. Templates (askama) live in `templates/`, split into pages and partials; the one
//! stylesheet is compiled into the binary and served from `/static/`, so nothing is fetched from
//! outside.
//!
//! Sign-in gives an HttpOnly, SameSite=Lax session cookie (`Secure` behind HTTPS); every form
//! carries the session's CSRF token in its body (the sign-in form a token of its own,
//! double-submitted in a cookie). After sign-in only a path on this site is followed. What a viewer sees
//! is scoped by [`duban_app::access`]; what they may do is asked of their [`Actor`]'s capabilities.
//! The pages share the [`crate::http`] room with the API and never import it.

mod admin;
mod bulletins;
mod charts;
mod decompose;
mod demands;
mod desks;
mod entry;
mod errors;
mod import;
mod liaison;
mod notice;
mod office;
mod pages;
mod paging;
mod polish;
mod procedures;
mod rankings;
mod registry;
mod reviews;
pub mod rows;
mod service_views;

pub use crate::http::AppState;
use crate::http::cookies::session_cookie;
use crate::http::percent_encode;
use crate::http::session::{Signed, csrf_equal, signed_in};
use crate::http::upload::{MAX_UPLOAD, Upload, upload_form};
use axum::Router;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use duban_app::actor::{Actor, Administer, Capability, Oversee, RunLedgers};
use duban_domain::Error;
use duban_domain::org::Person;
pub use errors::{WebError, with_viewer as error_pages_with_viewer};

const CSS: &str = include_str!("../../static/duban.css");
const JS: &str = include_str!("../../static/duban.js");

/// The pages.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(desks::desk))
        .route("/desk/sign", post(desks::sign_many))
        .route("/desk/read", post(desks::mark_read))
        .route("/inbox", get(desks::inbox))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/tasks", get(pages::ledger))
        .route("/tasks.xlsx", get(pages::export))
        .route("/tasks/remind", post(pages::remind_many))
        .route("/tasks/new", get(entry::form).post(entry::submit))
        .route("/tasks/{id}", get(pages::task))
        .route("/tasks/{id}/act", post(pages::act))
        .route("/tasks/{id}/edit", post(entry::edit))
        .route("/tasks/{id}/reassign", post(entry::reassign))
        .route("/tasks/{id}/withdraw", post(entry::withdraw))
        .route("/tasks/{id}/supervise", post(notice::supervise))
        .route("/notices/{file}", get(notice::notice))
        .route("/tasks/{id}/remind", post(pages::remind))
        .route("/tasks/{id}/split", post(decompose::split))
        .route("/tasks/{id}/rule", post(decompose::rule))
        .route("/tasks/{id}/files", post(pages::upload).layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD)))
        .route("/public", get(polish::public))
        .route("/public/tasks/{id}", get(polish::public_task))
        .route("/public/bulletins", get(bulletins::public))
        .route("/bulletins", get(bulletins::list).post(bulletins::draft))
        .route("/bulletins/{id}", get(bulletins::show))
        .route("/bulletins/{id}/save", post(bulletins::save))
        .route("/bulletins/{id}/issue", post(bulletins::issue))
        .route("/bulletins/{id}/delete", post(bulletins::delete))
        .route("/bulletins/{id}/docx", get(bulletins::docx))
        .route("/tasks/{id}/publish", post(polish::publish_feedback))
        .route("/supervision", get(office::supervision))
        .route("/stats", get(office::stats))
        .route("/stats.xlsx", get(office::stats_export))
        .route("/map", get(office::map))
        .route("/rankings", get(rankings::page))
        .route("/rankings.xlsx", get(rankings::xlsx))
        .route("/rankings/issue", post(rankings::issue))
        .route("/rankings/tolerance", post(rankings::tolerance))
        .route("/rankings/units/{id}", get(rankings::unit))
        .route("/rankings/issued/{id}", get(rankings::issued))
        .route("/scoring", get(rankings::scoring).post(rankings::scoring_post))
        .route("/admin", get(admin::index))
        .route("/admin/{section}", get(admin::section))
        .route("/admin/units/new", post(admin::add_unit))
        .route("/admin/units/{id}", post(admin::edit_unit))
        .route("/admin/units/{id}/delete", post(admin::delete_unit))
        .route("/admin/users/{id}", post(admin::edit_user))
        .route("/admin/units/import", post(admin::load_unit_directory))
        .route("/admin/users/new", post(admin::add_user))
        .route("/admin/users/{id}/password", post(admin::reset_password))
        .route("/admin/users/{id}/deactivate", post(admin::deactivate))
        .route("/admin/calendar/import", post(admin::load_calendar_file))
        .route("/admin/rules/save", post(admin::save_rules))
        .route("/import", get(import::form))
        .route("/import/preview", post(import::preview).layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD)))
        .route("/import/commit", post(import::commit).layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD)))
        .route(
            "/objections",
            get(reviews::objections)
                .post(reviews::file_objection)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route("/objections/new", get(reviews::new_objection))
        .route("/objections/{id}/decide", post(reviews::decide))
        .route("/objections/{id}/evidence", get(reviews::evidence))
        .route("/evaluations", get(reviews::evaluations).post(reviews::evaluate))
        .route("/evaluations/{id}/withdraw", post(reviews::withdraw_evaluation))
        .route("/document-errors", get(reviews::document_errors).post(reviews::record_error))
        .route("/document-errors.xlsx", get(reviews::errors_export))
        .route("/document-errors/{id}/withdraw", post(reviews::withdraw_error))
        .route("/liaison", get(liaison::liaison).post(liaison::assign_liaison))
        .route("/liaison/{id}", get(liaison::liaison_detail))
        .route("/liaison/{id}/end", post(liaison::end_liaison))
        .route("/liaison/{id}/visits", post(liaison::record_visit))
        .route("/stewards", get(liaison::stewards).post(liaison::assign_steward))
        .route("/stewards/{id}", get(liaison::steward_detail))
        .route("/stewards/{id}/end", post(liaison::end_steward))
        .route("/stewards/{id}/records", post(liaison::record_onsite))
        .route("/liaison/visits/{visit}/problems/{index}/demand", post(liaison::raise_problem))
        .route("/procedures", get(procedures::index))
        .route("/procedures/kinds", post(procedures::add_kind))
        .route("/procedures/{id}/start", post(procedures::start))
        .route("/procedures/weekly", get(procedures::weekly))
        .route("/procedures/weekly.xlsx", get(procedures::weekly_xlsx))
        .route("/procedures/monthly.docx", get(procedures::monthly_docx))
        .route("/projects/{id}/procedures", get(procedures::project).post(procedures::add))
        .route("/demands", get(demands::list).post(demands::raise))
        .route("/demands/new", get(demands::new_form))
        .route("/demands/queue", get(demands::queue))
        .route("/demands/{id}", get(demands::detail))
        .route("/demands/{id}/assign", post(demands::assign))
        .route("/demands/{id}/return-visit", post(demands::return_visit))
        .route(
            "/public/demands",
            get(demands::public_lookup)
                .post(demands::public_submit)
                .layer(axum::extract::DefaultBodyLimit::max(duban_domain::demand::INTAKE.max_body_bytes)),
        )
        .route("/public/demands/new", get(demands::public_new))
        .route("/public/demands/{code}", get(demands::public_show))
        .route(
            "/public/demands/{code}/rate",
            post(demands::public_rate)
                .layer(axum::extract::DefaultBodyLimit::max(duban_domain::demand::INTAKE.max_body_bytes)),
        )
        .route("/enterprises", get(registry::enterprises).post(registry::create_enterprise))
        .route("/enterprises.xlsx", get(registry::enterprises_xlsx))
        .route("/enterprises/new", get(registry::new_enterprise))
        .route("/enterprises/{id}", get(registry::enterprise).post(registry::edit_enterprise))
        .route("/projects", get(registry::projects).post(registry::create_project))
        .route("/projects.xlsx", get(registry::projects_xlsx))
        .route("/projects/new", get(registry::new_project))
        .route("/projects/{id}", get(registry::project).post(registry::edit_project))
        .route(
            "/enterprises/import",
            get(registry::enterprise_import_form)
                .post(registry::enterprise_import_preview)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route(
            "/enterprises/import/commit",
            post(registry::enterprise_import_commit).layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route(
            "/projects/import",
            get(registry::project_import_form)
                .post(registry::project_import_preview)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route(
            "/projects/import/commit",
            post(registry::project_import_commit).layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route("/units/{id}/service", get(service_views::unit))
        .route("/service/stats", get(service_views::stats))
        .route("/service/stats.xlsx", get(service_views::stats_xlsx))
        .route("/static/duban.css", get(css))
        .route("/static/duban.js", get(js))
        .with_state(state)
}

async fn css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], CSS)
}

async fn js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], JS)
}

/// `%`-escapes a value for a query string (the unreserved characters stay as they are).
pub fn urlencoded(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A 303 to a page, after a form has done its work.
pub fn see_other(path: &str) -> Response {
    let mut resp = Redirect::to(path).into_response();
    *resp.status_mut() = axum::http::StatusCode::SEE_OTHER;
    resp
}

/// The CSRF token of a plain form that carries nothing else. Multipart forms (uploads) carry it
/// as a field of the body too, read by [`crate::http::upload::upload_form`]; never in the URL,
/// which reaches logs.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CsrfParam {
    pub csrf: String,
}

/// Reads a page's upload form and checks its CSRF token (a field of the body) before anything is
/// done with the file. A body that cannot be read at all (too large, not a form) changes
/// nothing, so its error is shown as the inner error without a token.
pub async fn checked_upload(
    req: axum::extract::Request,
    d: &AppState,
    v: &Viewer,
    missing: &str,
) -> Result<Result<Upload, Error>, WebError> {
    match upload_form(req, d).await {
        Ok(form) => {
            v.check_csrf(&form.csrf)?;
            Ok(form.file.ok_or_else(|| Error::invalid("file", missing)))
        }
        Err(e) => Ok(Err(e)),
    }
}

/// [`checked_upload`], also handing back the form's other short text fields.
pub async fn checked_upload_fields(
    req: axum::extract::Request,
    d: &AppState,
    v: &Viewer,
    missing: &str,
) -> Result<(Result<Upload, Error>, Fields), WebError> {
    match upload_form(req, d).await {
        Ok(form) => {
            v.check_csrf(&form.csrf)?;
            Ok((form.file.ok_or_else(|| Error::invalid("file", missing)), Fields(form.fields)))
        }
        Err(e) => Ok((Err(e), Fields::default())),
    }
}

/// A plain form's fields, as the browser sent them (a name may repeat: check boxes, lists).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of a field, or empty.
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap_or_default()
    }

    /// Every value of a field.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// The signed-in person looking at a page, as the [`Actor`] whose capabilities decide what they
/// may do, with their session's CSRF token.
#[derive(Clone)]
pub struct Viewer {
    pub person: Person,
    pub actor: Actor,
    pub csrf: String,
}

impl std::fmt::Debug for Viewer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Viewer").field("person", &self.person.id).finish_non_exhaustive()
    }
}

impl Viewer {
    /// Whether the viewer has the capability `C`.
    pub fn may<C: Capability>(&self) -> bool {
        self.actor.may::<C>()
    }

    /// A 403 page unless the viewer has the capability `C`.
    pub fn require<C: Capability>(&self) -> Result<(), WebError> {
        Ok(self.actor.require::<C>()?)
    }

    /// Checks a form's CSRF token.
    pub fn check_csrf(&self, token: &str) -> Result<(), WebError> {
        if csrf_equal(token, &self.csrf) { Ok(()) } else { Err(WebError::Csrf) }
    }
}

async fn viewer_of(parts: &Parts, d: &AppState) -> Result<Option<Viewer>, WebError> {
    let Some(token) = session_cookie(&parts.headers) else { return Ok(None) };
    Ok(signed_in(d, token).await?.map(|(s, Signed { person, actor })| Viewer { person, actor, csrf: s.csrf }))
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, d: &AppState) -> Result<Self, Self::Rejection> {
        match viewer_of(parts, d).await {
            Ok(Some(v)) => Ok(v),
            Ok(None) => {
                let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                Err(Redirect::to(&format!("/login?next={}", percent_encode(next))).into_response())
            }
            Err(e) => Err(e.into_response()),
        }
    }
}

impl OptionalFromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, d: &AppState) -> Result<Option<Self>, Self::Rejection> {
        viewer_of(parts, d).await.map_err(IntoResponse::into_response)
    }
}

/// The page for an address no route takes.
pub async fn not_found() -> WebError {
    Error::not_found("页面").into()
}

/// The viewer as the page header shows them.
pub struct NavViewer {
    pub name: String,
    pub roles: String,
    pub csrf: String,
}

/// The page header: who is signed in, the links they may follow, and a one-line message.
#[derive(Default)]
pub struct Nav {
    pub viewer: Option<NavViewer>,
    pub links: Vec<(&'static str, &'static str)>,
    pub current: &'static str,
    pub flash: Option<(&'static str, String)>,
}

impl Nav {
    pub fn new(viewer: Option<&Viewer>, current: &'static str) -> Self {
        let Some(v) = viewer else {
            return Nav { viewer: None, links: Vec::new(), current, flash: None };
        };
        let mut links = vec![("/", "工作台"), ("/tasks", "任务台账")];
        if v.may::<Oversee>() {
            links.push(("/supervision", "督办"));
            links.push(("/stats", "统计"));
            links.push(("/rankings", "考核排名"));
        }
        links.push(("/map", "挂图作战"));
        links.push(("/enterprises", "企业服务"));
        if v.may::<RunLedgers>() {
            links.push(("/tasks/new", "新建任务"));
            links.push(("/import", "导入"));
            links.push(("/objections", "考核事项"));
            links.push(("/bulletins", "月度通报"));
        }
        if v.person.fields.roles.contains(&duban_domain::org::Role::Leader) {
            links.push(("/evaluations", "评价单位"));
        }
        if v.may::<Administer>() {
            links.push(("/admin", "管理"));
        }
        links.push(("/public", "公开清单"));
        let roles = v.person.fields.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join("、");
        Nav {
            viewer: Some(NavViewer { name: v.person.fields.name.clone(), roles, csrf: v.csrf.clone() }),
            links,
            current,
            flash: None,
        }
    }

    pub fn flash(mut self, kind: &'static str, text: impl Into<String>) -> Self {
        self.flash = Some((kind, text.into()));
        self
    }
}
