//! `spawn_app()`: a server on a free port over a fresh SQLite database, with a clock the test
//! moves by hand. Every JSON response is checked against the OpenAPI document.

use duban_app::service::Services;
use duban_domain::calendar::UnknownYears;
use duban_domain::clock::FixedClock;
use duban_domain::policy::Policy;
use duban_server::api::ROUTES;
use duban_server::api::openapi::{DOCUMENT, conforms};
use duban_server::startup::Application;
use duban_store_sqlite::SqliteStore;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::sync::Arc;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub clock: Arc<FixedClock>,
    pub duban: Arc<Services>,
    /// The store beneath the services, for a test to set up and check what it cannot through
    /// them.
    pub store: Arc<dyn duban_store::Store>,
    doc: Value,
    _dir: tempfile::TempDir,
    /// The PostgreSQL database of an app spawned on one, dropped with the app.
    _db: Option<duban_store_tests::TestDb>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Beijing local time as an instant.
pub fn bj(s: &str) -> jiff::Timestamp {
    duban_domain::task::parse_instant("t", s, &jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()).unwrap()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with("x-district-2022").await
}

pub async fn spawn_app_with(profile: &str) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("api.db").display());
    let store = Arc::new(SqliteStore::connect(&url).await.unwrap());
    spawn_app_on(store, profile, dir, None).await
}

/// The same server over a fresh PostgreSQL database under `DUBAN_TEST_PG_URL`, or `None` when
/// that is not set (a failure under `CI=true`).
pub async fn spawn_app_on_postgres() -> Option<TestApp> {
    let db = duban_store_tests::postgres().await?;
    let store = db.store.clone();
    Some(spawn_app_on(store, "x-district-2022", tempfile::tempdir().unwrap(), Some(db)).await)
}

async fn spawn_app_on(
    store: Arc<dyn duban_store::Store>,
    profile: &str,
    dir: tempfile::TempDir,
    db: Option<duban_store_tests::TestDb>,
) -> TestApp {
    let clock = Arc::new(FixedClock::new(bj("2026-03-02T09:00")));
    let duban = Arc::new(
        Services::new(store.clone(), Policy::builtin(profile).unwrap(), clock.clone(), UnknownYears::Error)
            .await
            .unwrap(),
    );
    let root = store
        .create_person(
            &duban_domain::org::NewPerson::new(
                "系统管理员",
                "root",
                None,
                vec![duban_domain::org::Role::Admin, duban_domain::org::Role::Office],
            ),
            duban_store_tests::at(),
        )
        .await
        .unwrap();
    // Every request is made as an administrator (roles admin and office), whose session
    // outlives any clock the tests set.
    let token = format!("root-session-{}", std::process::id());
    store
        .create_session(&duban_store::Session {
            token_hash: duban_app::sign_in::token_hash(&token),
            person_id: root.id,
            csrf: "root-csrf".into(),
            created_at: jiff::Timestamp::UNIX_EPOCH,
            expires_at: "2100-01-01T00:00:00Z".parse().unwrap(),
        })
        .await
        .unwrap();
    let app = Application::bind("127.0.0.1:0", duban.clone()).await.unwrap();
    let base = format!("http://{}", app.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run(async move {
        let _ = rx.await;
    }));
    TestApp {
        base,
        client: reqwest::Client::builder()
            .default_headers(reqwest::header::HeaderMap::from_iter([(
                reqwest::header::AUTHORIZATION,
                format!("Bearer {token}").parse().unwrap(),
            )]))
            .build()
            .unwrap(),
        clock,
        duban,
        store,
        doc: serde_json::from_str(&DOCUMENT).unwrap(),
        _dir: dir,
        _db: db,
        _stop: tx,
    }
}

/// The route template a concrete path matches, e.g. `/api/v1/tasks/7` → `/api/v1/tasks/{id}`.
fn template(method: &str, path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or(path);
    ROUTES.iter().find_map(|(m, t)| {
        let ts: Vec<&str> = t.split('/').collect();
        let ps: Vec<&str> = path.split('/').collect();
        let same = *m == method
            && ts.len() == ps.len()
            && ts.iter().zip(&ps).all(|(a, b)| a == b || (a.starts_with('{') && !b.is_empty()));
        same.then_some(*t)
    })
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub json: Value,
}

impl TestApp {
    pub async fn send(&self, method: &str, path: &str, body: Option<Value>, headers: &[(&str, &str)]) -> Reply {
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let mut req = self.client.request(m, format!("{}{}", self.base, path));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let json: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
        };
        self.check_documented(method, path, status, &json);
        Reply { status, headers, json }
    }

    /// The response must be what the OpenAPI document says for this route and status.
    pub fn check_documented(&self, method: &str, path: &str, status: StatusCode, json: &Value) {
        let Some(t) = template(method, path) else {
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path} is not a route");
            conforms(json, &serde_json::json!({"$ref": "#/components/schemas/Error"}), &self.doc).unwrap();
            return;
        };
        let op = &self.doc["paths"][t][method];
        let resp = &op["responses"][status.as_str()];
        assert!(!resp.is_null(), "{method} {t} answered {status}, which the document does not list: {json}");
        let schema = &resp["content"]["application/json"]["schema"];
        if !schema.is_null() {
            conforms(json, schema, &self.doc).unwrap_or_else(|e| panic!("{method} {path} {status}: {e}\n{json:#}"));
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send("get", path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send("post", path, Some(body), &[]).await
    }

    pub async fn patch(&self, path: &str, version: i64, body: Value) -> Reply {
        self.send("patch", path, Some(body), &[("If-Match", &format!("\"{version}\""))]).await
    }

    /// Creates a unit and returns its id.
    pub async fn unit(&self, name: &str) -> i64 {
        let r = self.post("/api/v1/units", serde_json::json!({"name": name})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        r.json["id"].as_i64().unwrap()
    }

    /// Creates a task and returns it.
    pub async fn task(&self, body: Value) -> Value {
        let r = self.post("/api/v1/tasks", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        r.json
    }
}

impl TestApp {
    /// Uploads a file to a task and returns the attachment's id.
    pub async fn attach(&self, task: &Value, name: &str, bytes: &[u8]) -> i64 {
        let path = format!("/api/v1/tasks/{}/attachments", task["id"]);
        let r = self
            .client
            .post(format!("{}{path}?filename={name}", self.base))
            .header("content-type", "application/pdf")
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        let status = r.status();
        let json: Value = r.json().await.unwrap();
        self.check_documented("post", &path, status, &json);
        assert_eq!(status, StatusCode::CREATED, "{json}");
        json["id"].as_i64().unwrap()
    }
}

/// The error code of a reply.
pub fn code(r: &Reply) -> &str {
    r.json["error"]["code"].as_str().unwrap_or("")
}

impl TestApp {
    /// Creates a person (the body of `POST /api/v1/people`) with a session that outlives any
    /// clock the tests set (CSRF token `csrf-{username}`): their id and bearer token.
    pub async fn person_signed_in(&self, body: Value) -> (i64, String) {
        let r = self.post("/api/v1/people", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        let id = r.json["id"].as_i64().unwrap();
        let token = self.session(id, r.json["username"].as_str().unwrap()).await;
        (id, token)
    }

    /// A session for a person, made in the store (no password hashing) and outliving any clock
    /// the tests set: the bearer token (API) and cookie value (pages); its CSRF token is
    /// `csrf-{label}`.
    pub async fn session(&self, person: i64, label: &str) -> String {
        let token = format!("session-{label}-{}", std::process::id());
        self.store
            .create_session(&duban_store::Session {
                token_hash: duban_app::sign_in::token_hash(&token),
                person_id: duban_domain::ids::PersonId(person),
                csrf: format!("csrf-{label}"),
                created_at: jiff::Timestamp::UNIX_EPOCH,
                expires_at: "2100-01-01T00:00:00Z".parse().unwrap(),
            })
            .await
            .unwrap();
        token
    }
}

/// LibreOffice's `soffice`: `None` (with a note) when it is not installed, a failure under
/// `CI=true`.
pub fn soffice() -> Option<std::path::PathBuf> {
    let found = ["/usr/bin/soffice", "/usr/local/bin/soffice", "/usr/bin/libreoffice"]
        .iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.exists());
    if found.is_none() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "soffice is required under CI=true");
        eprintln!("skipped: LibreOffice (soffice) is not installed");
    }
    found
}

/// A Word file printed to PDF by LibreOffice in `dir` (as `{stem}.pdf`), and the PDF's text
/// (pdftotext, without spaces and line breaks).
pub fn print_docx(
    soffice: &std::path::Path,
    docx: &[u8],
    dir: &std::path::Path,
    stem: &str,
) -> (std::path::PathBuf, String) {
    let file = dir.join(format!("{stem}.docx"));
    std::fs::write(&file, docx).unwrap();
    let profile = format!("-env:UserInstallation=file://{}", dir.join("profile").display());
    // The server is done with: the conversion may block the test's thread.
    let out = std::process::Command::new(soffice)
        .args([profile.as_str(), "--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .arg(&file)
        .output()
        .unwrap();
    let pdf = dir.join(format!("{stem}.pdf"));
    assert!(pdf.exists(), "soffice made no PDF: {}", String::from_utf8_lossy(&out.stderr));
    let text = std::process::Command::new("pdftotext").arg("-layout").arg(&pdf).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout).replace([' ', '\n'], "");
    (pdf, text)
}
