//! 管理: units (one by one, or a directory file), users (with roles and passwords), the
//! calendar (this year's holidays and make-up days; importing next year's file), the rules in
//! force, and the audit log of these changes (审计日志). Administrators only.

use super::errors::render;
use super::paging::{self, Pager, page_size};
use super::{AppState, Fields, Nav, Viewer, WebError};
use crate::http::upload::Upload;
use askama::Template;
use axum::extract::{Form, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_app::actor::{Administer, ReadAdminLog};
use duban_domain::Error;
use duban_domain::calendar::CalendarFile;
use duban_domain::ids::{PersonId, UnitId};
use duban_domain::org::{PersonInput, Role, UnitInput, UnitKind};
use serde::Deserialize;
use std::collections::HashMap;

type PageResult = Result<Response, WebError>;

struct PersonLine {
    id: i64,
    name: String,
    username: String,
    unit: String,
    roles: String,
    role_codes: Vec<&'static str>,
    active: bool,
}

/// One change in the audit log section.
struct LogLine {
    id: i64,
    at: String,
    actor: String,
    kind: &'static str,
    target: String,
    detail: String,
}

struct UnitLine {
    id: i64,
    name: String,
    aliases: String,
    kind: &'static str,
    kind_code: &'static str,
}

#[derive(Template, Default)]
#[template(path = "admin.html")]
struct AdminPage {
    nav: Nav,
    section: &'static str,
    csrf: String,
    error: Option<String>,
    notice: Option<String>,
    units: Vec<UnitLine>,
    kinds: Vec<(&'static str, &'static str)>,
    unit_options: Vec<(i64, String)>,
    roles: Vec<(&'static str, &'static str)>,
    people: Vec<PersonLine>,
    coverage: String,
    year: i16,
    /// Every year the calendar has data for, to choose from.
    years: Vec<i16>,
    days: Vec<(String, &'static str, &'static str)>,
    policy_title: String,
    rules_source: &'static str,
    rules_text: String,
    saved: bool,
    profiles: String,
    rules: Vec<(String, String, String, String, String, String)>,
    toml: String,
    log: Vec<LogLine>,
    /// The pager of the units' or the users' list.
    pager: Pager,
}

const WEEKDAYS: [&str; 7] = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"];

async fn page(
    d: &AppState,
    v: &Viewer,
    section: &'static str,
    error: Option<String>,
    notice: Option<String>,
) -> PageResult {
    page_with(d, v, section, error, notice, None, None).await
}

/// The page, keeping a rules text that was not saved.
async fn page_with(
    d: &AppState,
    v: &Viewer,
    section: &'static str,
    error: Option<String>,
    notice: Option<String>,
    rules_draft: Option<String>,
    params: Option<SectionParams>,
) -> PageResult {
    let params = params.unwrap_or_default();
    let year: Option<i16> = params.year.trim().parse().ok();
    let per_page = page_size(&params.per_page, ADMIN_PER_PAGE);
    let page_no = crate::http::list::page_number(&params.page);
    let mut p = AdminPage {
        nav: Nav::new(Some(v), "/admin"),
        section,
        csrf: v.csrf.clone(),
        error: error.clone(),
        notice,
        ..Default::default()
    };
    let units = d.queries().units().await?;
    match section {
        "units" => {
            p.pager = Pager::new("/admin/units", "", page_no, per_page, units.len() as u64);
            p.units = paging::slice(units.iter().collect(), p.pager.page, per_page)
                .into_iter()
                .map(|u| UnitLine {
                    id: u.id.0,
                    name: u.name.clone(),
                    aliases: u.aliases.join("；"),
                    kind: u.kind.label(),
                    kind_code: u.kind.code(),
                })
                .collect();
            p.kinds = UnitKind::ALL.iter().map(|k| (k.code(), k.label())).collect();
        }
        "users" => {
            let names: HashMap<UnitId, String> = units.iter().map(|u| (u.id, u.name.clone())).collect();
            p.unit_options = units.iter().map(|u| (u.id.0, u.name.clone())).collect();
            p.roles = Role::ALL.iter().map(|r| (r.code(), r.label())).collect();
            let people = d.queries().all_people().await?;
            p.pager = Pager::new("/admin/users", "", page_no, per_page, people.len() as u64);
            p.people = paging::slice(people, p.pager.page, per_page)
                .into_iter()
                .map(|x| PersonLine {
                    id: x.id.0,
                    unit: x.fields.unit_id.and_then(|u| names.get(&u).cloned()).unwrap_or_default(),
                    roles: x.fields.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join("、"),
                    role_codes: x.fields.roles.iter().map(|r| r.code()).collect(),
                    name: x.fields.name,
                    username: x.fields.username,
                    active: x.active,
                })
                .collect();
        }
        "log" => {
            let tz = d.core().policy().timezone();
            p.log = d
                .admin()
                .events(&v.actor, None, 500)
                .await?
                .into_iter()
                .map(|e| LogLine {
                    id: e.id,
                    at: e.fields.at.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string(),
                    actor: e.fields.actor,
                    kind: duban_store::admin_kind::label(&e.fields.kind),
                    target: e.fields.target,
                    detail: e.fields.data.to_string(),
                })
                .collect();
        }
        "calendar" => {
            let cal = d.core().calendar();
            p.coverage = cal.coverage();
            let today = d.core().now().to_zoned(d.core().policy().timezone()).date();
            p.years = cal.known_years().collect();
            p.years.sort_unstable();
            p.year = year.filter(|y| p.years.contains(y)).unwrap_or(today.year());
            let Ok(mut day) = jiff::civil::Date::new(p.year, 1, 1) else { return Err(Error::Internal.into()) };
            while day.year() == p.year {
                let weekend = day.weekday().to_monday_one_offset() > 5;
                if let Ok(w) = cal.is_workday(day) {
                    let kind = match (weekend, w.value) {
                        (false, false) => Some("法定节假日"),
                        (true, true) => Some("调休上班"),
                        _ => None,
                    };
                    if let Some(k) = kind {
                        let wd = WEEKDAYS[usize::from(day.weekday().to_monday_zero_offset().unsigned_abs())];
                        p.days.push((day.to_string(), wd, k));
                    }
                }
                let Ok(next) = day.tomorrow() else { break };
                day = next;
            }
        }
        _ => {
            let policy = d.core().policy();
            p.policy_title = policy.title.clone();
            let saved = d.rules().saved_rules().await?;
            p.saved = saved.is_some();
            p.rules_source = if p.saved { "管理员在此保存" } else { "配置文件" };
            p.profiles = duban_domain::policy::Policy::builtin_names().collect::<Vec<_>>().join("、");
            p.rules_text = match (rules_draft, saved) {
                (Some(draft), _) => draft,
                (None, Some(text)) => text,
                (None, None) => {
                    let base = duban_domain::policy::Policy::builtin_names()
                        .find(|n| policy.name.starts_with(n))
                        .unwrap_or(duban_domain::policy::DEFAULT_PROFILE);
                    format!("profile = \"{base}\"\n")
                }
            };
            p.rules = policy
                .rules
                .iter()
                .map(|r| {
                    (
                        r.id.clone(),
                        r.name.clone(),
                        r.duration.describe(),
                        r.when.describe(),
                        r.yellow_within.unwrap_or(policy.settings.yellow_within).to_string() + " 个工作日",
                        duban_domain::citation::cite(&r.clause),
                    )
                })
                .collect();
            p.toml = policy.to_toml();
        }
    }
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(render(&p, status))
}

pub async fn index(v: Viewer) -> PageResult {
    v.require::<Administer>()?;
    Ok(super::see_other("/admin/units"))
}

/// `?year=` of the calendar section; `?page=&per_page=` of the units' and users' lists.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct SectionParams {
    year: String,
    page: String,
    per_page: String,
}

/// Lines per page of the units' and the users' lists unless the viewer chooses.
const ADMIN_PER_PAGE: u32 = 50;

pub async fn section(
    State(d): State<AppState>,
    v: Viewer,
    Path(name): Path<String>,
    Query(q): Query<SectionParams>,
) -> PageResult {
    v.require::<Administer>()?;
    let section = match name.as_str() {
        "units" => "units",
        "users" => "users",
        "calendar" => "calendar",
        "rules" => "rules",
        "log" => {
            v.require::<ReadAdminLog>()?;
            "log"
        }
        _ => return Err(Error::not_found("页面").into()),
    };
    page_with(&d, &v, section, None, None, None, Some(q)).await
}

/// Shows the outcome of a change: the page again, with a message or the error.
async fn outcome(d: &AppState, v: &Viewer, section: &'static str, r: Result<String, Error>) -> PageResult {
    match r {
        Ok(msg) => page(d, v, section, None, Some(msg)).await,
        Err(e @ (Error::Invalid { .. } | Error::Conflict(_) | Error::NotFound { .. } | Error::Calendar(_))) => {
            page(d, v, section, Some(e.to_string()), None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UnitForm {
    csrf: String,
    name: String,
    kind: String,
    aliases: String,
}

pub async fn add_unit(State(d): State<AppState>, v: Viewer, Form(f): Form<UnitForm>) -> PageResult {
    v.require::<Administer>()?;
    v.check_csrf(&f.csrf)?;
    let input = UnitInput {
        name: f.name,
        kind: Some(f.kind).filter(|k| !k.is_empty()),
        level: None,
        parent_id: None,
        aliases: aliases(&f.aliases),
    };
    let r = match input.parse() {
        Ok(u) => d.admin().add_unit(&v.actor, &u).await.map(|u| format!("已添加单位“{}”", u.name)),
        Err(e) => Err(e),
    };
    outcome(&d, &v, "units", r).await
}

/// An uploaded text file: its name and its UTF-8 content.
fn uploaded_text(file: Result<Upload, Error>, not_text: &str) -> Result<(String, String), Error> {
    let file = file?;
    let text = String::from_utf8(file.bytes.to_vec()).map_err(|_| Error::invalid("file", not_text))?;
    Ok((file.name, text))
}

pub async fn load_unit_directory(State(d): State<AppState>, v: Viewer, req: Request) -> PageResult {
    v.require::<Administer>()?;
    let file = super::checked_upload(req, &d, &v, "请选择单位名录文件").await?;
    let r = async {
        let (name, text) = uploaded_text(file, "单位名录须为 UTF-8 编码的 TOML 文件")?;
        let r = d.admin().load_unit_directory(&v.actor, &text, &name).await?;
        Ok(format!(
            "已导入：新增单位 {} 个、单位组 {} 个，名称和别名 {} 个",
            r.units_created, r.groups_created, r.names
        ))
    }
    .await;
    outcome(&d, &v, "units", r).await
}

/// The unit a users form names: `unit_name` typed or picked from the page's list of unit names
/// (a name or an alias), or the id in `unit`; none when both are empty.
fn chosen_unit(form: &Fields, units: &[duban_domain::org::Unit]) -> Result<Option<UnitId>, Error> {
    let name = form.get("unit_name").trim();
    if name.is_empty() {
        return Ok(form.get("unit").trim().parse().ok().map(UnitId));
    }
    units
        .iter()
        .find(|u| u.name == name)
        .or_else(|| units.iter().find(|u| u.aliases.iter().any(|a| a == name)))
        .map(|u| Some(u.id))
        .ok_or_else(|| Error::invalid("unit", format!("没有名为“{name}”的单位，请从列表中选择")))
}

/// A person as the users form sets them: the unit and the roles from the form, everything else
/// as it was (or empty for a new person).
fn person_input(
    form: &Fields,
    unit_id: Option<UnitId>,
    name: String,
    username: String,
    old: Option<duban_domain::org::NewPerson>,
) -> PersonInput {
    let old = old.unwrap_or_else(|| duban_domain::org::NewPerson {
        name: String::new(),
        username: String::new(),
        unit_id: None,
        roles: vec![],
        title: String::new(),
        phone: String::new(),
        email: String::new(),
        domains: vec![],
        charge_units: vec![],
    });
    PersonInput {
        name,
        username,
        unit_id,
        roles: form.all("role").map(String::from).collect(),
        title: old.title,
        phone: old.phone,
        email: old.email,
        domains: old.domains,
        charge_units: old.charge_units,
    }
}

pub async fn add_user(State(d): State<AppState>, v: Viewer, Form(form): Form<Fields>) -> PageResult {
    v.require::<Administer>()?;
    v.check_csrf(form.get("csrf"))?;
    let units = d.queries().units().await?;
    let password = form.get("password").to_string();
    let r = async {
        let unit = chosen_unit(&form, &units)?;
        let input = person_input(&form, unit, form.get("name").to_string(), form.get("username").to_string(), None);
        duban_app::sign_in::check_password(&input.username, &password)?;
        let p = d.admin().add_person(&v.actor, &input.parse()?, Some(&password)).await?;
        Ok(format!("已添加用户“{}”（{}）", p.fields.name, p.fields.username))
    }
    .await;
    outcome(&d, &v, "users", r).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    csrf: String,
    password: String,
}

/// A deleting or deactivating form: its token and the ticked 确认 box (`confirm=on`), which a
/// browser without JavaScript requires before sending and the server requires again.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    csrf: String,
    confirm: String,
}

impl ConfirmForm {
    fn confirmed(&self, what: &str) -> Result<(), Error> {
        if self.confirm == "on" {
            Ok(())
        } else {
            Err(Error::invalid("confirm", format!("请先勾选“确认{what}”，再{what}")))
        }
    }
}

pub async fn reset_password(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    v.require::<Administer>()?;
    v.check_csrf(&f.csrf)?;
    let r = d
        .admin()
        .set_password(&v.actor, PersonId(id), &f.password)
        .await
        .map(|()| "密码已重设，其登录会话已全部结束".to_string());
    outcome(&d, &v, "users", r).await
}

pub async fn deactivate(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<ConfirmForm>,
) -> PageResult {
    v.require::<Administer>()?;
    v.check_csrf(&f.csrf)?;
    let r = if let Err(e) = f.confirmed("停用") {
        Err(e)
    } else if id == v.person.id.0 {
        Err(Error::invalid("person", "不能停用自己的账号"))
    } else {
        d.admin().deactivate(&v.actor, PersonId(id)).await.map(|()| "已停用，其登录会话已全部结束".to_string())
    };
    outcome(&d, &v, "users", r).await
}

pub async fn load_calendar_file(State(d): State<AppState>, v: Viewer, req: Request) -> PageResult {
    v.require::<Administer>()?;
    let file = super::checked_upload(req, &d, &v, "请选择日历文件").await?;
    let r = async {
        let (name, text) = uploaded_text(file, "日历文件须为 UTF-8 编码的 JSON")?;
        let cal = CalendarFile::parse_json(&text)?;
        let r = d.admin().load_calendar_file(&v.actor, cal, &name).await?;
        let years = r.years.iter().map(i16::to_string).collect::<Vec<_>>().join("、");
        Ok(format!(
            "已导入 {years} 年的节假日数据；现有数据：{}；重算了 {} 项在办任务的时限",
            r.coverage, r.rescheduled
        ))
    }
    .await;
    outcome(&d, &v, "calendar", r).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RulesForm {
    csrf: String,
    rules: String,
    #[serde(rename = "do")]
    action: String,
}

/// Saves rules (or returns to the configuration's) and reschedules every open task.
pub async fn save_rules(State(d): State<AppState>, v: Viewer, Form(f): Form<RulesForm>) -> PageResult {
    v.require::<Administer>()?;
    v.check_csrf(&f.csrf)?;
    let text = (f.action != "reset").then_some(f.rules.as_str());
    match d.admin().set_rules(&v.actor, text).await {
        Ok(n) => {
            let what = if text.is_some() { "规则已保存并生效" } else { "已恢复配置文件中的规则" };
            page(&d, &v, "rules", None, Some(format!("{what}，重算了 {n} 项在办任务的时限"))).await
        }
        Err(e @ Error::Invalid { .. }) => {
            page_with(&d, &v, "rules", Some(e.to_string()), None, Some(f.rules), None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Aliases as the form writes them.
fn aliases(s: &str) -> Vec<String> {
    s.split(['；', ';', '、']).map(str::trim).filter(|a| !a.is_empty()).map(String::from).collect()
}

/// Renames a unit or changes its aliases.
pub async fn edit_unit(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<UnitForm>,
) -> PageResult {
    v.require::<Administer>()?;
    v.check_csrf(&f.csrf)?;
    let r = async {
        let old = d.queries().unit(UnitId(id)).await?;
        let input = UnitInput {
            name: f.name,
            kind: Some(f.kind).filter(|k| !k.is_empty()),
            level: Some(old.level.code().to_string()),
            parent_id: old.parent_id,
            aliases: aliases(&f.aliases),
        };
        let u = d.admin().edit_unit(&v.actor, UnitId(id), &input.parse()?).await?;
        Ok(format!("已保存单位“{}”", u.name))
    }
    .await;
    outcome(&d, &v, "units", r).await
}

/// Deletes a unit that nothing refers to.
pub async fn delete_unit(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<ConfirmForm>,
) -> PageResult {
    v.require::<Administer>()?;
    v.check_csrf(&f.csrf)?;
    let r = match f.confirmed("删除") {
        Ok(()) => d.admin().delete_unit(&v.actor, UnitId(id)).await.map(|()| "已删除单位".to_string()),
        Err(e) => Err(e),
    };
    outcome(&d, &v, "units", r).await
}

/// Changes a user's unit and roles.
pub async fn edit_user(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<Fields>,
) -> PageResult {
    v.require::<Administer>()?;
    v.check_csrf(form.get("csrf"))?;
    let r = async {
        let old = d.queries().person(PersonId(id)).await?;
        if id == v.person.id.0 && !form.all("role").any(|r| r == Role::Admin.code()) {
            return Err(Error::invalid("role", "不能取消自己的管理员角色"));
        }
        let (name, username) = (old.fields.name.clone(), old.fields.username.clone());
        let unit = chosen_unit(&form, &d.queries().units().await?)?;
        let input = person_input(&form, unit, name, username, Some(old.fields));
        let p = d.admin().edit_person(&v.actor, PersonId(id), &input.parse()?).await?;
        Ok(format!("已保存“{}”的单位和角色", p.fields.name))
    }
    .await;
    outcome(&d, &v, "users", r).await
}
