//! The pages of key enterprises and key projects (重点企业、重点项目; issue 14 §1):
//!
//! - `/enterprises`, `/projects`: the lists, searched by name (and credit code or investor),
//!   filtered by 规上/限上 or unit, paged 10/20/50/100 like the ledger, exported as .xlsx
//!   (`/enterprises.xlsx`, `/projects.xlsx`).
//! - `/enterprises/{id}`, `/projects/{id}`: the fields, an enterprise's projects, the history
//!   (each version's changed fields, before → after, who and when) and — for the office — the
//!   edit form on the version read; `/enterprises/new`, `/projects/new` add one.
//! - `/enterprises/import`, `/projects/import`: upload a 台账 sheet, see each row's action or
//!   error, then commit all or nothing (the preview's rows travel in the commit form).

use super::errors::render;
use super::paging::{Pager, page_size};
use super::{AppState, Fields, Nav, Viewer, WebError, see_other, urlencoded};
use crate::http::upload::attachment_disposition;
use askama::Template;
use axum::extract::{Form, Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use duban_app::actor::RunLedgers;
use duban_app::registry::{EnterpriseRowPreview, ProjectRowPreview, VersionView};
use duban_domain::Error;
use duban_domain::enterprise::{Enterprise, EnterpriseInput, Project, ProjectInput, ProjectStage, Scale};
use duban_domain::ids::{EnterpriseId, ProjectId, UnitId};
use duban_store::enterprises::{EnterpriseQuery, ImportCounts, ProjectQuery, RecordKind};
use serde::Deserialize;
use std::collections::HashMap;

type PageResult = Result<Response, WebError>;

fn shown(e: &Error) -> bool {
    matches!(e, Error::Invalid { .. } | Error::Conflict(_))
}

/// A list's filters as the address carries them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListParams {
    q: String,
    scale: String,
    unit: String,
    enterprise: String,
    page: String,
    per_page: String,
    done: String,
}

impl ListParams {
    fn page(&self) -> (u32, u32) {
        (self.page.trim().parse().unwrap_or(1).max(1), page_size(&self.per_page, 20))
    }

    fn query_string(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [("q", &self.q), ("scale", &self.scale), ("unit", &self.unit), ("enterprise", &self.enterprise)] {
            if !v.trim().is_empty() {
                parts.push(format!("{k}={}", urlencoded(v.trim())));
            }
        }
        parts.join("&")
    }

    fn unit_id(&self) -> Option<UnitId> {
        self.unit.trim().parse().ok().map(UnitId)
    }

    fn search(&self) -> Option<String> {
        Some(self.q.trim().to_string()).filter(|s| !s.is_empty())
    }

    fn enterprise_query(&self) -> EnterpriseQuery {
        let (page, per) = self.page();
        EnterpriseQuery {
            search: self.search(),
            scale: self.scale.parse::<Scale>().ok(),
            unit_id: self.unit_id(),
            offset: i64::from(page - 1) * i64::from(per),
            limit: i64::from(per),
        }
    }

    fn project_query(&self) -> ProjectQuery {
        let (page, per) = self.page();
        ProjectQuery {
            search: self.search(),
            enterprise_id: self.enterprise.trim().parse().ok().map(EnterpriseId),
            unit_id: self.unit_id(),
            offset: i64::from(page - 1) * i64::from(per),
            limit: i64::from(per),
        }
    }
}

fn done_text(done: &str) -> Option<String> {
    match done {
        "saved" => Some("已保存，新版本记入修改历史。".into()),
        "created" => Some("已添加。".into()),
        d if d.starts_with("imported:") => {
            let n: Vec<&str> = d.trim_start_matches("imported:").split('-').collect();
            match n[..] {
                [a, u, s] => Some(format!("导入完成：新增 {a} 条，更新 {u} 条，无变化 {s} 条。")),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Row of the enterprise list.
struct EnterpriseLine {
    id: i64,
    name: String,
    code: String,
    industry: String,
    scale: &'static str,
    unit: String,
    contact: String,
}

#[derive(Template)]
#[template(path = "enterprises.html")]
struct EnterprisesPage {
    nav: Nav,
    tab: &'static str,
    can_edit: bool,
    rows: Vec<EnterpriseLine>,
    total: i64,
    f: ListParams,
    query: String,
    scales: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
    pager: Pager,
}

fn nav_with(v: &Viewer, path: &'static str, done: &str) -> Nav {
    let nav = Nav::new(Some(v), path);
    match done_text(done) {
        Some(t) => nav.flash("ok", t),
        None => nav,
    }
}

async fn unit_names(d: &AppState) -> Result<(Vec<(i64, String)>, HashMap<i64, String>), WebError> {
    let units: Vec<(i64, String)> = d.registry().units().await?.into_iter().map(|(u, n)| (u.0, n)).collect();
    let map = units.iter().cloned().collect();
    Ok((units, map))
}

/// The enterprise list.
pub async fn enterprises(State(d): State<AppState>, v: Viewer, Query(p): Query<ListParams>) -> PageResult {
    let q = p.enterprise_query();
    let (items, total) = d.enterprises().enterprises(&v.actor, &q).await?;
    let (units, names) = unit_names(&d).await?;
    let rows = items
        .into_iter()
        .map(|e| EnterpriseLine {
            id: e.id.0,
            code: e.fields.credit_code.to_string(),
            industry: e.fields.industry,
            scale: e.fields.scale.label(),
            unit: e.fields.unit_id.and_then(|u| names.get(&u.0).cloned()).unwrap_or_default(),
            contact: format!("{} {}", e.fields.contact_name, e.fields.contact_phone).trim().to_string(),
            name: e.fields.name,
        })
        .collect();
    let (page, per) = p.page();
    let query = p.query_string();
    let pager = Pager::new("/enterprises", &query, page, per, total.max(0) as u64);
    let page = EnterprisesPage {
        nav: nav_with(&v, "/enterprises", &p.done),
        tab: "enterprises",
        can_edit: v.may::<RunLedgers>(),
        rows,
        total,
        query,
        scales: Scale::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        units,
        pager,
        f: p,
    };
    Ok(render(&page, StatusCode::OK))
}

fn xlsx(name: &str, bytes: Vec<u8>) -> Response {
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    );
    if let Ok(val) = HeaderValue::from_str(&attachment_disposition(name)) {
        h.insert(header::CONTENT_DISPOSITION, val);
    }
    resp
}

/// The enterprise list (every page) as .xlsx.
pub async fn enterprises_xlsx(State(d): State<AppState>, v: Viewer, Query(p): Query<ListParams>) -> PageResult {
    let bytes = d.registry().export_enterprises(&v.actor, &p.enterprise_query()).await?;
    Ok(xlsx("重点企业名单.xlsx", bytes))
}

/// The form's values (what was entered, or the record's).
#[derive(Debug, Default, Clone)]
struct EnterpriseForm {
    name: String,
    credit_code: String,
    industry: String,
    scale: String,
    address: String,
    contact_name: String,
    contact_phone: String,
    unit: String,
    note: String,
    version: i64,
}

impl EnterpriseForm {
    fn of(e: &Enterprise) -> Self {
        let f = &e.fields;
        Self {
            name: f.name.clone(),
            credit_code: f.credit_code.to_string(),
            industry: f.industry.clone(),
            scale: f.scale.code().into(),
            address: f.address.clone(),
            contact_name: f.contact_name.clone(),
            contact_phone: f.contact_phone.clone(),
            unit: f.unit_id.map(|u| u.0.to_string()).unwrap_or_default(),
            note: f.note.clone(),
            version: e.version,
        }
    }

    fn from(form: &Fields) -> Self {
        Self {
            name: form.get("name").into(),
            credit_code: form.get("credit_code").into(),
            industry: form.get("industry").into(),
            scale: form.get("scale").into(),
            address: form.get("address").into(),
            contact_name: form.get("contact_name").into(),
            contact_phone: form.get("contact_phone").into(),
            unit: form.get("unit").into(),
            note: form.get("note").into(),
            version: form.get("version").parse().unwrap_or(0),
        }
    }

    fn input(&self) -> Result<EnterpriseInput, Error> {
        Ok(EnterpriseInput {
            name: Some(self.name.clone()),
            credit_code: Some(self.credit_code.clone()),
            industry: Some(self.industry.clone()),
            scale: Some(self.scale.clone()),
            address: Some(self.address.clone()),
            contact_name: Some(self.contact_name.clone()),
            contact_phone: Some(self.contact_phone.clone()),
            unit_id: unit_field(&self.unit)?,
            note: Some(self.note.clone()),
        })
    }
}

fn unit_field(s: &str) -> Result<Option<UnitId>, Error> {
    match s.trim() {
        "" => Ok(None),
        s => s.parse().map(|n| Some(UnitId(n))).map_err(|_| Error::invalid("unit", "请选择单位")),
    }
}

/// A project line.
struct ProjectLine {
    id: i64,
    name: String,
    investor: String,
    investment: String,
    stage: &'static str,
    signed_on: String,
    unit: String,
}

fn project_line(p: Project, names: &HashMap<i64, String>) -> ProjectLine {
    let f = p.fields;
    ProjectLine {
        id: p.id.0,
        investment: f.total_investment.wan_label(),
        stage: f.stage.label(),
        signed_on: f.signed_on.map(|d| d.to_string()).unwrap_or_default(),
        unit: f.unit_id.and_then(|u| names.get(&u.0).cloned()).unwrap_or_default(),
        name: f.name,
        investor: f.investor,
    }
}

#[derive(Template)]
#[template(path = "enterprise.html")]
struct EnterprisePage {
    nav: Nav,
    tab: &'static str,
    csrf: String,
    can_edit: bool,
    /// None: the form adds a new one.
    id: Option<i64>,
    title: String,
    scale_label: String,
    unit_label: String,
    form: EnterpriseForm,
    scales: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
    projects: Vec<ProjectLine>,
    history: Vec<VersionView>,
    error: Option<String>,
    /// The whole service history (issue 14 §6), newest first, under the visibility rule.
    timeline: Vec<duban_app::service_views::Entry>,
}

async fn enterprise_page(
    d: &AppState,
    v: &Viewer,
    id: Option<EnterpriseId>,
    form: Option<EnterpriseForm>,
    done: &str,
    error: Option<String>,
) -> PageResult {
    let (units, names) = unit_names(d).await?;
    let (record, projects, history) = match id {
        Some(id) => {
            let e = d.enterprises().enterprise(&v.actor, id).await?;
            let q = ProjectQuery { enterprise_id: Some(id), limit: 200, ..Default::default() };
            let (ps, _) = d.enterprises().projects(&v.actor, &q).await?;
            let h = d.registry().history(&v.actor, RecordKind::Enterprise, id.0).await?;
            (Some(e), ps.into_iter().map(|p| project_line(p, &names)).collect(), h)
        }
        None => {
            v.require::<RunLedgers>()?;
            (None, Vec::new(), Vec::new())
        }
    };
    let mut form = form.unwrap_or_else(|| record.as_ref().map(EnterpriseForm::of).unwrap_or_default());
    if let (Some(r), true) = (&record, error.is_some()) {
        // A refused edit shows what was entered, on the version read.
        form.version = form.version.max(0).min(r.version);
    }
    let timeline = match &record {
        Some(r) => d.service_views().enterprise(&v.actor, r.id).await?.entries,
        None => Vec::new(),
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = EnterprisePage {
        timeline,
        nav: nav_with(v, "/enterprises", done),
        tab: "enterprises",
        csrf: v.csrf.clone(),
        can_edit: v.may::<RunLedgers>(),
        id: record.as_ref().map(|r| r.id.0),
        title: record.as_ref().map(|r| r.fields.name.clone()).unwrap_or_else(|| "添加重点企业".into()),
        scale_label: record.as_ref().map(|r| r.fields.scale.label().to_string()).unwrap_or_default(),
        unit_label: record
            .as_ref()
            .and_then(|r| r.fields.unit_id)
            .and_then(|u| names.get(&u.0).cloned())
            .unwrap_or_default(),
        form,
        scales: Scale::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        units,
        projects,
        history,
        error,
    };
    Ok(render(&page, status))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DoneParam {
    done: String,
}

/// One enterprise: its fields, projects, history, and the office's edit form.
pub async fn enterprise(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(p): Query<DoneParam>,
) -> PageResult {
    enterprise_page(&d, &v, Some(EnterpriseId(id)), None, &p.done, None).await
}

/// The form for a new enterprise.
pub async fn new_enterprise(State(d): State<AppState>, v: Viewer) -> PageResult {
    enterprise_page(&d, &v, None, None, "", None).await
}

/// Adds an enterprise.
pub async fn create_enterprise(State(d): State<AppState>, v: Viewer, Form(form): Form<Fields>) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    v.require::<RunLedgers>()?;
    let f = EnterpriseForm::from(&form);
    let done = match f.input() {
        Ok(input) => d.enterprises().create_enterprise(&v.actor, input).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(e) => Ok(see_other(&format!("/enterprises/{}?done=created", e.id.0))),
        Err(e) if shown(&e) => enterprise_page(&d, &v, None, Some(f), "", Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

/// Saves an edit made on the version read; a version since written by someone else is refused.
pub async fn edit_enterprise(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<Fields>,
) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    v.require::<RunLedgers>()?;
    let f = EnterpriseForm::from(&form);
    let done = match f.input() {
        Ok(input) => d.enterprises().update_enterprise(&v.actor, EnterpriseId(id), f.version, input).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Ok(see_other(&format!("/enterprises/{id}?done=saved"))),
        Err(e) if shown(&e) => enterprise_page(&d, &v, Some(EnterpriseId(id)), Some(f), "", Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

// ---- projects ----

#[derive(Template)]
#[template(path = "projects.html")]
struct ProjectsPage {
    nav: Nav,
    tab: &'static str,
    can_edit: bool,
    rows: Vec<ProjectLine>,
    total: i64,
    f: ListParams,
    query: String,
    units: Vec<(i64, String)>,
    pager: Pager,
}

/// The project list.
pub async fn projects(State(d): State<AppState>, v: Viewer, Query(p): Query<ListParams>) -> PageResult {
    let q = p.project_query();
    let (items, total) = d.enterprises().projects(&v.actor, &q).await?;
    let (units, names) = unit_names(&d).await?;
    let rows = items.into_iter().map(|x| project_line(x, &names)).collect();
    let (page, per) = p.page();
    let query = p.query_string();
    let pager = Pager::new("/projects", &query, page, per, total.max(0) as u64);
    let page = ProjectsPage {
        nav: nav_with(&v, "/enterprises", &p.done),
        tab: "projects",
        can_edit: v.may::<RunLedgers>(),
        rows,
        total,
        query,
        units,
        pager,
        f: p,
    };
    Ok(render(&page, StatusCode::OK))
}

/// The project list as .xlsx.
pub async fn projects_xlsx(State(d): State<AppState>, v: Viewer, Query(p): Query<ListParams>) -> PageResult {
    let bytes = d.registry().export_projects(&v.actor, &p.project_query()).await?;
    Ok(xlsx("重点项目台账.xlsx", bytes))
}

#[derive(Debug, Default, Clone)]
struct ProjectForm {
    name: String,
    investor: String,
    enterprise: String,
    total_investment: String,
    stage: String,
    signed_on: String,
    location: String,
    industry: String,
    unit: String,
    note: String,
    version: i64,
}

impl ProjectForm {
    fn of(p: &Project) -> Self {
        let f = &p.fields;
        Self {
            name: f.name.clone(),
            investor: f.investor.clone(),
            enterprise: f.enterprise_id.map(|e| e.0.to_string()).unwrap_or_default(),
            total_investment: f.total_investment.wan_label(),
            stage: f.stage.code().into(),
            signed_on: f.signed_on.map(|d| d.to_string()).unwrap_or_default(),
            location: f.location.clone(),
            industry: f.industry.clone(),
            unit: f.unit_id.map(|u| u.0.to_string()).unwrap_or_default(),
            note: f.note.clone(),
            version: p.version,
        }
    }

    fn from(form: &Fields) -> Self {
        Self {
            name: form.get("name").into(),
            investor: form.get("investor").into(),
            enterprise: form.get("enterprise").into(),
            total_investment: form.get("total_investment").into(),
            stage: form.get("stage").into(),
            signed_on: form.get("signed_on").into(),
            location: form.get("location").into(),
            industry: form.get("industry").into(),
            unit: form.get("unit").into(),
            note: form.get("note").into(),
            version: form.get("version").parse().unwrap_or(0),
        }
    }

    fn input(&self) -> Result<ProjectInput, Error> {
        let enterprise_id = match self.enterprise.trim() {
            "" => None,
            s => Some(EnterpriseId(s.parse().map_err(|_| Error::invalid("enterprise_id", "投资企业编号应为数字"))?)),
        };
        Ok(ProjectInput {
            name: Some(self.name.clone()),
            investor: Some(self.investor.clone()),
            enterprise_id,
            total_investment: Some(self.total_investment.clone()),
            stage: Some(self.stage.clone()),
            signed_on: Some(self.signed_on.clone()),
            location: Some(self.location.clone()),
            industry: Some(self.industry.clone()),
            unit_id: unit_field(&self.unit)?,
            note: Some(self.note.clone()),
        })
    }
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    nav: Nav,
    tab: &'static str,
    csrf: String,
    can_edit: bool,
    id: Option<i64>,
    title: String,
    view: Option<ProjectLine>,
    enterprise: Option<(i64, String)>,
    form: ProjectForm,
    stages: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
    history: Vec<VersionView>,
    error: Option<String>,
}

async fn project_page(
    d: &AppState,
    v: &Viewer,
    id: Option<ProjectId>,
    form: Option<ProjectForm>,
    done: &str,
    error: Option<String>,
) -> PageResult {
    let (units, names) = unit_names(d).await?;
    let (record, history) = match id {
        Some(id) => {
            let p = d.enterprises().project(&v.actor, id).await?;
            let h = d.registry().history(&v.actor, RecordKind::Project, id.0).await?;
            (Some(p), h)
        }
        None => {
            v.require::<RunLedgers>()?;
            (None, Vec::new())
        }
    };
    let enterprise = match record.as_ref().and_then(|r| r.fields.enterprise_id) {
        Some(e) => d.enterprises().enterprise(&v.actor, e).await.ok().map(|x| (x.id.0, x.fields.name)),
        None => None,
    };
    let form = form.unwrap_or_else(|| record.as_ref().map(ProjectForm::of).unwrap_or_default());
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = ProjectPage {
        nav: nav_with(v, "/enterprises", done),
        tab: "projects",
        csrf: v.csrf.clone(),
        can_edit: v.may::<RunLedgers>(),
        id: record.as_ref().map(|r| r.id.0),
        title: record.as_ref().map(|r| r.fields.name.clone()).unwrap_or_else(|| "添加重点项目".into()),
        view: record.map(|r| project_line(r, &names)),
        enterprise,
        form,
        stages: ProjectStage::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        units,
        history,
        error,
    };
    Ok(render(&page, status))
}

/// One project.
pub async fn project(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(p): Query<DoneParam>,
) -> PageResult {
    project_page(&d, &v, Some(ProjectId(id)), None, &p.done, None).await
}

/// The form for a new project.
pub async fn new_project(State(d): State<AppState>, v: Viewer) -> PageResult {
    project_page(&d, &v, None, None, "", None).await
}

/// Adds a project.
pub async fn create_project(State(d): State<AppState>, v: Viewer, Form(form): Form<Fields>) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    v.require::<RunLedgers>()?;
    let f = ProjectForm::from(&form);
    let done = match f.input() {
        Ok(input) => d.enterprises().create_project(&v.actor, input).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(p) => Ok(see_other(&format!("/projects/{}?done=created", p.id.0))),
        Err(e) if shown(&e) => project_page(&d, &v, None, Some(f), "", Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

/// Saves an edit of a project on the version read.
pub async fn edit_project(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<Fields>,
) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    v.require::<RunLedgers>()?;
    let f = ProjectForm::from(&form);
    let done = match f.input() {
        Ok(input) => d.enterprises().update_project(&v.actor, ProjectId(id), f.version, input).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Ok(see_other(&format!("/projects/{id}?done=saved"))),
        Err(e) if shown(&e) => project_page(&d, &v, Some(ProjectId(id)), Some(f), "", Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

// ---- import ----

/// One previewed row as the page shows it.
struct PreviewLine {
    line: usize,
    cells: Vec<String>,
    action: &'static str,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "registry_import.html")]
struct ImportPage {
    nav: Nav,
    tab: &'static str,
    csrf: String,
    /// "enterprises" or "projects".
    kind: &'static str,
    what: &'static str,
    headers: Vec<&'static str>,
    rows: Vec<PreviewLine>,
    errors: usize,
    /// The rows to commit, as JSON (the preview's inputs).
    payload: String,
    previewed: bool,
    error: Option<String>,
}

fn import_page(kind: &'static str, v: &Viewer) -> ImportPage {
    let enterprises = kind == "enterprises";
    ImportPage {
        nav: Nav::new(Some(v), "/enterprises"),
        tab: kind,
        csrf: v.csrf.clone(),
        kind,
        what: if enterprises { "重点企业" } else { "重点项目" },
        headers: if enterprises {
            vec!["企业名称", "统一社会信用代码", "所属行业", "规上/限上", "所属单位"]
        } else {
            vec!["项目名称", "投资主体", "总投资", "项目阶段", "签约日期", "责任单位"]
        },
        rows: Vec::new(),
        errors: 0,
        payload: String::new(),
        previewed: false,
        error: None,
    }
}

fn import_form(v: &Viewer, kind: &'static str) -> PageResult {
    v.require::<RunLedgers>()?;
    Ok(render(&import_page(kind, v), StatusCode::OK))
}

/// The enterprise sheet's upload form.
pub async fn enterprise_import_form(v: Viewer) -> PageResult {
    import_form(&v, "enterprises")
}

/// The project sheet's upload form.
pub async fn project_import_form(v: Viewer) -> PageResult {
    import_form(&v, "projects")
}

/// Reads an enterprise sheet and shows its preview.
pub async fn enterprise_import_preview(State(d): State<AppState>, v: Viewer, req: Request) -> PageResult {
    import_preview(&d, &v, "enterprises", req).await
}

/// Reads a project sheet and shows its preview.
pub async fn project_import_preview(State(d): State<AppState>, v: Viewer, req: Request) -> PageResult {
    import_preview(&d, &v, "projects", req).await
}

/// Commits the previewed enterprise rows.
pub async fn enterprise_import_commit(State(d): State<AppState>, v: Viewer, Form(form): Form<Fields>) -> PageResult {
    import_commit(&d, &v, "enterprises", &form).await
}

/// Commits the previewed project rows.
pub async fn project_import_commit(State(d): State<AppState>, v: Viewer, Form(form): Form<Fields>) -> PageResult {
    import_commit(&d, &v, "projects", &form).await
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

fn enterprise_line(r: &EnterpriseRowPreview) -> PreviewLine {
    let i = &r.input;
    PreviewLine {
        line: r.line,
        cells: vec![opt(&i.name), opt(&i.credit_code), opt(&i.industry), opt(&i.scale), r.unit.clone()],
        action: r.action.map(|a| a.label()).unwrap_or(""),
        error: r.error.clone(),
    }
}

fn project_preview_line(r: &ProjectRowPreview) -> PreviewLine {
    let i = &r.input;
    let amount = i
        .total_investment
        .as_deref()
        .and_then(|a| a.parse::<duban_domain::enterprise::Yuan>().ok())
        .map(|y| y.wan_label())
        .unwrap_or_else(|| opt(&i.total_investment));
    PreviewLine {
        line: r.line,
        cells: vec![opt(&i.name), opt(&i.investor), amount, opt(&i.stage), opt(&i.signed_on), r.unit.clone()],
        action: r.action.map(|a| a.label()).unwrap_or(""),
        error: r.error.clone(),
    }
}

/// Reads the uploaded sheet and shows its preview.
async fn import_preview(d: &AppState, v: &Viewer, kind: &'static str, req: Request) -> PageResult {
    let file = super::checked_upload(req, d, v, "请选择要导入的表格").await?;
    v.require::<RunLedgers>()?;
    let mut page = import_page(kind, v);
    let result = match file {
        Ok(f) => {
            let name = if f.name.is_empty() { "list.xlsx".to_string() } else { f.name };
            if kind == "enterprises" {
                d.registry().preview_enterprises(&v.actor, f.bytes.to_vec(), name).await.map(|p| {
                    let inputs: Vec<&EnterpriseInput> = p.rows.iter().map(|r| &r.input).collect();
                    (p.rows.iter().map(enterprise_line).collect(), p.errors, serde_json::to_string(&inputs))
                })
            } else {
                d.registry().preview_projects(&v.actor, f.bytes.to_vec(), name).await.map(|p| {
                    let inputs: Vec<&ProjectInput> = p.rows.iter().map(|r| &r.input).collect();
                    (p.rows.iter().map(project_preview_line).collect(), p.errors, serde_json::to_string(&inputs))
                })
            }
        }
        Err(e) => Err(e),
    };
    match result {
        Ok((rows, errors, payload)) => {
            page.rows = rows;
            page.errors = errors;
            page.payload = payload.map_err(|_| Error::Internal)?;
            page.previewed = true;
            if page.rows.is_empty() {
                page.error = Some("表中没有数据行".into());
            }
            Ok(render(&page, StatusCode::OK))
        }
        Err(e @ (Error::Invalid { .. } | Error::ImportTooLarge(_) | Error::ImportTimeout(_))) => {
            page.error = Some(e.to_string());
            Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e.into()),
    }
}

/// Commits the previewed rows, all or nothing.
async fn import_commit(d: &AppState, v: &Viewer, kind: &'static str, form: &Fields) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    v.require::<RunLedgers>()?;
    let bad = |_| Error::invalid("rows", "导入内容无法读取，请重新上传表格");
    let result: Result<ImportCounts, Error> = if kind == "enterprises" {
        match serde_json::from_str::<Vec<EnterpriseInput>>(form.get("rows")).map_err(bad) {
            Ok(rows) => d.registry().commit_enterprises(&v.actor, rows).await,
            Err(e) => Err(e),
        }
    } else {
        match serde_json::from_str::<Vec<ProjectInput>>(form.get("rows")).map_err(bad) {
            Ok(rows) => d.registry().commit_projects(&v.actor, rows).await,
            Err(e) => Err(e),
        }
    };
    match result {
        Ok(c) => Ok(see_other(&format!("/{kind}?done=imported:{}-{}-{}", c.added, c.updated, c.unchanged))),
        Err(e @ (Error::Invalid { .. } | Error::Conflict(_) | Error::ImportTooLarge(_))) => {
            let mut page = import_page(kind, v);
            page.error = Some(e.to_string());
            Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e.into()),
    }
}
