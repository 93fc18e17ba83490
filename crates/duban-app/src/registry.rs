//! The key-enterprise and key-project lists beyond one record (issue 14 §1): importing a
//! 台账 sheet (a preview with each row's error, then an all-or-nothing commit in which a listed
//! credit code — or a listed project name — becomes a new version), exporting a list as .xlsx in
//! the same layout, and each record's history as the fields each version changed.
//!
//! Reading a sheet runs on a blocking thread within the importer's limits
//! (`duban_import::registry`); everyone signed in reads, the office writes, as in
//! [`crate::enterprises`].

use crate::actor::{Actor, RunLedgers};
use crate::core::Core;
use duban_domain::Error;
use duban_domain::enterprise::{EnterpriseInput, NewEnterprise, NewProject, ProjectInput, ProjectStage, Scale, Yuan};
use duban_domain::ids::{EnterpriseId, PersonId, UnitId};
use duban_import::limits::Limits;
use duban_import::registry::{self, RegistryError};
use duban_store::enterprises::{EnterpriseQuery, ImportCounts, ProjectQuery, RecordKind};
use duban_store::{DirectoryStore, EnterpriseStore, PeopleStore};
use jiff::Timestamp;
use rust_xlsxwriter::{Format, Workbook};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The most rows one commit takes.
pub const MAX_COMMIT_ROWS: usize = registry::MAX_ROWS;
/// The most rows one export writes.
const MAX_EXPORT_ROWS: i64 = 50_000;

/// The lists' import, export and history.
pub struct Registry {
    pub core: Arc<Core>,
    pub store: Arc<dyn EnterpriseStore>,
    pub directory: Arc<dyn DirectoryStore>,
    pub people: Arc<dyn PeopleStore>,
}

/// What committing a row would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RowAction {
    Add,
    Update,
    Unchanged,
}

impl RowAction {
    pub fn label(self) -> &'static str {
        match self {
            Self::Add => "新增",
            Self::Update => "更新",
            Self::Unchanged => "无变化",
        }
    }
}

/// One row of an enterprise sheet: what it says (its unit resolved), and what committing it
/// would do or why it cannot be committed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnterpriseRowPreview {
    pub line: usize,
    pub input: EnterpriseInput,
    /// The unit as written.
    pub unit: String,
    pub action: Option<RowAction>,
    pub error: Option<String>,
}

/// One row of a project sheet.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectRowPreview {
    pub line: usize,
    pub input: ProjectInput,
    pub unit: String,
    pub action: Option<RowAction>,
    pub error: Option<String>,
}

/// An enterprise sheet's preview: every row, and how many cannot be committed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnterprisePreview {
    pub rows: Vec<EnterpriseRowPreview>,
    pub errors: usize,
}

/// A project sheet's preview.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectPreview {
    pub rows: Vec<ProjectRowPreview>,
    pub errors: usize,
}

/// One field a version changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    pub field: String,
    pub label: String,
    pub before: String,
    pub after: String,
}

/// One version of a record: who wrote it, when, and what it changed (every field for the first).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionView {
    pub version: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// `at` in the policy's time zone, as the pages show it: "2026-03-02 09:00".
    pub when: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub by: Option<PersonId>,
    /// The writer's name ("系统" for the command line or the demo).
    pub by_name: String,
    pub changes: Vec<FieldChange>,
}

const FIELD_LABELS: &[(&str, &str)] = &[
    ("name", "名称"),
    ("credit_code", "统一社会信用代码"),
    ("investor", "投资主体"),
    ("enterprise_id", "投资企业"),
    ("total_investment", "总投资"),
    ("stage", "项目阶段"),
    ("signed_on", "签约日期"),
    ("location", "建设地点"),
    ("industry", "所属行业"),
    ("scale", "规上/限上"),
    ("address", "地址"),
    ("contact_name", "联系人"),
    ("contact_phone", "联系电话"),
    ("unit_id", "所属/责任单位"),
    ("note", "备注"),
];

fn read_error(e: RegistryError) -> Error {
    match e {
        RegistryError::Read(duban_import::ImportError::TooLarge(_))
        | RegistryError::Read(duban_import::ImportError::Timeout(_)) => Error::ImportTooLarge(e.to_string()),
        RegistryError::TooManyRows(_) => Error::ImportTooLarge(e.to_string()),
        e => Error::invalid("file", e.to_string()),
    }
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> Error {
    tracing::error!(error = %e, "xlsx export failed");
    Error::Internal
}

/// Runs a sheet reader on a blocking thread.
async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, RegistryError> + Send + 'static,
) -> Result<T, Error> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(read_error),
        Err(e) => {
            tracing::error!(error = %e, "registry reader failed");
            Err(Error::Internal)
        }
    }
}

impl Registry {
    /// Unit names and aliases → their unit.
    async fn unit_names(&self) -> Result<(HashMap<String, UnitId>, HashMap<UnitId, String>), Error> {
        let mut by_name = HashMap::new();
        let mut names = HashMap::new();
        for u in self.directory.list_units().await? {
            by_name.insert(u.name.clone(), u.id);
            for a in &u.aliases {
                by_name.entry(a.clone()).or_insert(u.id);
            }
            names.insert(u.id, u.name);
        }
        Ok((by_name, names))
    }

    fn resolve_unit(by_name: &HashMap<String, UnitId>, unit: &str) -> Result<Option<UnitId>, Error> {
        let u = unit.trim();
        if u.is_empty() {
            return Ok(None);
        }
        by_name.get(u).copied().map(Some).ok_or_else(|| {
            Error::invalid("unit", format!("单位“{u}”不在单位名录中，请先在“管理”中添加或改为名录中的名称"))
        })
    }

    /// Reads an enterprise sheet and shows what committing it would do, writing nothing.
    pub async fn preview_enterprises(
        &self,
        actor: &Actor,
        bytes: Vec<u8>,
        filename: String,
    ) -> Result<EnterprisePreview, Error> {
        actor.require::<RunLedgers>()?;
        let rows = off_thread(move || registry::read_enterprises(&bytes, &filename, &Limits::default())).await?;
        let (by_name, _) = self.unit_names().await?;
        let mut seen = HashSet::new();
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let mut input = r.input;
            let checked = match Self::resolve_unit(&by_name, &r.unit) {
                Ok(u) => {
                    input.unit_id = u;
                    input.clone().parse()
                }
                Err(e) => Err(e),
            };
            let (action, error) = match checked {
                Err(e) => (None, Some(e.to_string())),
                Ok(e) if !seen.insert(e.credit_code.clone()) => {
                    (None, Some(format!("统一社会信用代码“{}”在表中重复", e.credit_code)))
                }
                Ok(e) => match self.store.enterprise_by_code(&e.credit_code).await? {
                    Some(old) if old.fields == e => (Some(RowAction::Unchanged), None),
                    Some(_) => (Some(RowAction::Update), None),
                    None => (Some(RowAction::Add), None),
                },
            };
            out.push(EnterpriseRowPreview { line: r.line, input, unit: r.unit, action, error });
        }
        let errors = out.iter().filter(|r| r.error.is_some()).count();
        Ok(EnterprisePreview { rows: out, errors })
    }

    /// The enterprise named exactly `name`, if listed.
    async fn enterprise_named(&self, name: &str) -> Result<Option<EnterpriseId>, Error> {
        if name.trim().is_empty() {
            return Ok(None);
        }
        let q = EnterpriseQuery { search: Some(name.trim().to_string()), limit: 50, ..Default::default() };
        let (found, _) = self.store.enterprises(&q).await?;
        Ok(found.into_iter().find(|e| e.fields.name == name.trim()).map(|e| e.id))
    }

    /// Reads a project sheet and shows what committing it would do, writing nothing. An investor
    /// named exactly as a listed enterprise is linked to it.
    pub async fn preview_projects(
        &self,
        actor: &Actor,
        bytes: Vec<u8>,
        filename: String,
    ) -> Result<ProjectPreview, Error> {
        actor.require::<RunLedgers>()?;
        let rows = off_thread(move || registry::read_projects(&bytes, &filename, &Limits::default())).await?;
        let (by_name, _) = self.unit_names().await?;
        let mut seen = HashSet::new();
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let mut input = r.input;
            input.enterprise_id = self.enterprise_named(input.investor.as_deref().unwrap_or_default()).await?;
            let checked = match Self::resolve_unit(&by_name, &r.unit) {
                Ok(u) => {
                    input.unit_id = u;
                    input.clone().parse()
                }
                Err(e) => Err(e),
            };
            let (action, error) = match checked {
                Err(e) => (None, Some(e.to_string())),
                Ok(p) if !seen.insert(p.name.clone()) => (None, Some(format!("项目“{}”在表中重复", p.name))),
                Ok(p) => match self.project_named(&p.name).await? {
                    Some(old) if old == p => (Some(RowAction::Unchanged), None),
                    Some(_) => (Some(RowAction::Update), None),
                    None => (Some(RowAction::Add), None),
                },
            };
            out.push(ProjectRowPreview { line: r.line, input, unit: r.unit, action, error });
        }
        let errors = out.iter().filter(|r| r.error.is_some()).count();
        Ok(ProjectPreview { rows: out, errors })
    }

    async fn project_named(&self, name: &str) -> Result<Option<NewProject>, Error> {
        let q = ProjectQuery { search: Some(name.to_string()), limit: 50, ..Default::default() };
        let (found, _) = self.store.projects(&q).await?;
        Ok(found.into_iter().filter(|p| p.fields.name == name).min_by_key(|p| p.id.0).map(|p| p.fields))
    }

    /// Every row's error, or none: "第3行：…；第7行：…".
    fn all_or_nothing<T>(parsed: Vec<(usize, Result<T, Error>)>) -> Result<Vec<T>, Error> {
        let errors: Vec<String> =
            parsed.iter().filter_map(|(i, r)| r.as_ref().err().map(|e| format!("第{}条：{e}", i + 1))).collect();
        if !errors.is_empty() {
            let more = if errors.len() > 10 { format!("等 {} 处错误", errors.len()) } else { String::new() };
            return Err(Error::invalid(
                "rows",
                format!(
                    "导入未执行，请改正后重试：{}{more}",
                    errors.into_iter().take(10).collect::<Vec<_>>().join("；")
                ),
            ));
        }
        Ok(parsed.into_iter().filter_map(|(_, r)| r.ok()).collect())
    }

    /// Writes the previewed enterprise rows (as the preview gave them, or edited), all or nothing.
    pub async fn commit_enterprises(&self, actor: &Actor, rows: Vec<EnterpriseInput>) -> Result<ImportCounts, Error> {
        actor.require::<RunLedgers>()?;
        Self::check_count(rows.len())?;
        let mut seen = HashSet::new();
        let parsed = rows
            .into_iter()
            .map(|r| r.parse())
            .map(|r| match r {
                Ok(e) if !seen.insert(e.credit_code.clone()) => {
                    Err(Error::invalid("credit_code", format!("统一社会信用代码“{}”重复", e.credit_code)))
                }
                r => r,
            })
            .enumerate()
            .collect();
        let rows: Vec<NewEnterprise> = Self::all_or_nothing(parsed)?;
        self.check_units(rows.iter().map(|e| e.unit_id)).await?;
        self.store.import_enterprises(&rows, actor.id(), self.core.now()).await
    }

    /// Writes the previewed project rows, all or nothing.
    pub async fn commit_projects(&self, actor: &Actor, rows: Vec<ProjectInput>) -> Result<ImportCounts, Error> {
        actor.require::<RunLedgers>()?;
        Self::check_count(rows.len())?;
        let mut seen = HashSet::new();
        let parsed = rows
            .into_iter()
            .map(|r| r.parse())
            .map(|r| match r {
                Ok(p) if !seen.insert(p.name.clone()) => Err(Error::invalid("name", format!("项目“{}”重复", p.name))),
                r => r,
            })
            .enumerate()
            .collect();
        let rows: Vec<NewProject> = Self::all_or_nothing(parsed)?;
        self.check_units(rows.iter().map(|p| p.unit_id)).await?;
        let ids: Vec<EnterpriseId> = rows.iter().filter_map(|p| p.enterprise_id).collect();
        let known: HashSet<EnterpriseId> =
            self.store.enterprises_by_ids(&ids).await?.into_iter().map(|e| e.id).collect();
        if let Some(e) = ids.iter().find(|e| !known.contains(e)) {
            return Err(Error::invalid("enterprise_id", format!("企业 {e} 不在重点企业名单中")));
        }
        self.store.import_projects(&rows, actor.id(), self.core.now()).await
    }

    fn check_count(n: usize) -> Result<(), Error> {
        if n == 0 {
            return Err(Error::invalid("rows", "没有可导入的行"));
        }
        if n > MAX_COMMIT_ROWS {
            return Err(Error::ImportTooLarge(format!("一次最多导入 {MAX_COMMIT_ROWS} 行")));
        }
        Ok(())
    }

    async fn check_units(&self, units: impl Iterator<Item = Option<UnitId>>) -> Result<(), Error> {
        let (_, names) = self.unit_names().await?;
        for u in units.flatten() {
            if !names.contains_key(&u) {
                return Err(Error::invalid("unit_id", format!("单位 {} 不存在", u.0)));
            }
        }
        Ok(())
    }

    /// The active units, for the pages' unit pickers, in directory order.
    pub async fn units(&self) -> Result<Vec<(UnitId, String)>, Error> {
        Ok(self.directory.list_units().await?.into_iter().filter(|u| u.active).map(|u| (u.id, u.name)).collect())
    }

    /// Each version of a record, newest first, with the fields it changed from the one before.
    pub async fn history(&self, actor: &Actor, kind: RecordKind, id: i64) -> Result<Vec<VersionView>, Error> {
        actor.require_signed_in()?;
        let versions = self.store.registry_history(kind, id).await?;
        let (_, units) = self.unit_names().await?;
        let people: HashMap<PersonId, String> =
            self.people.list_people().await?.into_iter().map(|p| (p.id, p.fields.name)).collect();
        let mut enterprise_names: HashMap<i64, String> = HashMap::new();
        if kind == RecordKind::Project {
            let ids: Vec<EnterpriseId> = versions
                .iter()
                .filter_map(|v| v.snapshot.get("enterprise_id").and_then(|x| x.as_i64()))
                .map(EnterpriseId)
                .collect();
            for e in self.store.enterprises_by_ids(&ids).await? {
                enterprise_names.insert(e.id.0, e.fields.name);
            }
        }
        let show = |field: &str, v: Option<&serde_json::Value>| -> String {
            let Some(v) = v.filter(|v| !v.is_null()) else { return String::new() };
            match field {
                "total_investment" => v.as_i64().map(|f| Yuan(f).wan_label()).unwrap_or_default(),
                "scale" => {
                    v.as_str().and_then(|s| s.parse::<Scale>().ok()).map(|s| s.label().to_string()).unwrap_or_default()
                }
                "stage" => v
                    .as_str()
                    .and_then(|s| s.parse::<ProjectStage>().ok())
                    .map(|s| s.label().to_string())
                    .unwrap_or_default(),
                "unit_id" => v.as_i64().and_then(|u| units.get(&UnitId(u)).cloned()).unwrap_or_default(),
                "enterprise_id" => v.as_i64().and_then(|e| enterprise_names.get(&e).cloned()).unwrap_or_default(),
                _ => v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()),
            }
        };
        let tz = self.core.policy().timezone();
        let mut out = Vec::with_capacity(versions.len());
        for (i, v) in versions.iter().enumerate() {
            let before = versions.get(i + 1).map(|b| &b.snapshot);
            let changes = FIELD_LABELS
                .iter()
                .filter(|(f, _)| v.snapshot.get(*f).is_some())
                .filter_map(|(f, label)| {
                    let after = show(f, v.snapshot.get(*f));
                    let was = show(f, before.and_then(|b| b.get(*f)));
                    (after != was).then(|| FieldChange {
                        field: (*f).to_string(),
                        label: (*label).to_string(),
                        before: was,
                        after,
                    })
                })
                .collect();
            out.push(VersionView {
                version: v.version,
                at: v.at,
                when: v.at.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string(),
                by: v.by,
                by_name: v.by.and_then(|p| people.get(&p).cloned()).unwrap_or_else(|| "系统".into()),
                changes,
            });
        }
        Ok(out)
    }

    /// The enterprises `q` selects (every page), as an .xlsx in the import's layout.
    pub async fn export_enterprises(&self, actor: &Actor, q: &EnterpriseQuery) -> Result<Vec<u8>, Error> {
        actor.require_signed_in()?;
        let (_, units) = self.unit_names().await?;
        let mut rows = Vec::new();
        let mut q = EnterpriseQuery { offset: 0, limit: 1000, ..q.clone() };
        loop {
            let (page, total) = self.store.enterprises(&q).await?;
            let n = page.len() as i64;
            rows.extend(page);
            q.offset += n;
            if n == 0 || q.offset >= total.min(MAX_EXPORT_ROWS) {
                break;
            }
        }
        let body: Vec<Vec<String>> = rows
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let f = &e.fields;
                vec![
                    (i + 1).to_string(),
                    f.name.clone(),
                    f.credit_code.to_string(),
                    f.industry.clone(),
                    f.scale.label().to_string(),
                    f.address.clone(),
                    f.contact_name.clone(),
                    f.contact_phone.clone(),
                    f.unit_id.and_then(|u| units.get(&u).cloned()).unwrap_or_default(),
                    f.note.clone(),
                ]
            })
            .collect();
        let headers = [
            "序号",
            "企业名称",
            "统一社会信用代码",
            "所属行业",
            "规上/限上",
            "地址",
            "联系人",
            "联系电话",
            "所属单位",
            "备注",
        ];
        sheet("重点企业名单", &headers, &body)
    }

    /// The projects `q` selects, as an .xlsx in the import's layout (总投资 in 万元, exact).
    pub async fn export_projects(&self, actor: &Actor, q: &ProjectQuery) -> Result<Vec<u8>, Error> {
        actor.require_signed_in()?;
        let (_, units) = self.unit_names().await?;
        let mut rows = Vec::new();
        let mut q = ProjectQuery { offset: 0, limit: 1000, ..q.clone() };
        loop {
            let (page, total) = self.store.projects(&q).await?;
            let n = page.len() as i64;
            rows.extend(page);
            q.offset += n;
            if n == 0 || q.offset >= total.min(MAX_EXPORT_ROWS) {
                break;
            }
        }
        let body: Vec<Vec<String>> = rows
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let f = &p.fields;
                vec![
                    (i + 1).to_string(),
                    f.name.clone(),
                    f.investor.clone(),
                    f.total_investment.wan_label().trim_end_matches("万元").to_string(),
                    f.stage.label().to_string(),
                    f.signed_on.map(|d| d.to_string()).unwrap_or_default(),
                    f.location.clone(),
                    f.industry.clone(),
                    f.unit_id.and_then(|u| units.get(&u).cloned()).unwrap_or_default(),
                    f.note.clone(),
                ]
            })
            .collect();
        let headers = [
            "序号",
            "项目名称",
            "投资主体",
            "总投资（万元）",
            "项目阶段",
            "签约日期",
            "建设地点",
            "所属行业",
            "责任单位",
            "备注",
        ];
        sheet("重点项目台账", &headers, &body)
    }
}

/// A titled sheet: the title, the header row, the rows, all as text (so codes, phones and
/// amounts keep every digit).
fn sheet(title: &str, headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, Error> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let font = crate::export::FONT;
    let title_format = Format::new().set_bold().set_font_size(16).set_font_name(font);
    let head = Format::new().set_bold().set_font_name(font).set_border(rust_xlsxwriter::FormatBorder::Thin);
    let cell = Format::new().set_font_name(font).set_border(rust_xlsxwriter::FormatBorder::Thin).set_text_wrap();
    ws.set_name(title).map_err(xlsx_err)?;
    ws.write_string_with_format(0, 0, title, &title_format).map_err(xlsx_err)?;
    for (j, h) in headers.iter().enumerate() {
        ws.write_string_with_format(1, j as u16, *h, &head).map_err(xlsx_err)?;
        ws.set_column_width(j as u16, if j == 0 { 6.0 } else { 18.0 }).map_err(xlsx_err)?;
    }
    for (i, r) in rows.iter().enumerate() {
        for (j, v) in r.iter().enumerate() {
            ws.write_string_with_format(i as u32 + 2, j as u16, v, &cell).map_err(xlsx_err)?;
        }
    }
    ws.set_repeat_rows(1, 1).map_err(xlsx_err)?;
    wb.save_to_buffer().map_err(xlsx_err)
}
