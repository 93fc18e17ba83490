//! The public pages and the office's publishing switch (issue 12 §5): the published list
//! (`/public`) under the government's name, each published task's own page
//! (`/public/tasks/{id}`), and the box on a task page where the office marks the unit's
//! feedback publishable. What is published is the domain's rule
//! ([`duban_domain::publication`]): 公开 tasks only, their public fields only, the feedback only
//! once marked; no lights, no overdue days, no people.

use super::errors::render;
use super::paging::{Pager, page_size};
use super::{AppState, Fields, Nav, Viewer, WebError, see_other};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_app::actor::RunLedgers;
use duban_app::core::TaskView;
use duban_app::reporting::PartyNames;
use duban_domain::Error;
use duban_domain::ids::TaskId;
use duban_domain::publication::{Published, public_state};
use duban_domain::task::{Classification, Status};
use duban_store::{TaskQuery, TaskSort};
use serde::Deserialize;

type PageResult = Result<Response, WebError>;

/// Lines per page of the public list unless the reader chooses.
const PUBLIC_PER_PAGE: u32 = 20;

/// A published task as the public reads it.
pub struct PublicTask {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub text: String,
    pub lead: String,
    pub cooperating: String,
    /// 完成时限, in words when it is not a date of the task's own (按规则计算, 未定).
    pub deadline: String,
    pub state: &'static str,
    pub progress: String,
    pub feedback: String,
}

impl PublicTask {
    fn of(v: &TaskView, names: &PartyNames, p: Option<&Published>) -> Self {
        let f = &v.task.fields;
        let deadline = match (v.deadline_in_force, v.deadline_from_rules) {
            (Some(d), false) => d.to_string(),
            (Some(d), true) => format!("{d}（按规则计算）"),
            (None, _) => "未定".to_string(),
        };
        PublicTask {
            id: v.task.id.0,
            number: duban_domain::task::display_number(&f.number),
            title: f.title.clone(),
            text: f.text.clone(),
            lead: names.parties(&f.lead),
            cooperating: names.parties(&f.cooperating),
            deadline,
            state: public_state(v.task.status),
            progress: p.and_then(|p| p.progress.clone()).unwrap_or_default(),
            feedback: p.and_then(|p| p.feedback.clone()).unwrap_or_default(),
        }
    }
}

/// The header of the public pages: the government's name (configuration `[server]
/// government`), or none.
fn government(d: &AppState) -> String {
    d.sign_in().web_settings().government.clone()
}

#[derive(Template)]
#[template(path = "public.html")]
struct PublicPage {
    nav: Nav,
    government: String,
    today: String,
    total: u64,
    pager: Pager,
    tasks: Vec<PublicTask>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PublicParams {
    page: String,
    per_page: String,
}

/// The published list: 公开 tasks only, never 内部 or 涉密, with their published progress.
pub async fn public(State(d): State<AppState>, v: Option<Viewer>, Query(p): Query<PublicParams>) -> PageResult {
    let names = d.reporting().party_names().await?;
    let per_page = page_size(&p.per_page, PUBLIC_PER_PAGE);
    let q = TaskQuery {
        classifications: vec![Classification::Public],
        statuses: Status::ALL.iter().copied().filter(|s| *s != Status::Cancelled).collect(),
        sort: TaskSort::Number,
        page: crate::http::list::page_number(&p.page),
        per_page,
        now: d.core().now(),
        ..Default::default()
    };
    let page = d.tasks().list_tasks(q).await?;
    let ids: Vec<TaskId> = page.items.iter().map(|t| t.task.id).collect();
    let published = d.publication().published(&ids).await?;
    let tasks = page.items.iter().map(|t| PublicTask::of(t, &names, published.get(&t.task.id))).collect();
    let today = d.core().now().to_zoned(d.core().policy().timezone()).date().to_string();
    let page = PublicPage {
        nav: Nav::new(v.as_ref(), "/public"),
        government: government(&d),
        today,
        total: page.total,
        pager: Pager::new("/public", "", page.page, per_page, page.total),
        tasks,
    };
    Ok(render(&page, StatusCode::OK))
}

#[derive(Template)]
#[template(path = "public_task.html")]
struct PublicTaskPage {
    nav: Nav,
    government: String,
    t: PublicTask,
}

/// One published task's page, for anyone; "not found" for any task that is not published.
pub async fn public_task(State(d): State<AppState>, v: Option<Viewer>, Path(id): Path<i64>) -> PageResult {
    let task = d.publication().published_task(TaskId(id)).await?;
    let names = d.reporting().party_names().await?;
    let published = d.publication().published(&[task.id]).await?;
    let view = d.core().view(task, d.core().now(), false);
    let t = PublicTask::of(&view, &names, published.get(&view.task.id));
    let page = PublicTaskPage { nav: Nav::new(v.as_ref(), "/public"), government: government(&d), t };
    Ok(render(&page, StatusCode::OK))
}

/// The box on a task page where the office marks the feedback publishable: shown to those who
/// run the ledgers, for a published task that has feedback.
pub struct PublicationBox {
    pub published: bool,
}

/// The task page's box, if the viewer may use it and the task has feedback to publish.
pub async fn publication_box(d: &AppState, v: &Viewer, view: &TaskView) -> Result<Option<PublicationBox>, Error> {
    if !v.may::<RunLedgers>() || !duban_domain::publication::is_published(&view.task) {
        return Ok(None);
    }
    let (has, published) = d.publication().feedback_state(view.task.id).await?;
    Ok(has.then_some(PublicationBox { published }))
}

/// The office marks a task's feedback publishable (`publish=on`) or withholds it (`publish=off`).
pub async fn publish_feedback(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<Fields>,
) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    d.access().visible_task(&v.person, TaskId(id)).await?;
    let publish = form.get("publish") == "on";
    d.publication().mark_feedback(&v.actor, TaskId(id), publish).await?;
    let done = if publish { "feedback_published" } else { "feedback_withheld" };
    Ok(see_other(&format!("/tasks/{id}?done={done}")))
}
