//! The access matrix (issue 9 §5): every API route and page that shows or changes a task, asked
//! by every role (office, administrator, the leader in charge, another leader, the lead unit's
//! officer and head, a cooperating unit's officer, another unit's officer, nobody signed in)
//! about four tasks — 公开, 内部, 涉密 naming the leader in charge and the lead unit's officer,
//! and 涉密 naming nobody — each with a subtask and an attachment. Every task carries a
//! distinctive marker in its title, so a leak is found by searching the bodies: a marker where
//! the viewer may not see the task, a 200 where a 404 is due, a count that includes a hidden
//! task, or a write to a hidden task answered differently from a write to a missing one.
//!
//! Importing (review and settling unit names) is asked of every role too: the office's and the
//! administrators' alone, and a review's suggestions carry no hidden task.
//!
//! Then the notices: a supervision pass (injected clock) and 督办 by hand, and every inbox,
//! e-mail and SMS message must go to someone who may see its task and carry only what that
//! channel may carry (a 涉密 title never leaves over e-mail or SMS).
//!
//! It runs on SQLite and, under `DUBAN_TEST_PG_URL`, on PostgreSQL (required under `CI=true`).

use crate::helpers::*;
use duban_domain::ids::PersonId;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Office,
    Admin,
    LeaderInCharge,
    OtherLeader,
    LeadOfficer,
    LeadHead,
    CoopOfficer,
    OtherOfficer,
    Anonymous,
}

const WHO: [Who; 9] = [
    Who::Office,
    Who::Admin,
    Who::LeaderInCharge,
    Who::OtherLeader,
    Who::LeadOfficer,
    Who::LeadHead,
    Who::CoopOfficer,
    Who::OtherOfficer,
    Who::Anonymous,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Public,
    Internal,
    SecretNamed,
    SecretUnnamed,
}

const KINDS: [Kind; 4] = [Kind::Public, Kind::Internal, Kind::SecretNamed, Kind::SecretUnnamed];

impl Kind {
    fn classification(self) -> &'static str {
        match self {
            Kind::Public => "公开",
            Kind::Internal => "内部",
            Kind::SecretNamed | Kind::SecretUnnamed => "涉密",
        }
    }

    /// The markers of the task and of its subtask; none is part of another.
    fn markers(self) -> (&'static str, &'static str) {
        match self {
            Kind::Public => ("ZQPUBP", "ZQPUBC"),
            Kind::Internal => ("ZQINTP", "ZQINTC"),
            Kind::SecretNamed => ("ZQSNMP", "ZQSNMC"),
            Kind::SecretUnnamed => ("ZQSUNP", "ZQSUNC"),
        }
    }

    fn secret(self) -> bool {
        matches!(self, Kind::SecretNamed | Kind::SecretUnnamed)
    }
}

/// The rule the matrix checks against, written out by hand: the office and administrators see
/// every unit's tasks, a leader their charge units', a unit's people their unit's (as lead or
/// cooperating unit); a 涉密 task only the people named on it.
fn sees(who: Who, kind: Kind) -> bool {
    match kind {
        Kind::Public | Kind::Internal => matches!(
            who,
            Who::Office | Who::Admin | Who::LeaderInCharge | Who::LeadOfficer | Who::LeadHead | Who::CoopOfficer
        ),
        Kind::SecretNamed => matches!(who, Who::LeaderInCharge | Who::LeadOfficer),
        Kind::SecretUnnamed => false,
    }
}

/// The units whose work lists each role may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum U {
    Lead,
    Coop,
    Other,
}

fn reaches(who: Who, unit: U) -> bool {
    match who {
        Who::Office | Who::Admin => true,
        Who::LeaderInCharge | Who::LeadOfficer | Who::LeadHead => unit == U::Lead,
        Who::OtherLeader | Who::OtherOfficer => unit == U::Other,
        Who::CoopOfficer => unit == U::Coop,
        Who::Anonymous => false,
    }
}

struct Task {
    kind: Kind,
    child: bool,
    id: i64,
    marker: &'static str,
    attachment: Option<i64>,
}

struct World {
    tasks: Vec<Task>,
    people: BTreeMap<Who, (i64, String)>,
    units: BTreeMap<&'static str, i64>,
    ledger: i64,
}

impl World {
    fn kind_of(&self, task: i64) -> Option<Kind> {
        self.tasks.iter().find(|t| t.id == task).map(|t| t.kind)
    }

    fn who_is(&self, person: i64) -> Option<Who> {
        self.people.iter().find(|(_, (id, _))| *id == person).map(|(w, _)| *w)
    }

    fn unit(&self, u: U) -> i64 {
        self.units[match u {
            U::Lead => "lead",
            U::Coop => "coop",
            U::Other => "other",
        }]
    }

    /// The markers a viewer must not find.
    fn hidden(&self, who: Who) -> Vec<&'static str> {
        self.tasks.iter().filter(|t| !sees(who, t.kind)).map(|t| t.marker).collect()
    }

    fn visible(&self, who: Who) -> usize {
        self.tasks.iter().filter(|t| sees(who, t.kind)).count()
    }
}

async fn build(app: &TestApp) -> World {
    let mut units = BTreeMap::new();
    for (k, name) in [("lead", "矩阵牵头局"), ("coop", "矩阵配合局"), ("other", "矩阵无关局"), ("gov", "矩阵政府办")]
    {
        units.insert(k, app.unit(name).await);
    }
    let ledger = app.post("/api/v1/ledgers", json!({"name": "矩阵台账", "issuer": "旗政府"})).await;
    assert_eq!(ledger.status, StatusCode::CREATED, "{}", ledger.json);
    let ledger = ledger.json["id"].as_i64().unwrap();
    let spec: [(Who, &str, &str, Value); 8] = [
        (Who::Office, "office", "gov", json!(["office"])),
        (Who::Admin, "admin", "gov", json!(["admin"])),
        (Who::LeaderInCharge, "leader_in_charge", "gov", json!(["leader"])),
        (Who::OtherLeader, "other_leader", "gov", json!(["leader"])),
        (Who::LeadOfficer, "lead_officer", "lead", json!(["officer"])),
        (Who::LeadHead, "lead_head", "lead", json!(["unit_head"])),
        (Who::CoopOfficer, "coop_officer", "coop", json!(["officer"])),
        (Who::OtherOfficer, "other_officer", "other", json!(["officer"])),
    ];
    let mut people = BTreeMap::new();
    for (i, (who, username, unit, roles)) in spec.into_iter().enumerate() {
        let charge = match who {
            Who::LeaderInCharge => json!([units["lead"]]),
            Who::OtherLeader => json!([units["other"]]),
            _ => json!([]),
        };
        let person = app
            .person_signed_in(json!({"name": format!("矩阵{username}"), "username": username, "unit_id": units[unit],
                                     "roles": roles, "charge_units": charge,
                                     "email": format!("{username}@matrix.example"),
                                     "phone": format!("1380000{i:04}")}))
            .await;
        people.insert(who, person);
    }
    app.clock.set(bj("2026-03-02T09:00"));
    let mut tasks = Vec::new();
    for kind in KINDS {
        let named = kind != Kind::SecretUnnamed;
        let (leader, responsible) = if named {
            (json!(people[&Who::LeaderInCharge].0), json!(people[&Who::LeadOfficer].0))
        } else {
            (Value::Null, Value::Null)
        };
        let (pm, cm) = kind.markers();
        let mut parent_id = Value::Null;
        for (marker, child) in [(pm, false), (cm, true)] {
            // Created in the store, as an import would: the API refuses a subtask under a task
            // its caller cannot see, and the administrator who builds the world sees no 涉密.
            let input: duban_domain::task::TaskInput = serde_json::from_value(json!({
                "title": format!("矩阵{}任务{marker}", kind.classification()),
                "ledger_id": ledger, "parent_id": parent_id,
                "lead": [{"unit": units["lead"]}], "cooperating": [{"unit": units["coop"]}],
                "classification": kind.classification(), "leader_id": leader, "responsible_person_id": responsible,
                "deadline": "2026-12-31",
            }))
            .unwrap();
            let t = app.duban.tasks().create_task(input, None).await.unwrap();
            let id = t.task.id.0;
            let attachment = if child {
                None
            } else {
                let a = app
                    .duban
                    .lifecycle()
                    .attach(t.task.id, &format!("附件{marker}.pdf"), "application/pdf", b"%PDF-1.4".to_vec(), None)
                    .await
                    .unwrap();
                Some(a.id)
            };
            tasks.push(Task { kind, child, id, marker, attachment });
            parent_id = json!(id);
        }
    }
    World { tasks, people, units, ledger }
}

/// What the matrix found wrong.
#[derive(Default)]
struct Findings {
    requests: usize,
    /// Surface → (leaks, other wrong answers), and the details.
    by_surface: BTreeMap<&'static str, (usize, usize)>,
    details: Vec<String>,
}

impl Findings {
    fn leak(&mut self, surface: &'static str, detail: String) {
        self.by_surface.entry(surface).or_default().0 += 1;
        self.details.push(format!("LEAK {surface}: {detail}"));
    }

    fn wrong(&mut self, surface: &'static str, detail: String) {
        self.by_surface.entry(surface).or_default().1 += 1;
        self.details.push(format!("WRONG {surface}: {detail}"));
    }

    /// Every marker of `hidden` found in `body` is a leak.
    fn search(&mut self, surface: &'static str, who: Who, what: &str, body: &str, hidden: &[&str]) {
        for m in hidden {
            if body.contains(m) {
                self.leak(surface, format!("{who:?} {what}: {m} in the body"));
            }
        }
    }

    /// A status that should be `want`: a 2xx that should not be is a leak.
    fn status(&mut self, surface: &'static str, who: Who, what: &str, got: StatusCode, want: StatusCode) {
        if got == want {
            return;
        }
        let detail = format!("{who:?} {what}: {got}, want {want}");
        if got.is_success() && !want.is_success() { self.leak(surface, detail) } else { self.wrong(surface, detail) }
    }

    /// A count that should be `want`: more is a leak.
    fn count(&mut self, surface: &'static str, who: Who, what: &str, got: u64, want: u64) {
        if got == want {
            return;
        }
        let detail = format!("{who:?} {what}: counted {got}, want {want}");
        if got > want { self.leak(surface, detail) } else { self.wrong(surface, detail) }
    }
}

struct Client<'a> {
    app: &'a TestApp,
    http: reqwest::Client,
}

struct Answer {
    status: StatusCode,
    body: String,
    bytes: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

impl Client<'_> {
    /// A request as `who`: the API with a bearer token, pages with the session cookie.
    async fn send(&self, f: &mut Findings, w: &World, who: Who, req: Req<'_>) -> Answer {
        f.requests += 1;
        let method = reqwest::Method::from_bytes(req.method.as_bytes()).unwrap();
        let mut r = self.http.request(method, format!("{}{}", self.app.base, req.path));
        if let Some((_, token)) = w.people.get(&who) {
            r = if req.path.starts_with("/api/") {
                r.header("authorization", format!("Bearer {token}"))
            } else {
                r.header("cookie", format!("duban_session={token}"))
            };
        }
        for (k, v) in req.headers {
            r = r.header(*k, v.as_str());
        }
        r = match req.body {
            Body::None => r,
            Body::Json(v) => r.json(&v),
            Body::Form(pairs) => r.form(&pairs),
            Body::Raw(bytes) => r.header("content-type", "application/pdf").body(bytes),
        };
        let resp = r.send().await.unwrap();
        let status = resp.status();
        let bytes = resp.bytes().await.unwrap().to_vec();
        Answer { status, body: String::from_utf8_lossy(&bytes).into_owned(), bytes }
    }

    async fn get(&self, f: &mut Findings, w: &World, who: Who, path: &str) -> Answer {
        self.send(f, w, who, Req { method: "GET", path, headers: &[], body: Body::None }).await
    }
}

enum Body {
    None,
    Json(Value),
    Form(Vec<(String, String)>),
    Raw(Vec<u8>),
}

struct Req<'a> {
    method: &'a str,
    path: &'a str,
    headers: &'a [(&'a str, String)],
    body: Body,
}

/// Every cell of every sheet of a workbook, as text.
fn xlsx_text(bytes: &[u8]) -> String {
    use calamine::{Reader, Xlsx};
    let Ok(mut wb) = Xlsx::new(std::io::Cursor::new(bytes.to_vec())) else { return String::new() };
    let mut out = String::new();
    for name in wb.sheet_names() {
        if let Ok(range) = wb.worksheet_range(&name) {
            for row in range.rows() {
                for c in row {
                    out.push_str(&c.to_string());
                    out.push('\t');
                }
            }
        }
    }
    out
}

/// The number in a page's heading after `before` (e.g. "共 " in "共 4 项").
fn page_count(body: &str, before: &str) -> Option<u64> {
    let i = body.find(before)? + before.len();
    body[i..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok()
}

/// The reads: every list, count, task, history, attachment, work list, export and page.
async fn reads(c: &Client<'_>, w: &World, f: &mut Findings) {
    for who in WHO {
        let anon = who == Who::Anonymous;
        let hidden = w.hidden(who);
        let visible = w.visible(who) as u64;
        let api_denied = StatusCode::UNAUTHORIZED;
        // Lists and counts.
        for path in [
            "/api/v1/tasks?per_page=500",
            "/api/v1/tasks?q=ZQ&per_page=500",
            "/api/v1/tasks?light=red",
            "/api/v1/tasks?unanswered=true",
        ] {
            let a = c.get(f, w, who, path).await;
            f.search("task list (API)", who, path, &a.body, &hidden);
            if anon {
                f.status("task list (API)", who, path, a.status, api_denied);
            } else if !path.contains("light") && !path.contains("unanswered") {
                f.count("task list (API)", who, path, a.json()["total"].as_u64().unwrap_or(0), visible);
            }
        }
        // Subtasks of each task.
        for t in w.tasks.iter().filter(|t| !t.child) {
            let path = format!("/api/v1/tasks?parent={}", t.id);
            let a = c.get(f, w, who, &path).await;
            f.search("subtasks (API)", who, &path, &a.body, &hidden);
            if !anon {
                let want = u64::from(sees(who, t.kind));
                f.count("subtasks (API)", who, &path, a.json()["total"].as_u64().unwrap_or(0), want);
            }
        }
        // One task, its history, its actions, its attachments.
        for t in &w.tasks {
            let want = if anon {
                api_denied
            } else if sees(who, t.kind) {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            for (surface, suffix) in [
                ("task detail (API)", ""),
                ("history (API)", "/events"),
                ("actions (API)", "/actions"),
                ("attachments list (API)", "/attachments"),
                ("decomposition (API)", "/decomposition"),
            ] {
                let path = format!("/api/v1/tasks/{}{suffix}", t.id);
                let a = c.get(f, w, who, &path).await;
                f.status(surface, who, &path, a.status, want);
                f.search(surface, who, &path, &a.body, &hidden);
            }
            if let Some(att) = t.attachment {
                let path = format!("/api/v1/attachments/{att}");
                let a = c.get(f, w, who, &path).await;
                f.status("attachment download (API)", who, &path, a.status, want);
            }
        }
        // Work lists: only units and people within reach, only tasks the caller may see.
        let lead_officer = w.people[&Who::LeadOfficer].0;
        let mut asks: Vec<(String, bool)> = [U::Lead, U::Coop, U::Other]
            .into_iter()
            .map(|u| (format!("/api/v1/work?unit={}", w.unit(u)), reaches(who, u)))
            .collect();
        asks.push((format!("/api/v1/work?person={lead_officer}"), reaches(who, U::Lead)));
        if let Some((me, _)) = w.people.get(&who) {
            asks.push((format!("/api/v1/work?person={me}"), true));
        }
        for (path, allowed) in asks {
            let a = c.get(f, w, who, &path).await;
            let want = if anon {
                api_denied
            } else if allowed {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            f.status("work lists (API)", who, &path, a.status, want);
            f.search("work lists (API)", who, &path, &a.body, &hidden);
            if a.status == StatusCode::OK {
                let j = a.json();
                for list in ["to_sign", "to_report", "overdue", "returned"] {
                    let shown = j[list]["items"].as_array().map(Vec::len).unwrap_or(0) as u64;
                    let total = j[list]["total"].as_u64().unwrap_or(0);
                    f.count("work lists (API)", who, &format!("{path} {list}"), total, shown);
                }
            }
        }
        // Routes that show no task: they must not start to.
        for path in [
            "/api/v1/units".to_string(),
            "/api/v1/groups".into(),
            "/api/v1/people".into(),
            "/api/v1/ledgers".into(),
            format!("/api/v1/ledgers/{}", w.ledger),
            "/api/v1/rules".into(),
            "/api/v1/suggest?text=矩阵涉密任务".into(),
        ] {
            let a = c.get(f, w, who, &path).await;
            f.search("directory (API)", who, &path, &a.body, &hidden);
        }
        // Pages.
        let page_denied = StatusCode::SEE_OTHER;
        let overseer = matches!(who, Who::Office | Who::Admin | Who::LeaderInCharge | Who::OtherLeader);
        for (surface, path, want, count) in [
            ("desk", "/".to_string(), StatusCode::OK, None),
            ("ledger page", "/tasks".into(), StatusCode::OK, Some("共 ")),
            ("ledger page", "/tasks?q=ZQ".into(), StatusCode::OK, Some("共 ")),
            ("ledger page", format!("/tasks?unit={}", w.unit(U::Lead)), StatusCode::OK, Some("共 ")),
            ("map", format!("/map?ledger={}", w.ledger), StatusCode::OK, Some("<span class=\"count\">")),
            ("map", format!("/map?ledger={}&group=section", w.ledger), StatusCode::OK, Some("<span class=\"count\">")),
            ("map", format!("/map?ledger={}&span=year", w.ledger), StatusCode::OK, None),
            ("map", format!("/map?ledger={}&span=month", w.ledger), StatusCode::OK, None),
            ("statistics", "/stats".into(), if overseer { StatusCode::OK } else { StatusCode::FORBIDDEN }, Some("共 ")),
            (
                "statistics",
                "/stats?period=year&sort=done".into(),
                if overseer { StatusCode::OK } else { StatusCode::FORBIDDEN },
                None,
            ),
            (
                "supervision page",
                "/supervision".into(),
                if overseer { StatusCode::OK } else { StatusCode::FORBIDDEN },
                None,
            ),
            (
                "admin pages",
                "/admin".into(),
                if who == Who::Admin { StatusCode::SEE_OTHER } else { StatusCode::FORBIDDEN },
                None,
            ),
            (
                "import page",
                "/import".into(),
                if matches!(who, Who::Office | Who::Admin) { StatusCode::OK } else { StatusCode::FORBIDDEN },
                None,
            ),
            // The desks' 查看全部 (issue 12 §2): 督办待回复 and the queues by state.
            ("ledger page", "/tasks?unanswered=true".into(), StatusCode::OK, None),
            ("ledger page", "/tasks?status=feedback".into(), StatusCode::OK, None),
            ("ledger page", "/tasks?status=head_approval".into(), StatusCode::OK, None),
            // Everything the person was told in the system (the desk's 查看全部提醒).
            ("inbox page", "/inbox".into(), StatusCode::OK, None),
            ("inbox page", "/inbox?before=999999999".into(), StatusCode::OK, None),
        ] {
            let a = c.get(f, w, who, &path).await;
            f.status(surface, who, &path, a.status, if anon { page_denied } else { want });
            f.search(surface, who, &path, &a.body, &hidden);
            if let (Some(before), StatusCode::OK) = (count, a.status) {
                let got = page_count(&a.body, before).unwrap_or(0);
                // The map and the ledger's unit filter count what they show; all of it here.
                f.count(surface, who, &path, got, visible);
            }
        }
        for section in ["units", "users", "calendar", "rules", "audit"] {
            let path = format!("/admin/{section}");
            let a = c.get(f, w, who, &path).await;
            f.search("admin pages", who, &path, &a.body, &hidden);
        }
        for t in &w.tasks {
            let path = format!("/tasks/{}", t.id);
            let want = if anon {
                page_denied
            } else if sees(who, t.kind) {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            let a = c.get(f, w, who, &path).await;
            f.status("task page", who, &path, a.status, want);
            f.search("task page", who, &path, &a.body, &hidden);
        }
        let a = c.get(f, w, who, "/tasks.xlsx").await;
        f.status("export (.xlsx)", who, "/tasks.xlsx", a.status, if anon { page_denied } else { StatusCode::OK });
        let text = xlsx_text(&a.bytes);
        f.search("export (.xlsx)", who, "/tasks.xlsx", &text, &hidden);
        if a.status == StatusCode::OK {
            let got = w.tasks.iter().filter(|t| text.contains(t.marker)).count() as u64;
            f.count("export (.xlsx)", who, "/tasks.xlsx", got, visible);
        }
        let a = c.get(f, w, who, "/stats.xlsx").await;
        let want = if anon {
            page_denied
        } else if overseer {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        f.status("statistics export (.xlsx)", who, "/stats.xlsx", a.status, want);
        f.search("statistics export (.xlsx)", who, "/stats.xlsx", &xlsx_text(&a.bytes), &hidden);
        // Importing: only the office and administrators review a document or settle its unit
        // names; a review's suggestions, learnt from the ledger, carry no hidden task.
        let may_import = matches!(who, Who::Office | Who::Admin);
        let denied = if anon { api_denied } else { StatusCode::FORBIDDEN };
        let preview = json!({"preview": {
            "document": {"title": "矩阵导入", "doc_number": null, "issued": null, "issuer": ""},
            "tasks": [{"number": "1.", "annex": null, "path": [], "text": "ZQ 矩阵任务的办理", "lead": [],
                       "cooperating": [], "deadline": null, "deadline_text": null, "milestones": [],
                       "targets": [], "warnings": []}]}});
        let a = c
            .send(
                f,
                w,
                who,
                Req { method: "POST", path: "/api/v1/imports/review", headers: &[], body: Body::Json(preview) },
            )
            .await;
        f.status(
            "import review (API)",
            who,
            "/imports/review",
            a.status,
            if may_import { StatusCode::OK } else { denied },
        );
        f.search("import review (API)", who, "/imports/review", &a.body, &hidden);
        let settle = json!({"name": "矩阵新局", "create": true});
        let a = c
            .send(
                f,
                w,
                who,
                Req { method: "POST", path: "/api/v1/imports/units", headers: &[], body: Body::Json(settle) },
            )
            .await;
        if !may_import {
            f.status("import units (API)", who, "/imports/units", a.status, denied);
        } else if !a.status.is_success() && a.json()["error"]["code"] != "conflict" {
            f.wrong("import units (API)", format!("{who:?} creating a unit while importing: {} {}", a.status, a.body));
        }
        // The public list: 公开 only, for everyone.
        let a = c.get(f, w, who, "/public").await;
        f.status("public page", who, "/public", a.status, StatusCode::OK);
        let not_public: Vec<&str> = w.tasks.iter().filter(|t| t.kind != Kind::Public).map(|t| t.marker).collect();
        f.search("public page", who, "/public", &a.body, &not_public);
        f.count("public page", who, "/public", page_count(&a.body, "共 ").unwrap_or(0), 2);
        // 新建任务: the office's and administrators' alone; the list of the tasks just made
        // shows only those the viewer may see, whatever ids the address names.
        let may_enter = matches!(who, Who::Office | Who::Admin);
        let entry_want = if anon {
            page_denied
        } else if may_enter {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        let made = w.tasks.iter().map(|t| t.id.to_string()).collect::<Vec<_>>().join(",");
        for path in ["/tasks/new".to_string(), format!("/tasks/new?source=meeting&made={made}")] {
            let a = c.get(f, w, who, &path).await;
            f.status("entry form (page)", who, &path, a.status, entry_want);
            f.search("entry form (page)", who, &path, &a.body, &hidden);
        }
        // A save that is refused (no title) for those who may enter, and forbidden to the rest.
        let form = vec![
            ("csrf".to_string(), format!("csrf-{}", username(who))),
            ("source".into(), "document".into()),
            ("items".into(), "1".into()),
            ("origin_name".into(), "矩阵文件".into()),
            ("classification".into(), "secret".into()),
            ("title.0".into(), String::new()),
            ("lead.0".into(), "矩阵牵头局".into()),
        ];
        let a =
            c.send(f, w, who, Req { method: "POST", path: "/tasks/new", headers: &[], body: Body::Form(form) }).await;
        let want = if anon {
            page_denied
        } else if may_enter {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::FORBIDDEN
        };
        f.status("entry form save (page)", who, "/tasks/new", a.status, want);
        f.search("entry form save (page)", who, "/tasks/new", &a.body, &hidden);
        // A public task's own page: 公开 tasks only, for everyone alike; 内部 and 涉密 ones are
        // "not found" even to those who may see them signed in, and nothing else shows.
        for t in &w.tasks {
            let path = format!("/public/tasks/{}", t.id);
            let a = c.get(f, w, who, &path).await;
            let want = if t.kind == Kind::Public { StatusCode::OK } else { StatusCode::NOT_FOUND };
            f.status("public task page", who, &path, a.status, want);
            f.search("public task page", who, &path, &a.body, &not_public);
        }
        // The 督办通知单 of every task: its print view and .docx (pages) and its sheet and .docx
        // (API), for those who see the task only; to anyone else as missing as a notice that
        // does not exist.
        let notices = c.app.store.list_notices().await.unwrap();
        assert!(!notices.is_empty(), "the pass issued no notice to ask about");
        for n in notices.iter().map(|n| (n.id, n.task_id.0)).chain([(999_999, 0)]) {
            let (id, task) = n;
            let seen = w.kind_of(task).is_some_and(|k| sees(who, k));
            for (surface, path) in [
                ("notice print view", format!("/notices/{id}")),
                ("notice .docx (page)", format!("/notices/{id}.docx")),
                ("notice sheet (API)", format!("/api/v1/notices/{id}")),
                ("notice .docx (API)", format!("/api/v1/notices/{id}/docx")),
            ] {
                let want = match (anon, path.starts_with("/api/"), seen) {
                    (true, true, _) => api_denied,
                    (true, false, _) => page_denied,
                    (false, _, true) => StatusCode::OK,
                    (false, _, false) => StatusCode::NOT_FOUND,
                };
                let a = c.get(f, w, who, &path).await;
                f.status(surface, who, &path, a.status, want);
                let body = if path.contains("docx") && a.status == StatusCode::OK {
                    docx_text(&a.bytes)
                } else {
                    a.body.clone()
                };
                f.search(surface, who, &path, &body, &hidden);
                if a.status == StatusCode::OK && !w.tasks.iter().any(|t| t.id == task && body.contains(t.marker)) {
                    f.wrong(surface, format!("{who:?} {path}: the notice does not name its task"));
                }
            }
        }
        // Monthly bulletins (issue 13 §5): the office's (and administrators') only, never a
        // 涉密 task's title to anyone; the public parts of the issued ones to everyone.
        let secret: Vec<&'static str> = w.tasks.iter().filter(|t| t.kind.secret()).map(|t| t.marker).collect();
        let may_bulletin = matches!(who, Who::Office | Who::Admin);
        let cli = duban_app::actor::Actor::command_line();
        for b in c.app.duban.bulletins().list(&cli).await.unwrap() {
            for (surface, path) in [
                ("bulletin list (page)", "/bulletins".to_string()),
                ("bulletin page", format!("/bulletins/{}", b.id)),
                ("bulletin .docx (page)", format!("/bulletins/{}/docx", b.id)),
                ("bulletin list (API)", "/api/v1/bulletins".to_string()),
                ("bulletin (API)", format!("/api/v1/bulletins/{}", b.id)),
                ("bulletin .docx (API)", format!("/api/v1/bulletins/{}/docx", b.id)),
            ] {
                let api = path.starts_with("/api/");
                let want = match (anon, api, may_bulletin) {
                    (true, true, _) => api_denied,
                    (true, false, _) => page_denied,
                    (false, _, true) if path.ends_with("docx") && !b.issued => StatusCode::NOT_FOUND,
                    (false, _, true) => StatusCode::OK,
                    (false, _, false) => StatusCode::FORBIDDEN,
                };
                let a = c.get(f, w, who, &path).await;
                f.status(surface, who, &path, a.status, want);
                let body = if path.ends_with("docx") && a.status == StatusCode::OK {
                    docx_text(&a.bytes)
                } else {
                    a.body.clone()
                };
                f.search(surface, who, &path, &body, &secret);
                f.search(surface, who, &path, &body, &hidden);
            }
        }
        for (surface, path) in
            [("public bulletins (page)", "/public/bulletins"), ("public bulletins (API)", "/api/v1/public/bulletins")]
        {
            let a = c.get(f, w, who, path).await;
            f.status(surface, who, path, a.status, StatusCode::OK);
            f.search(surface, who, path, &a.body, &secret);
        }
    }
}

/// The text of a .docx's document part.
fn docx_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut out = String::new();
    if let Ok(mut z) = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec()))
        && let Ok(mut doc) = z.by_name("word/document.xml")
    {
        let _ = doc.read_to_string(&mut out);
    }
    out
}

/// The writes: each must answer a hidden task exactly as it answers a missing one.
async fn writes(c: &Client<'_>, w: &World, f: &mut Findings) {
    let missing = 999_999_i64;
    for who in WHO {
        let csrf = format!("csrf-{}", username(who));
        // A write per surface, for a task id.
        let attempts = |id: i64| -> Vec<(&'static str, String, String, Body)> {
            vec![
                (
                    "actions (API)",
                    "POST".into(),
                    format!("/api/v1/tasks/{id}/actions"),
                    Body::Json(json!({"action": "sign", "version": 999_999})),
                ),
                (
                    "edit (API)",
                    "PATCH".into(),
                    format!("/api/v1/tasks/{id}?version=999999"),
                    Body::Json(json!({"title": "改"})),
                ),
                ("withdraw (API)", "DELETE".into(), format!("/api/v1/tasks/{id}?version=999999"), Body::None),
                (
                    "attachment upload (API)",
                    "POST".into(),
                    format!("/api/v1/tasks/{id}/attachments?filename=x.pdf"),
                    Body::Raw(Vec::new()),
                ),
                (
                    "subtask (API)",
                    "POST".into(),
                    "/api/v1/tasks".into(),
                    Body::Json(
                        json!({"title": "矩阵写入的子任务", "parent_id": id, "lead": [{"unit": w.unit(U::Lead)}]}),
                    ),
                ),
                (
                    "action form (page)",
                    "POST".into(),
                    format!("/tasks/{id}/act"),
                    Body::Form(vec![
                        ("csrf".into(), csrf.clone()),
                        ("action".into(), "sign".into()),
                        ("version".into(), "999999".into()),
                    ]),
                ),
                (
                    "催办 (API)",
                    "POST".into(),
                    format!("/api/v1/tasks/{id}/remind"),
                    Body::Json(json!({"channels": ["inbox"], "text": "请加快办理"})),
                ),
                (
                    "催办 by hand (page)",
                    "POST".into(),
                    format!("/tasks/{id}/remind"),
                    Body::Form(vec![
                        ("csrf".into(), csrf.clone()),
                        ("channel".into(), "inbox".into()),
                        ("text".into(), "请加快办理".into()),
                    ]),
                ),
                (
                    "督办 by hand (page)",
                    "POST".into(),
                    format!("/tasks/{id}/supervise"),
                    Body::Form(vec![("csrf".into(), csrf.clone()), ("text".into(), "请加快办理".into())]),
                ),
                ("upload form (page)", "POST".into(), format!("/tasks/{id}/files?csrf={csrf}"), Body::Raw(Vec::new())),
                (
                    "edit form (page)",
                    "POST".into(),
                    format!("/tasks/{id}/edit"),
                    Body::Form(vec![
                        ("csrf".into(), csrf.clone()),
                        ("version".into(), "999999".into()),
                        ("deadline".into(), "2026-12-31".into()),
                        ("reason".into(), "矩阵修改".into()),
                    ]),
                ),
                (
                    "改派 form (page)",
                    "POST".into(),
                    format!("/tasks/{id}/reassign"),
                    Body::Form(vec![
                        ("csrf".into(), csrf.clone()),
                        ("version".into(), "999999".into()),
                        ("lead".into(), "矩阵无关局".into()),
                        ("reason".into(), "矩阵改派".into()),
                    ]),
                ),
                (
                    "撤销 form (page)",
                    "POST".into(),
                    format!("/tasks/{id}/withdraw"),
                    Body::Form(vec![
                        ("csrf".into(), csrf.clone()),
                        ("version".into(), "999999".into()),
                        ("reason".into(), "矩阵撤销".into()),
                        ("confirm".into(), "on".into()),
                    ]),
                ),
                (
                    "publish feedback (page)",
                    "POST".into(),
                    format!("/tasks/{id}/publish"),
                    Body::Form(vec![("csrf".into(), csrf.clone()), ("publish".into(), "on".into())]),
                ),
                (
                    "督办通知单 (API)",
                    "POST".into(),
                    format!("/api/v1/tasks/{id}/notices"),
                    Body::Json(json!({"text": "请加快办理", "answer_by": "2026-03-10"})),
                ),
                // Batch 签收 (issue 12 §2): a hidden task is refused as a missing one. The lead
                // unit's people sign what they see (later writes are not compared for them).
                ("batch sign (API)", "POST".into(), "/api/v1/tasks/sign".into(), Body::Json(json!({"ids": [id]}))),
                (
                    "batch sign (page)",
                    "POST".into(),
                    "/desk/sign".into(),
                    Body::Form(vec![("csrf".into(), csrf.clone()), ("id".into(), id.to_string())]),
                ),
                // 标为已读 takes message ids, and marks only the viewer's own.
                (
                    "mark read (page)",
                    "POST".into(),
                    "/desk/read".into(),
                    Body::Form(vec![("csrf".into(), csrf.clone()), ("id".into(), id.to_string())]),
                ),
                (
                    "split (API)",
                    "POST".into(),
                    format!("/api/v1/tasks/{id}/split"),
                    Body::Json(json!({"version": 999_999, "parts": [{"title": "矩阵分解", "unit": w.unit(U::Lead)}]})),
                ),
                (
                    "split form (page)",
                    "POST".into(),
                    format!("/tasks/{id}/split"),
                    Body::Form(vec![
                        ("csrf".into(), csrf.clone()),
                        ("version".into(), "999999".into()),
                        ("title".into(), "矩阵分解".into()),
                        ("unit".into(), "矩阵牵头局".into()),
                    ]),
                ),
                (
                    "ruling form (page)",
                    "POST".into(),
                    format!("/tasks/{id}/rule"),
                    Body::Form(vec![
                        ("csrf".into(), csrf.clone()),
                        ("version".into(), "999999".into()),
                        ("text".into(), "由矩阵配合局牵头".into()),
                        ("lead".into(), "矩阵配合局".into()),
                    ]),
                ),
            ]
        };
        let mut baseline = Vec::new();
        for (surface, method, path, body) in attempts(missing) {
            let a = c.send(f, w, who, Req { method: &method, path: &path, headers: &[], body }).await;
            baseline.push((surface, a.status, a.json()["error"]["code"].clone()));
        }
        for t in &w.tasks {
            let visible = sees(who, t.kind);
            for ((surface, method, path, body), (_, missing_status, missing_code)) in
                attempts(t.id).into_iter().zip(&baseline)
            {
                let a = c.send(f, w, who, Req { method: &method, path: &path, headers: &[], body }).await;
                let what = format!("{method} {path}");
                f.search(surface, who, &what, &a.body, &w.hidden(who));
                if visible {
                    continue;
                }
                if a.status != *missing_status || a.json()["error"]["code"] != *missing_code {
                    let detail = format!(
                        "{who:?} {what} on a hidden task: {} {}, on a missing one {missing_status} {missing_code}",
                        a.status,
                        a.json()["error"]["code"]
                    );
                    if a.status.is_success() || a.status.is_redirection() {
                        f.leak(surface, detail);
                    } else {
                        f.wrong(surface, detail);
                    }
                }
            }
        }
    }
}

fn username(who: Who) -> &'static str {
    match who {
        Who::Office => "office",
        Who::Admin => "admin",
        Who::LeaderInCharge => "leader_in_charge",
        Who::OtherLeader => "other_leader",
        Who::LeadOfficer => "lead_officer",
        Who::LeadHead => "lead_head",
        Who::CoopOfficer => "coop_officer",
        Who::OtherOfficer => "other_officer",
        Who::Anonymous => "",
    }
}

/// Every message in the outbox goes to someone who may see its task, and says of it only what
/// its channel may carry.
async fn messages(app: &TestApp, w: &World, f: &mut Findings) -> usize {
    let all = app.store.list_messages(None, 100_000).await.unwrap();
    for m in &all {
        let m = &m.message;
        let surface = match m.channel.as_str() {
            "inbox" => "notices: inbox",
            "email" => "notices: e-mail",
            _ => "notices: SMS",
        };
        let (Some(task), Some(person)) = (m.task_id, m.person_id) else { continue };
        let Some(kind) = w.kind_of(task.0) else { continue };
        let who = w.who_is(person.0).unwrap_or(Who::Anonymous);
        let text = format!("{} {}", m.subject, m.body);
        let what = format!("{} {} to {who:?} about task {}", m.kind, m.channel, task.0);
        if !sees(who, kind) {
            f.leak(surface, format!("{what}: the recipient may not see the task"));
        }
        f.search(surface, who, &what, &text, &w.hidden(who));
        if kind.secret() && m.channel != "inbox" {
            for t in w.tasks.iter().filter(|t| t.kind == kind) {
                if text.contains(t.marker) {
                    f.leak(surface, format!("{what}: a 涉密 title over {}", m.channel));
                }
            }
        }
    }
    // The named people do hear of their 涉密 task, in the inbox.
    for who in [Who::LeaderInCharge, Who::LeadOfficer] {
        let got = all.iter().any(|m| {
            m.message.channel == "inbox"
                && m.message.person_id == Some(PersonId(w.people[&who].0))
                && m.message.task_id.and_then(|t| w.kind_of(t.0)) == Some(Kind::SecretNamed)
        });
        if !got {
            f.wrong("notices: inbox", format!("{who:?} named on the 涉密 task heard nothing of it"));
        }
    }
    all.len()
}

/// A part passed on to a unit not on its parent (分解交办 by the office): that unit's people see
/// the part and nothing of the parent; whoever sees the parent follows the part on the parent's
/// page (listed, not linked) without reaching the part unless they see it too.
async fn parts(app: &TestApp, c: &Client<'_>, w: &World, f: &mut Findings) {
    let input: duban_domain::task::TaskInput = serde_json::from_value(json!({
        "title": "矩阵分解的上级任务ZQPARENT", "ledger_id": w.ledger,
        "lead": [{"unit": w.unit(U::Lead)}], "cooperating": [{"unit": w.unit(U::Coop)}],
        "classification": "内部", "deadline": "2026-12-31",
    }))
    .unwrap();
    let parent = app.duban.tasks().create_task(input, None).await.unwrap();
    let split = duban_app::decompose::SplitInput {
        actor: Some(w.people[&Who::Office].0),
        version: Some(parent.task.version),
        parts: vec![duban_app::decompose::PartInput {
            title: "矩阵分解的子任务ZQPART".into(),
            unit: Some(w.unit(U::Other)),
            ..Default::default()
        }],
    };
    let part = app.duban.lifecycle().split(parent.task.id, split).await.unwrap().remove(0).task.id.0;
    let parent = parent.task.id.0;
    let sees_parent = |who: Who| sees(who, Kind::Internal);
    let sees_part = |who: Who| matches!(who, Who::Office | Who::Admin | Who::OtherLeader | Who::OtherOfficer);
    for who in WHO.into_iter().filter(|w| *w != Who::Anonymous) {
        let code = |yes: bool| if yes { StatusCode::OK } else { StatusCode::NOT_FOUND };
        for (surface, path, want) in [
            ("parts: task (API)", format!("/api/v1/tasks/{parent}"), code(sees_parent(who))),
            ("parts: decomposition (API)", format!("/api/v1/tasks/{parent}/decomposition"), code(sees_parent(who))),
            ("parts: task page", format!("/tasks/{parent}"), code(sees_parent(who))),
            ("parts: task (API)", format!("/api/v1/tasks/{part}"), code(sees_part(who))),
            ("parts: decomposition (API)", format!("/api/v1/tasks/{part}/decomposition"), code(sees_part(who))),
            ("parts: task page", format!("/tasks/{part}"), code(sees_part(who))),
            ("parts: history (API)", format!("/api/v1/tasks/{part}/events"), code(sees_part(who))),
        ] {
            let a = c.get(f, w, who, &path).await;
            f.status(surface, who, &path, a.status, want);
            let mut hidden = w.hidden(who);
            if !sees_parent(who) {
                hidden.push("ZQPARENT");
            }
            f.search(surface, who, &path, &a.body, &hidden);
            // The part is listed on the parent to whoever sees the parent, linked only for
            // those who see the part itself.
            if path == format!("/tasks/{parent}") && a.status == StatusCode::OK {
                if !a.body.contains("ZQPART") {
                    f.wrong(surface, format!("{who:?} {path}: the part is not listed on its parent"));
                }
                if a.body.contains(&format!("href=\"/tasks/{part}\"")) != sees_part(who) {
                    f.wrong(surface, format!("{who:?} {path}: the part's link is wrong"));
                }
            }
        }
    }
}

async fn run_matrix(app: TestApp) {
    let w = build(&app).await;
    // Reminders in the warning window, then 督办 notices once signing is overdue (in working
    // hours), all delivered to the inbox before the pages are read.
    let d = &app.duban;
    d.supervision().pass(bj("2026-03-04T10:00")).await.unwrap();
    app.clock.set(bj("2026-03-06T09:00"));
    let r = d.supervision().pass(bj("2026-03-06T09:00")).await.unwrap();
    assert!(!r.notices.is_empty(), "the pass issued no notice: {r:?}");
    // A monthly bulletin issued and another left a draft, for the bulletin rows.
    let cli = duban_app::actor::Actor::command_line();
    let issued = d.bulletins().draft(&cli, "2026-03").await.unwrap();
    d.bulletins().issue(&cli, issued.id).await.unwrap();
    d.bulletins().draft(&cli, "2026-03").await.unwrap();
    let c = Client {
        app: &app,
        http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
    };
    let mut f = Findings::default();
    reads(&c, &w, &mut f).await;
    writes(&c, &w, &mut f).await;
    let n = messages(&app, &w, &mut f).await;
    parts(&app, &c, &w, &mut f).await;
    reviews(&app, &c, &w, &mut f).await;
    rankings(&c, &w, &mut f).await;
    liaison(&app, &c, &w, &mut f).await;
    procedures(&app, &c, &w, &mut f).await;
    demands(&app, &c, &w, &mut f).await;
    registry(&app, &c, &w, &mut f).await;
    service_views(&app, &c, &w, &mut f).await;
    eprintln!("access matrix on {}: {} requests, {} messages checked", app.store.backend(), f.requests, n);
    for (surface, (leaks, wrong)) in &f.by_surface {
        eprintln!("  {surface}: {leaks} leaks, {wrong} other wrong answers");
    }
    for d in &f.details {
        eprintln!("  {d}");
    }
    assert!(f.details.is_empty(), "{} findings (see above)", f.details.len());
}

#[tokio::test]
async fn no_role_sees_or_changes_a_task_it_may_not_on_sqlite() {
    run_matrix(spawn_app().await).await;
}

#[tokio::test]
async fn no_role_sees_or_changes_a_task_it_may_not_on_postgres() {
    let Some(app) = spawn_app_on_postgres().await else { return };
    run_matrix(app).await;
}

/// Objections, evaluations and the document-error ledger (issue 13): the lead unit's officer
/// objects to the 交办 fact of each of the four tasks, the leader in charge evaluates the lead
/// unit on the 涉密 task naming them; then every role reads the queues, forms and ledgers. A
/// task's title appears only to those who see the task; only the unit's people and the office
/// see its objections; only the office decides and keeps the ledger; a leader evaluates only
/// the units in their charge.
async fn reviews(app: &TestApp, c: &Client<'_>, w: &World, f: &mut Findings) {
    use duban_domain::assessment::{Indicator, Span};
    let s = app.duban.assessment();
    s.refresh().await.unwrap();
    let year = Span::parse("2026").unwrap();
    let lead = w.unit(U::Lead);
    let lines = s.fact_lines(duban_domain::ids::UnitId(lead), &year, s.as_of(&year)).await.unwrap();
    let mut keys = Vec::new();
    for t in w.tasks.iter().filter(|t| !t.child) {
        let key = lines
            .iter()
            .find(|l| l.task.map(|x| x.0) == Some(t.id) && l.indicator == Indicator::Assigned)
            .map(|l| l.key.clone())
            .expect("an assigned fact per task");
        let body = json!({"fact": key, "profile": "per-event", "period": "2026", "reason": "矩阵申诉"});
        let req = Req { method: "POST", path: "/api/v1/objections", headers: &[], body: Body::Json(body) };
        let a = c.send(f, w, Who::LeadOfficer, req).await;
        f.status("objections: file (API)", Who::LeadOfficer, &key, a.status, StatusCode::CREATED);
        keys.push((key, a.json()["id"].as_i64().unwrap_or(0)));
    }
    let secret_named = w.tasks.iter().find(|t| t.kind == Kind::SecretNamed && !t.child).map(|t| t.id);
    let body = json!({"unit": lead, "task": secret_named, "score": "9", "comment": "矩阵评价"});
    let req = Req { method: "POST", path: "/api/v1/evaluations", headers: &[], body: Body::Json(body) };
    let a = c.send(f, w, Who::LeaderInCharge, req).await;
    f.status("evaluations: give (API)", Who::LeaderInCharge, "secret task", a.status, StatusCode::CREATED);

    for who in WHO {
        let anon = who == Who::Anonymous;
        let hidden = w.hidden(who);
        let office = matches!(who, Who::Office | Who::Admin);
        let unit_people = matches!(who, Who::LeadOfficer | Who::LeadHead);
        let ok_or = |yes: bool, no: StatusCode| if yes { StatusCode::OK } else { no };
        let page_anon = StatusCode::SEE_OTHER;
        for (surface, path, want) in [
            ("objections: list (API)", "/api/v1/objections".to_string(), ok_or(!anon, StatusCode::UNAUTHORIZED)),
            ("objections: page", "/objections".to_string(), ok_or(!anon, page_anon)),
            ("evaluations: list (API)", "/api/v1/evaluations".to_string(), ok_or(!anon, StatusCode::UNAUTHORIZED)),
            ("evaluations: page", "/evaluations".to_string(), ok_or(!anon, page_anon)),
            (
                "document errors (API)",
                "/api/v1/document-errors".to_string(),
                if anon { StatusCode::UNAUTHORIZED } else { ok_or(office, StatusCode::FORBIDDEN) },
            ),
            (
                "document errors: page",
                "/document-errors".to_string(),
                if anon { page_anon } else { ok_or(office, StatusCode::FORBIDDEN) },
            ),
            (
                "document errors: xlsx",
                "/document-errors.xlsx".to_string(),
                if anon { page_anon } else { ok_or(office, StatusCode::FORBIDDEN) },
            ),
        ] {
            let a = c.get(f, w, who, &path).await;
            f.status(surface, who, &path, a.status, want);
            f.search(surface, who, &path, &a.body, &hidden);
            if path == "/api/v1/objections" && a.status == StatusCode::OK {
                let n = a.json().as_array().map_or(0, Vec::len) as u64;
                f.count(surface, who, &path, n, if office || unit_people { keys.len() as u64 } else { 0 });
            }
        }
        for (key, id) in &keys {
            let path = format!("/objections/new?fact={key}&profile=per-event&period=2026");
            let a = c.get(f, w, who, &path).await;
            let want = if anon { page_anon } else { ok_or(office || unit_people, StatusCode::NOT_FOUND) };
            f.status("objections: form", who, &path, a.status, want);
            f.search("objections: form", who, &path, &a.body, &hidden);
            let path = format!("/api/v1/objections/{id}");
            let a = c.get(f, w, who, &path).await;
            let want =
                if anon { StatusCode::UNAUTHORIZED } else { ok_or(office || unit_people, StatusCode::NOT_FOUND) };
            f.status("objections: one (API)", who, &path, a.status, want);
            f.search("objections: one (API)", who, &path, &a.body, &hidden);
            // Deciding with an empty decision: refused as invalid for the office, forbidden to
            // everyone else; nothing is decided either way.
            let path = format!("/api/v1/objections/{id}/decision");
            let body = Body::Json(json!({"upheld": true, "decision": ""}));
            let a = c.send(f, w, who, Req { method: "POST", path: &path, headers: &[], body }).await;
            let want = match who {
                Who::Anonymous => StatusCode::UNAUTHORIZED,
                Who::Office | Who::Admin => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::FORBIDDEN,
            };
            f.status("objections: decide (API)", who, &path, a.status, want);
        }
        // Evaluating the lead unit: the office, administrators and its leader in charge.
        let body = Body::Json(json!({"unit": lead, "score": "6", "comment": "矩阵"}));
        let a = c.send(f, w, who, Req { method: "POST", path: "/api/v1/evaluations", headers: &[], body }).await;
        let want = match who {
            Who::Anonymous => StatusCode::UNAUTHORIZED,
            Who::Office | Who::Admin | Who::LeaderInCharge => StatusCode::CREATED,
            _ => StatusCode::FORBIDDEN,
        };
        f.status("evaluations: give (API)", who, "lead unit", a.status, want);
    }
}

/// Rankings (issue 13): everyone signed in reads the ranking; a unit's breakdown is its own
/// people's and those who oversee, and names only the tasks the viewer may see; the weights, the
/// issue and 容错 are the office's and administrators'.
async fn rankings(c: &Client<'_>, w: &World, f: &mut Findings) {
    let lead = w.unit(U::Lead);
    for who in WHO {
        let anon = who == Who::Anonymous;
        let hidden = w.hidden(who);
        let office = matches!(who, Who::Office | Who::Admin);
        let api_denied = if anon { StatusCode::UNAUTHORIZED } else { StatusCode::FORBIDDEN };
        let page_denied = if anon { StatusCode::SEE_OTHER } else { StatusCode::FORBIDDEN };
        let signed = |ok: StatusCode, denied: StatusCode| if anon { denied } else { ok };
        for (surface, path, want) in [
            ("ranking (API)", "/api/v1/rankings?period=2026Q1".to_string(), signed(StatusCode::OK, api_denied)),
            ("ranking (page)", "/rankings?period=2026Q1".to_string(), signed(StatusCode::OK, page_denied)),
            ("ranking (xlsx)", "/rankings.xlsx?period=2026Q1".to_string(), signed(StatusCode::OK, page_denied)),
            ("scoring (API)", "/api/v1/scoring".to_string(), signed(StatusCode::OK, api_denied)),
            ("scoring (page)", "/scoring?period=2026Q1".to_string(), if office { StatusCode::OK } else { page_denied }),
        ] {
            let a = c.get(f, w, who, &path).await;
            f.status(surface, who, &path, a.status, want);
            let body = if path.contains(".xlsx") { xlsx_text(&a.bytes) } else { a.body.clone() };
            f.search(surface, who, &path, &body, &hidden);
        }
        // The lead unit's breakdown: its own people and those who oversee.
        let reads_lead = matches!(
            who,
            Who::Office | Who::Admin | Who::LeaderInCharge | Who::OtherLeader | Who::LeadOfficer | Who::LeadHead
        );
        for (surface, path, denied) in [
            ("unit score (API)", format!("/api/v1/rankings/units/{lead}?period=2026Q1"), api_denied),
            ("unit score (page)", format!("/rankings/units/{lead}?period=2026Q1"), page_denied),
        ] {
            let a = c.get(f, w, who, &path).await;
            f.status(surface, who, &path, a.status, if reads_lead { StatusCode::OK } else { denied });
            f.search(surface, who, &path, &a.body, &hidden);
            if a.status == StatusCode::OK && path.starts_with("/api/") {
                // Every task a line names by id is one the viewer may see.
                for l in a.json()["lines"].as_array().into_iter().flatten() {
                    if let Some(t) = l["task_id"].as_i64()
                        && w.kind_of(t).is_some_and(|k| !sees(who, k))
                    {
                        f.leak(surface, format!("{who:?} {path}: task {t} named"));
                    }
                }
            }
        }
        // The office's writes.
        let writes = [
            ("PUT", "/api/v1/scoring/per-event", json!({"weights": {"late": 1}}), StatusCode::OK),
            ("POST", "/api/v1/scoring/per-event/preview", json!({"weights": {"late": 2}}), StatusCode::OK),
            // The quarter is not over: refused for the office, forbidden to the rest.
            (
                "POST",
                "/api/v1/rankings/issued",
                json!({"profile": "per-event", "period": "2026Q1"}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "POST",
                "/api/v1/assessment/facts/tolerance",
                json!({"fact": "", "reason": "x"}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        ];
        for (method, path, body, ok) in writes {
            let a = c.send(f, w, who, Req { method, path, headers: &[], body: Body::Json(body) }).await;
            f.status("rankings writes (API)", who, path, a.status, if office { ok } else { api_denied });
        }
    }
}

/// Liaison and project stewards (issue 14 §2–3): the lead unit's head is the liaison of an
/// enterprise and a steward of a project, and a visit is on record. Everyone signed in reads the
/// lists, coverage, flags and visits (nothing there is secret, and no hidden task shows); the
/// office assigns and ends; the liaison (or the office) records a visit; linking a problem to a
/// demand answers a task the caller may not see exactly as a missing one.
async fn liaison(app: &TestApp, c: &Client<'_>, w: &World, f: &mut Findings) {
    use duban_domain::enterprise::{EnterpriseInput, ProjectInput};
    use duban_domain::liaison::{AssignmentInput, ServiceKind, VisitInput};
    let cli = duban_app::actor::Actor::command_line();
    let d = &app.duban;
    let e = d
        .enterprises()
        .create_enterprise(
            &cli,
            EnterpriseInput {
                name: Some("矩阵企业".into()),
                credit_code: Some("91350100M000100Y43".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let p = d
        .enterprises()
        .create_project(
            &cli,
            ProjectInput {
                name: Some("矩阵项目".into()),
                total_investment: Some("2亿".into()),
                signed_on: Some("2026-01-05".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let head = w.people[&Who::LeadHead].0;
    let a = d
        .liaison()
        .assign(
            &cli,
            ServiceKind::Liaison,
            AssignmentInput {
                person_id: Some(head),
                enterprise_id: Some(e.id.0),
                since: Some("2026-01-01".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    let s = d
        .liaison()
        .assign(
            &cli,
            ServiceKind::Steward,
            AssignmentInput {
                person_id: Some(head),
                project_id: Some(p.id.0),
                rank: Some("副处级".into()),
                since: Some("2026-01-01".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    let visit =
        VisitInput { met: Some("矩阵经理".into()), problems: vec!["矩阵问题".into()], ..Default::default() };
    let v = d.liaison().record_visit(&cli, a, visit).await.unwrap().id;
    for who in WHO {
        let anon = who == Who::Anonymous;
        let hidden = w.hidden(who);
        let office = matches!(who, Who::Office | Who::Admin);
        let api_denied = if anon { StatusCode::UNAUTHORIZED } else { StatusCode::FORBIDDEN };
        let page_denied = if anon { StatusCode::SEE_OTHER } else { StatusCode::FORBIDDEN };
        let signed = |ok: StatusCode, denied: StatusCode| if anon { denied } else { ok };
        for (surface, path, want) in [
            ("liaison list (API)", "/api/v1/liaison".to_string(), signed(StatusCode::OK, api_denied)),
            ("liaison coverage (API)", "/api/v1/liaison/coverage".to_string(), signed(StatusCode::OK, api_denied)),
            ("liaison visits (API)", format!("/api/v1/liaison/{a}/visits"), signed(StatusCode::OK, api_denied)),
            ("stewards list (API)", "/api/v1/stewards".to_string(), signed(StatusCode::OK, api_denied)),
            ("steward flags (API)", "/api/v1/stewards/flags".to_string(), signed(StatusCode::OK, api_denied)),
            ("steward records (API)", format!("/api/v1/stewards/{s}/records"), signed(StatusCode::OK, api_denied)),
            ("liaison (page)", "/liaison".to_string(), signed(StatusCode::OK, page_denied)),
            ("liaison one (page)", format!("/liaison/{a}"), signed(StatusCode::OK, page_denied)),
            ("stewards (page)", "/stewards".to_string(), signed(StatusCode::OK, page_denied)),
            ("steward one (page)", format!("/stewards/{s}"), signed(StatusCode::OK, page_denied)),
        ] {
            let r = c.get(f, w, who, &path).await;
            f.status(surface, who, &path, r.status, want);
            f.search(surface, who, &path, &r.body, &hidden);
        }
        // Writes: assigning and ending are the office's; recording the liaison's or the office's.
        let records = office || who == Who::LeadHead;
        let csrf = format!("csrf-{}", username(who));
        let writes: Vec<(&str, String, Body, StatusCode)> = vec![
            ("liaison assign (API)", "/api/v1/liaison".into(), Body::Json(json!({})), StatusCode::UNPROCESSABLE_ENTITY),
            (
                "steward assign (API)",
                "/api/v1/stewards".into(),
                Body::Json(json!({})),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "liaison end (API)",
                format!("/api/v1/liaison/{a}/end"),
                Body::Json(json!({"until": "1999-01-01"})),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "liaison assign (page)",
                "/liaison".into(),
                Body::Form(vec![("csrf".into(), csrf.clone())]),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "steward end (page)",
                format!("/stewards/{s}/end"),
                Body::Form(vec![("csrf".into(), csrf.clone()), ("until".into(), "1999-01-01".into())]),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        ];
        for (surface, path, body, ok) in writes {
            let a = c.send(f, w, who, Req { method: "POST", path: &path, headers: &[], body }).await;
            let denied = if path.starts_with("/api/") { api_denied } else { page_denied };
            f.status(surface, who, &path, a.status, if office { ok } else { denied });
            f.search(surface, who, &path, &a.body, &hidden);
        }
        for (surface, path, body) in [
            ("visit record (API)", format!("/api/v1/liaison/{a}/visits"), Body::Json(json!({"met": ""}))),
            (
                "visit record (page)",
                format!("/liaison/{a}/visits"),
                Body::Form(vec![("csrf".into(), csrf.clone()), ("met".into(), String::new())]),
            ),
        ] {
            let r = c.send(f, w, who, Req { method: "POST", path: &path, headers: &[], body }).await;
            let denied = if path.starts_with("/api/") { api_denied } else { page_denied };
            f.status(surface, who, &path, r.status, if records { StatusCode::UNPROCESSABLE_ENTITY } else { denied });
        }
        // Linking the problem to each task (none is a demand): refused as invalid where the
        // caller sees the task, as missing where they do not.
        for t in w.tasks.iter().filter(|t| !t.child) {
            let path = format!("/api/v1/liaison/visits/{v}/problems/0/demand");
            let body = Body::Json(json!({"task_id": t.id}));
            let r = c.send(f, w, who, Req { method: "POST", path: &path, headers: &[], body }).await;
            let want = match (anon, office, sees(who, t.kind)) {
                (true, _, _) => StatusCode::UNAUTHORIZED,
                (false, false, _) => StatusCode::FORBIDDEN,
                (false, true, true) => StatusCode::UNPROCESSABLE_ENTITY,
                (false, true, false) => StatusCode::NOT_FOUND,
            };
            f.status("problem to demand (API)", who, &format!("task {}", t.id), r.status, want);
            f.search("problem to demand (API)", who, &path, &r.body, &hidden);
        }
    }
}

/// Pre-procedures of key projects (issue 14 §4): procedures are not secret — everyone signed in
/// reads the battle maps, the dispatch and the report; only the office and administrators add
/// kinds and start procedures. No page or file of them names a task the viewer may not see.
async fn procedures(app: &TestApp, c: &Client<'_>, w: &World, f: &mut Findings) {
    use duban_domain::procedure::ProcedureInput;
    let cli = duban_app::actor::Actor::command_line();
    let input = duban_domain::enterprise::ProjectInput {
        name: Some("矩阵前期项目".into()),
        total_investment: Some("2亿".into()),
        ..Default::default()
    };
    let project = app.duban.enterprises().create_project(&cli, input).await.unwrap().id;
    let kinds = app.duban.procedures().kinds(&cli).await.unwrap();
    let p = ProcedureInput {
        project_id: Some(project),
        kind_id: Some(kinds[0].id),
        unit_id: Some(duban_domain::ids::UnitId(w.unit(U::Lead))),
        days: Some(5),
        note: None,
    };
    let p = app.duban.procedures().add(&cli, p).await.unwrap();
    app.duban.procedures().start(&cli, p.id, None).await.unwrap();
    for who in WHO {
        let anon = who == Who::Anonymous;
        let hidden = w.hidden(who);
        let office = matches!(who, Who::Office | Who::Admin);
        let api = if anon { StatusCode::UNAUTHORIZED } else { StatusCode::OK };
        let page = if anon { StatusCode::SEE_OTHER } else { StatusCode::OK };
        for (surface, path, want) in [
            ("procedures: map (API)", "/api/v1/procedures".to_string(), api),
            ("procedures: kinds (API)", "/api/v1/procedures/kinds".to_string(), api),
            ("procedures: project (API)", format!("/api/v1/procedures/projects/{project}"), api),
            ("procedures: weekly (API)", "/api/v1/procedures/weekly?day=2026-03-09".to_string(), api),
            ("procedures: monthly (API)", "/api/v1/procedures/monthly?month=2026-03".to_string(), api),
            ("procedures: map (page)", "/procedures".to_string(), page),
            ("procedures: project (page)", format!("/projects/{project}/procedures"), page),
            ("procedures: weekly (page)", "/procedures/weekly?day=2026-03-09".to_string(), page),
            ("procedures: weekly (xlsx)", "/procedures/weekly.xlsx?day=2026-03-09".to_string(), page),
            ("procedures: monthly (docx)", "/procedures/monthly.docx?month=2026-03".to_string(), page),
        ] {
            let a = c.get(f, w, who, &path).await;
            f.status(surface, who, &path, a.status, want);
            let body = if path.contains(".xlsx") {
                xlsx_text(&a.bytes)
            } else if path.contains(".docx") {
                docx_text(&a.bytes)
            } else {
                a.body.clone()
            };
            f.search(surface, who, &path, &body, &hidden);
        }
        let denied = if anon { StatusCode::UNAUTHORIZED } else { StatusCode::FORBIDDEN };
        let body = Body::Json(json!({"name": ""}));
        let a = c.send(f, w, who, Req { method: "POST", path: "/api/v1/procedures/kinds", headers: &[], body }).await;
        let want = if office { StatusCode::UNPROCESSABLE_ENTITY } else { denied };
        f.status("procedures: add kind (API)", who, "empty name", a.status, want);
        let path = format!("/api/v1/procedures/{}/start", p.id);
        let a = c.send(f, w, who, Req { method: "POST", path: &path, headers: &[], body: Body::Json(json!({})) }).await;
        f.status("procedures: start (API)", who, &path, a.status, if office { StatusCode::CONFLICT } else { denied });
    }
}

/// Enterprise demands (issue 14 §5): a demand on each of the four top tasks (its title carries
/// the task's marker) and one waiting in the office's queue. A demand with a task is read by
/// exactly those who see its task (the one visibility rule; 涉密 only by those named on it), in
/// the list and one by one, API and pages; the queue, the assignment and the return visit are
/// the office's and administrators' alone.
/// A 企业诉求 task beside a world task, as a demand's task must be: its parties, classification
/// and named people, and its marker in the title (so that a leak shows).
async fn demand_task(app: &TestApp, w: &World, t: &Task) -> duban_domain::ids::TaskId {
    let named = t.kind != Kind::SecretUnnamed;
    let person = |who| if named { json!(w.people[&who].0) } else { Value::Null };
    let twin: duban_domain::task::TaskInput = serde_json::from_value(json!({
        "title": format!("矩阵{}诉求任务{}", t.kind.classification(), t.marker), "source": "enterprise",
        "lead": [{"unit": w.units["lead"]}], "cooperating": [{"unit": w.units["coop"]}],
        "classification": t.kind.classification(), "leader_id": person(Who::LeaderInCharge),
        "responsible_person_id": person(Who::LeadOfficer), "deadline": "2026-12-31",
    }))
    .unwrap();
    app.duban.tasks().create_task(twin, None).await.unwrap().task.id
}

async fn demands(app: &TestApp, c: &Client<'_>, w: &World, f: &mut Findings) {
    use duban_domain::demand::PublicDemandInput;
    let input = |title: String| PublicDemandInput {
        enterprise_name: "矩阵企业".into(),
        contact_name: "联系人".into(),
        contact_phone: "13800000000".into(),
        kind: "policy".into(),
        title,
        text: "诉求内容".into(),
        ..Default::default()
    };
    let at = app.duban.core().now();
    let mut made = Vec::new();
    // A demand's task is a 企业诉求 task: one beside each world task, with its parties,
    // classification and named people (and its marker, so that a leak shows).
    for t in w.tasks.iter().filter(|t| !t.child) {
        let task = demand_task(app, w, t).await;
        let d = input(format!("矩阵诉求{}", t.marker)).parse().unwrap();
        let hash = format!("matrix-{}", t.id);
        let d = app.store.insert_demand(&d, Some(task), &hash, None, at).await.unwrap();
        made.push((d.id, Some(t.kind)));
    }
    // Only a 企业诉求 task takes a demand.
    let other = input("矩阵诉求其他".into()).parse().unwrap();
    let e = app.store.insert_demand(&other, Some(duban_domain::ids::TaskId(w.tasks[0].id)), "matrix-x", None, at).await;
    assert!(matches!(e, Err(duban_domain::Error::Invalid { .. })), "{e:?}");
    let queued = input("矩阵诉求ZQQUEUE".into()).parse().unwrap();
    made.push((app.store.insert_demand(&queued, None, "matrix-q", None, at).await.unwrap().id, None));
    let queued_id = made.last().map(|(id, _)| *id).unwrap_or_default();
    for who in WHO {
        let anon = who == Who::Anonymous;
        let office = matches!(who, Who::Office | Who::Admin);
        let mut hidden = w.hidden(who);
        if !office {
            hidden.push("ZQQUEUE");
        }
        let api_denied = if anon { StatusCode::UNAUTHORIZED } else { StatusCode::FORBIDDEN };
        let page_denied = if anon { StatusCode::SEE_OTHER } else { StatusCode::FORBIDDEN };
        for (surface, path) in [("demands: list (API)", "/api/v1/demands"), ("demands: list (page)", "/demands")] {
            let a = c.get(f, w, who, path).await;
            let want = match (anon, path.starts_with("/api/")) {
                (true, true) => StatusCode::UNAUTHORIZED,
                (true, false) => StatusCode::SEE_OTHER,
                _ => StatusCode::OK,
            };
            f.status(surface, who, path, a.status, want);
            f.search(surface, who, path, &a.body, &hidden);
            if a.status == StatusCode::OK && path.starts_with("/api/") {
                let visible = made.iter().filter(|(_, k)| k.map_or(office, |k| sees(who, k))).count() as u64;
                f.count(surface, who, path, a.json()["total"].as_u64().unwrap_or(0), visible);
            }
        }
        for (id, kind) in &made {
            let sees_it = kind.map_or(office, |k| sees(who, k));
            for (surface, path, missing) in [
                (
                    "demands: one (API)",
                    format!("/api/v1/demands/{id}"),
                    if anon { StatusCode::UNAUTHORIZED } else { StatusCode::NOT_FOUND },
                ),
                (
                    "demands: one (page)",
                    format!("/demands/{id}"),
                    if anon { StatusCode::SEE_OTHER } else { StatusCode::NOT_FOUND },
                ),
            ] {
                let a = c.get(f, w, who, &path).await;
                f.status(surface, who, &path, a.status, if sees_it { StatusCode::OK } else { missing });
                f.search(surface, who, &path, &a.body, &hidden);
            }
        }
        for (surface, path, denied) in [
            ("demands: queue (API)", "/api/v1/demands/queue", api_denied),
            ("demands: queue (page)", "/demands/queue", page_denied),
        ] {
            let a = c.get(f, w, who, path).await;
            f.status(surface, who, path, a.status, if office { StatusCode::OK } else { denied });
            f.search(surface, who, path, &a.body, &hidden);
        }
        // The office's writes, asked of everyone else (the office's own are in tests/api/demands.rs).
        if !office {
            let lead = w.unit(U::Lead);
            for (path, body) in [
                (format!("/api/v1/demands/{queued_id}/assignment"), json!({"lead": [{"unit": lead}]})),
                (format!("/api/v1/demands/{}/return-visit", made[0].0), json!({"text": "回访"})),
            ] {
                let a =
                    c.send(f, w, who, Req { method: "POST", path: &path, headers: &[], body: Body::Json(body) }).await;
                f.status("demands: office writes (API)", who, &path, a.status, api_denied);
            }
        }
    }
}

/// Key enterprises and key projects (issue 14 §1): everyone signed in reads the lists, one
/// record, its history and the .xlsx; only the office (and administrators) write and import;
/// nobody signed in gets nothing. No task is shown on these surfaces.
async fn registry(app: &TestApp, c: &Client<'_>, w: &World, f: &mut Findings) {
    let cli = duban_app::actor::Actor::command_line();
    let code = duban_domain::enterprise::CreditCode::completing("91150525MA0MATR1X").unwrap().to_string();
    let input = duban_domain::enterprise::EnterpriseInput {
        name: Some("矩阵企业".into()),
        credit_code: Some(code),
        ..Default::default()
    };
    let e = app.duban.enterprises().create_enterprise(&cli, input).await.unwrap();
    let pi = duban_domain::enterprise::ProjectInput {
        name: Some("矩阵项目".into()),
        total_investment: Some("1.2亿".into()),
        enterprise_id: Some(e.id),
        ..Default::default()
    };
    let p = app.duban.enterprises().create_project(&cli, pi).await.unwrap();
    let (eid, pid) = (e.id.0, p.id.0);
    for who in WHO {
        let anon = who == Who::Anonymous;
        let hidden = w.hidden(who);
        let office = matches!(who, Who::Office | Who::Admin);
        let api_denied = if anon { StatusCode::UNAUTHORIZED } else { StatusCode::FORBIDDEN };
        let page_denied = if anon { StatusCode::SEE_OTHER } else { StatusCode::FORBIDDEN };
        let read = |denied: StatusCode| if anon { denied } else { StatusCode::OK };
        for (surface, path, want) in [
            ("enterprises (API)", "/api/v1/enterprises".to_string(), read(StatusCode::UNAUTHORIZED)),
            ("enterprise (API)", format!("/api/v1/enterprises/{eid}"), read(StatusCode::UNAUTHORIZED)),
            ("enterprise history (API)", format!("/api/v1/enterprises/{eid}/history"), read(StatusCode::UNAUTHORIZED)),
            ("enterprises xlsx (API)", "/api/v1/enterprises/export".to_string(), read(StatusCode::UNAUTHORIZED)),
            ("projects (API)", "/api/v1/projects".to_string(), read(StatusCode::UNAUTHORIZED)),
            ("project (API)", format!("/api/v1/projects/{pid}"), read(StatusCode::UNAUTHORIZED)),
            ("project history (API)", format!("/api/v1/projects/{pid}/history"), read(StatusCode::UNAUTHORIZED)),
            ("projects xlsx (API)", "/api/v1/projects/export".to_string(), read(StatusCode::UNAUTHORIZED)),
            ("enterprises (page)", "/enterprises".to_string(), read(StatusCode::SEE_OTHER)),
            ("enterprise (page)", format!("/enterprises/{eid}"), read(StatusCode::SEE_OTHER)),
            ("enterprises (xlsx)", "/enterprises.xlsx".to_string(), read(StatusCode::SEE_OTHER)),
            ("projects (page)", "/projects".to_string(), read(StatusCode::SEE_OTHER)),
            ("project (page)", format!("/projects/{pid}"), read(StatusCode::SEE_OTHER)),
            ("projects (xlsx)", "/projects.xlsx".to_string(), read(StatusCode::SEE_OTHER)),
            (
                "enterprise form (page)",
                "/enterprises/new".to_string(),
                if office { StatusCode::OK } else { page_denied },
            ),
            (
                "project import (page)",
                "/projects/import".to_string(),
                if office { StatusCode::OK } else { page_denied },
            ),
        ] {
            let a = c.get(f, w, who, &path).await;
            f.status(surface, who, &path, a.status, want);
            let body =
                if path.contains("xlsx") || path.ends_with("export") { xlsx_text(&a.bytes) } else { a.body.clone() };
            f.search(surface, who, &path, &body, &hidden);
            if a.status == StatusCode::OK
                && !body.contains("矩阵")
                && !path.contains("history")
                && !path.contains("new")
                && !path.contains("import")
            {
                f.wrong(surface, format!("{who:?} {path}: the record is not shown"));
            }
        }
        // Writes: an empty body is refused as invalid for the office, forbidden to the rest.
        let writes = [
            ("POST", "/api/v1/enterprises".to_string(), json!({})),
            ("PUT", format!("/api/v1/enterprises/{eid}?version=1"), json!({})),
            ("POST", "/api/v1/projects".to_string(), json!({})),
            ("PUT", format!("/api/v1/projects/{pid}?version=1"), json!({})),
            ("POST", "/api/v1/enterprises/import/commit".to_string(), json!({"rows": []})),
            ("POST", "/api/v1/projects/import/commit".to_string(), json!({"rows": []})),
        ];
        for (method, path, body) in writes {
            let a = c.send(f, w, who, Req { method, path: &path, headers: &[], body: Body::Json(body) }).await;
            let want = if office { StatusCode::UNPROCESSABLE_ENTITY } else { api_denied };
            f.status("registry writes (API)", who, &path, a.status, want);
        }
        let a = c
            .send(
                f,
                w,
                who,
                Req { method: "POST", path: "/api/v1/enterprises/import", headers: &[], body: Body::Raw(Vec::new()) },
            )
            .await;
        let want = if office { StatusCode::UNPROCESSABLE_ENTITY } else { api_denied };
        f.status("registry import (API)", who, "/api/v1/enterprises/import", a.status, want);
    }
}

/// Whole histories and statistics (issue 14 §6): an enterprise with a demand on each task kind;
/// its timeline (API and page), the lead unit's service history and the month's statistics show
/// each viewer only the tasks it may see — the demands of the others are not listed, counted or
/// named; nobody signed in gets nothing.
async fn service_views(app: &TestApp, c: &Client<'_>, w: &World, f: &mut Findings) {
    let cli = duban_app::actor::Actor::command_line();
    let code = duban_domain::enterprise::CreditCode::completing("91150525MA0HXTRY1").unwrap().to_string();
    let input = duban_domain::enterprise::EnterpriseInput {
        name: Some("矩阵历史企业".into()),
        credit_code: Some(code),
        ..Default::default()
    };
    let e = app.duban.enterprises().create_enterprise(&cli, input).await.unwrap();
    let at = app.duban.core().now();
    let mut kinds = Vec::new();
    // The subtasks: each task carries one demand at most, and the parents' carry §5's rows.
    for t in w.tasks.iter().filter(|t| t.child) {
        let d = duban_domain::demand::PublicDemandInput {
            enterprise_name: "矩阵历史企业".into(),
            contact_name: "联系人".into(),
            contact_phone: "13800000000".into(),
            kind: "policy".into(),
            title: format!("历史诉求{}", t.marker),
            text: "诉求内容".into(),
            ..Default::default()
        };
        let mut d = d.parse().unwrap();
        d.enterprise_id = Some(e.id);
        let hash = format!("views-{}", t.id);
        let task = demand_task(app, w, t).await;
        app.store.insert_demand(&d, Some(task), &hash, None, at).await.unwrap();
        kinds.push(t.kind);
    }
    let lead = w.unit(U::Lead);
    for who in WHO {
        let anon = who == Who::Anonymous;
        let hidden = w.hidden(who);
        for (surface, path) in [
            ("service views: timeline (API)", format!("/api/v1/enterprises/{}/timeline", e.id)),
            ("service views: timeline (page)", format!("/enterprises/{}", e.id)),
            ("service views: unit (API)", format!("/api/v1/units/{lead}/service")),
            ("service views: unit (page)", format!("/units/{lead}/service")),
            ("service views: stats (API)", "/api/v1/service/stats?month=2026-03".to_string()),
            ("service views: stats (page)", "/service/stats?month=2026-03".to_string()),
        ] {
            let a = c.get(f, w, who, &path).await;
            let want = match (anon, path.starts_with("/api/")) {
                (true, true) => StatusCode::UNAUTHORIZED,
                (true, false) => StatusCode::SEE_OTHER,
                _ => StatusCode::OK,
            };
            f.status(surface, who, &path, a.status, want);
            f.search(surface, who, &path, &a.body, &hidden);
            if a.status == StatusCode::OK && path.ends_with("/timeline") {
                let visible = kinds.iter().filter(|k| sees(who, **k)).count() as u64;
                let listed = a.json()["demands"].as_array().map_or(0, |v| v.len()) as u64;
                f.count(surface, who, &path, listed, visible);
            }
            if a.status == StatusCode::OK && path.starts_with("/api/v1/service/stats") {
                // §5's demand on each task, this one's on each subtask, and the queued one for
                // the office: only those whose tasks the viewer sees are counted.
                let office = matches!(who, Who::Office | Who::Admin);
                let visible = 2 * kinds.iter().filter(|k| sees(who, **k)).count() as u64 + u64::from(office);
                f.count(surface, who, &path, a.json()["stats"]["demands"].as_u64().unwrap_or(0), visible);
            }
        }
    }
}
