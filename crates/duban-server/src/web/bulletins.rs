//! The monthly bulletin's pages (issue 13 §5): `/bulletins` (the list, and 生成草稿 for a
//! month), `/bulletins/{id}` (a draft's editable paragraphs with their 公开 boxes, save, and
//! issue with a confirmation; an issued bulletin as a page in the official look, with its Word
//! file and print), and `/public/bulletins`, the public parts of the issued ones, for anyone.

use super::errors::render;
use super::{AppState, Fields, Nav, Viewer, WebError, see_other};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use duban_app::actor::RunLedgers;
use duban_app::bulletin::{DraftEdit, ParagraphEdit, PublicBulletin};
use duban_app::bulletin_docx::masthead;
use duban_app::notice_sheet::chinese_date;
use duban_store::bulletins::Bulletin;
use serde::Deserialize;

type PageResult = Result<Response, WebError>;

#[derive(Template)]
#[template(path = "bulletins.html")]
struct ListPage {
    nav: Nav,
    csrf: String,
    month: String,
    bulletins: Vec<Bulletin>,
}

#[derive(Template)]
#[template(path = "bulletin.html")]
struct BulletinPage {
    nav: Nav,
    csrf: String,
    b: Bulletin,
    masthead: String,
    issuer: String,
    date: String,
}

#[derive(Template)]
#[template(path = "public_bulletins.html")]
struct PublicPage {
    nav: Nav,
    bulletins: Vec<PublicBulletin>,
}

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: String,
}

fn done_text(done: &str) -> Option<&'static str> {
    match done {
        "drafted" => Some("已生成通报草稿，请修改后印发"),
        "saved" => Some("草稿已保存"),
        "issued" => Some("通报已印发"),
        "deleted" => Some("草稿已删除"),
        _ => None,
    }
}

fn nav(v: &Viewer, current: &'static str, done: &str) -> Nav {
    let n = Nav::new(Some(v), current);
    match done_text(done) {
        Some(t) => n.flash("ok", t.to_string()),
        None => n,
    }
}

/// The list, with the month to draft for (last month by default).
pub async fn list(State(d): State<AppState>, v: Viewer, Query(q): Query<Done>) -> PageResult {
    v.require::<RunLedgers>()?;
    let today = d.core().now().to_zoned(d.core().policy().timezone()).date();
    let last = today.first_of_month().yesterday().unwrap_or(today);
    let page = ListPage {
        nav: nav(&v, "/bulletins", &q.done),
        csrf: v.csrf.clone(),
        month: format!("{}-{:02}", last.year(), last.month()),
        bulletins: d.bulletins().list(&v.actor).await?,
    };
    Ok(render(&page, StatusCode::OK))
}

/// 生成草稿 for the month in the form.
pub async fn draft(State(d): State<AppState>, v: Viewer, Form(form): Form<Fields>) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    let b = d.draft_bulletin(&v.actor, form.get("month")).await?;
    Ok(see_other(&format!("/bulletins/{}?done=drafted", b.id)))
}

/// One bulletin: a draft's form, or the issued bulletin in the official look.
pub async fn show(State(d): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<Done>) -> PageResult {
    let b = d.bulletins().get(&v.actor, id).await?;
    let issuer = d.supervision().issuer();
    let page = BulletinPage {
        nav: nav(&v, "/bulletins", &q.done),
        csrf: v.csrf.clone(),
        masthead: masthead(&issuer),
        date: b.issued_on.map(chinese_date).unwrap_or_default(),
        issuer,
        b,
    };
    Ok(render(&page, StatusCode::OK))
}

/// Saves a draft: the title, 主送, and every paragraph's text (`t{s}_{p}`) and public box
/// (`p{s}_{p}`).
pub async fn save(State(d): State<AppState>, v: Viewer, Path(id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    let b = d.bulletins().get(&v.actor, id).await?;
    let mut edit = DraftEdit {
        title: Some(form.get("title").to_string()),
        recipients: Some(form.get("recipients").to_string()),
        paragraphs: Vec::new(),
    };
    for (s, sec) in b.body.sections.iter().enumerate() {
        for (p, _) in sec.paragraphs.iter().enumerate() {
            let key = format!("t{s}_{p}");
            let text = form.0.iter().find(|(n, _)| *n == key).map(|(_, v)| v.clone());
            edit.paragraphs.push(ParagraphEdit {
                section: s,
                paragraph: p,
                text,
                public: Some(form.get(&format!("p{s}_{p}")) == "on"),
            });
        }
    }
    d.bulletins().edit(&v.actor, id, &edit).await?;
    Ok(see_other(&format!("/bulletins/{id}?done=saved")))
}

/// Issues a draft, once the confirmation box is ticked.
pub async fn issue(State(d): State<AppState>, v: Viewer, Path(id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    if form.get("confirm") != "on" {
        return Err(duban_domain::Error::invalid("confirm", "请勾选“确认印发”：印发后通报编号生效，不能再修改").into());
    }
    d.bulletins().issue(&v.actor, id).await?;
    Ok(see_other(&format!("/bulletins/{id}?done=issued")))
}

/// Deletes a draft.
pub async fn delete(State(d): State<AppState>, v: Viewer, Path(id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    d.bulletins().delete(&v.actor, id).await?;
    Ok(see_other("/bulletins?done=deleted"))
}

/// The issued bulletin's Word file.
pub async fn docx(State(d): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    let (name, bytes) = d.bulletins().docx(&v.actor, id).await?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    );
    if let Ok(v) = HeaderValue::from_str(&crate::http::upload::attachment_disposition(&name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

/// The public parts of the issued bulletins.
pub async fn public(State(d): State<AppState>, v: Option<Viewer>) -> PageResult {
    let page = PublicPage { nav: Nav::new(v.as_ref(), "/public"), bulletins: d.bulletins().public().await? };
    Ok(render(&page, StatusCode::OK))
}
