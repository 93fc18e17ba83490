//! The administrative audit log (等保): every change to users, units, unit groups, rules and the
//! calendar — through the API, the pages or the service — is recorded with who, when and what
//! (never a password), can be read by administrators only, and its chain verifies.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// A browser without JavaScript that signs in and keeps the session cookie.
struct Browser {
    client: reqwest::Client,
    base: String,
    cookie: String,
}

impl Browser {
    async fn signed_in(app: &TestApp, username: &str, password: &str) -> Self {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let r = client.get(format!("{}/login", app.base)).send().await.unwrap();
        let login = cookie_of(&r, "duban_login").unwrap();
        let token = hidden(&r.text().await.unwrap(), "csrf");
        let r = client
            .post(format!("{}/login", app.base))
            .header("cookie", format!("duban_login={login}"))
            .form(&[("username", username), ("password", password), ("next", "/"), ("csrf", &token)])
            .send()
            .await
            .unwrap();
        let session = cookie_of(&r, "duban_session").expect("signed in");
        Browser { client, base: app.base.clone(), cookie: format!("duban_session={session}") }
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self.client.get(format!("{}{path}", self.base)).header("cookie", &self.cookie).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(form)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    async fn csrf(&self) -> String {
        hidden(&self.get("/admin/units").await.1, "csrf")
    }
}

fn cookie_of(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers().get_all("set-cookie").iter().find_map(|v| {
        let (kv, _) = v.to_str().ok()?.split_once(';')?;
        let (k, val) = kv.split_once('=')?;
        (k == name && !val.is_empty()).then(|| val.to_string())
    })
}

fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).map(|i| i + marker.len()).unwrap_or_else(|| panic!("no {name} in {page}"));
    page[start..].split('"').next().unwrap().to_string()
}

async fn person(app: &TestApp, username: &str, roles: Value, password: &str) -> i64 {
    let r = app.post("/api/v1/people", json!({"name": username, "username": username, "roles": roles})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let id = r.json["id"].as_i64().unwrap();
    app.duban.sign_in().set_password(duban_domain::ids::PersonId(id), password).await.unwrap();
    id
}

async fn api_token(app: &TestApp, username: &str, password: &str) -> String {
    let body = json!({"username": username, "password": password});
    let r = app.send("post", "/api/v1/session", Some(body), &[("authorization", "")]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    r.json["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn every_kind_of_administrative_change_is_logged_with_who_and_what_but_no_password() {
    let app = spawn_app().await;
    // Through the API, as the administrator `root`.
    let unit = app.unit("旗文化旅游体育局").await;
    let spare = app.unit("临时单位").await;
    let r = app
        .send(
            "put",
            &format!("/api/v1/units/{unit}"),
            Some(json!({"name": "旗文旅体育局", "aliases": ["文旅局"]})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(app.send("delete", &format!("/api/v1/units/{spare}"), None, &[]).await.status, StatusCode::NO_CONTENT);
    let liu = person(&app, "liu", json!(["officer"]), "Duban-first-pass").await;
    let r = app
        .send(
            "put",
            &format!("/api/v1/people/{liu}"),
            Some(json!({"name": "刘", "username": "liu", "unit_id": unit, "roles": ["officer", "unit_head"]})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let r = app.post("/api/v1/calendar", json!({"scope": "local", "years": {"2026": {"off": ["2026-07-01"]}}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    // Through the pages, as the administrator `admin`.
    person(&app, "admin", json!(["admin"]), "Guanli-pass-2026").await;
    let b = Browser::signed_in(&app, "admin", "Guanli-pass-2026").await;
    let csrf = b.csrf().await;
    let (_, page) = b
        .post(
            "/admin/users/new",
            &[
                ("csrf", &csrf),
                ("name", "王"),
                ("username", "wang"),
                ("role", "officer"),
                ("password", "Shui-Secret-1"),
            ],
        )
        .await;
    assert!(page.contains("已添加用户"), "{page}");
    let (_, page) =
        b.post(&format!("/admin/users/{liu}/password"), &[("csrf", &csrf), ("password", "Dong-Secret-22")]).await;
    assert!(page.contains("密码已重设"), "{page}");
    let (_, page) = b.post(&format!("/admin/users/{liu}/deactivate"), &[("csrf", &csrf), ("confirm", "on")]).await;
    assert!(page.contains("已停用"), "{page}");
    let rules = "profile = \"x-district-2022\"\n[[rules]]\nid = \"sign\"\nduration = \"2wd\"\n";
    let (_, page) = b.post("/admin/rules/save", &[("csrf", &csrf), ("do", "save"), ("rules", rules)]).await;
    assert!(page.contains("规则已保存并生效"), "{page}");
    let (_, page) = b.post("/admin/rules/save", &[("csrf", &csrf), ("do", "reset"), ("rules", "")]).await;
    assert!(page.contains("已恢复配置文件中的规则"), "{page}");
    let directory = "[[unit]]\nname = \"旗审计局\"\nkind = \"department\"\n[[group]]\nname = \"审计组\"\nmembers = [\"旗审计局\"]\n";
    let part = reqwest::multipart::Part::bytes(directory.as_bytes().to_vec()).file_name("units.toml");
    let r = b
        .client
        .post(format!("{}/admin/units/import", b.base))
        .header("cookie", &b.cookie)
        .multipart(reqwest::multipart::Form::new().text("csrf", csrf.clone()).part("file", part))
        .send()
        .await
        .unwrap();
    let page = r.text().await.unwrap();
    assert!(page.contains("已导入"), "{page}");

    let r = app.get("/api/v1/admin/events?limit=1000").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let events = r.json.as_array().unwrap();
    let kinds: BTreeSet<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    let all: BTreeSet<&str> = [
        "unit.add",
        "unit.update",
        "unit.delete",
        "directory.import",
        "user.add",
        "user.update",
        "user.password",
        "user.deactivate",
        "rules.save",
        "rules.reset",
        "calendar.import",
    ]
    .into();
    assert_eq!(kinds, all);
    // Newest first; who and what.
    assert_eq!(events[0]["kind"], "directory.import");
    assert_eq!(events[0]["actor"], "admin（admin）");
    assert!(events[0]["data"]["after"]["directory"].to_string().contains("审计组"), "groups are in the log");
    let rename = events.iter().find(|e| e["kind"] == "unit.update").unwrap();
    assert_eq!(rename["actor"], "系统管理员（root）");
    assert_eq!(rename["data"]["before"]["name"], "旗文化旅游体育局");
    assert_eq!(rename["data"]["after"]["name"], "旗文旅体育局");
    let roles = events.iter().find(|e| e["kind"] == "user.update").unwrap();
    assert_eq!(roles["data"]["before"]["roles"], json!(["officer"]));
    assert_eq!(roles["data"]["after"]["roles"], json!(["officer", "unit_head"]));
    assert_eq!(roles["data"]["after"]["unit_id"], json!(unit));
    let reset = events.iter().find(|e| e["kind"] == "user.password").unwrap();
    assert!(reset["target"].as_str().unwrap().contains("liu"));
    // No password, and no password hash, anywhere in the log.
    let text = r.json.to_string();
    for secret in ["Shui-Secret-1", "Dong-Secret-22", "$argon2"] {
        assert!(!text.contains(secret), "{secret} in the log");
    }
    let chain = app.store.verify_admin_events().await.unwrap();
    assert_eq!((chain.events, chain.broken), (events.len() as u64, None));
    // The page section lists the same changes in Chinese.
    let (status, page) = b.get("/admin/log").await;
    assert_eq!(status, StatusCode::OK);
    for label in ["审计日志", "重设密码", "导入单位名录", "保存时限规则", "停用用户", "系统管理员（root）"]
    {
        assert!(page.contains(label), "{label} missing from the log page");
    }
}

#[tokio::test]
async fn only_administrators_read_the_audit_log() {
    let app = spawn_app().await;
    app.unit("旗发展和改革委员会").await;
    person(&app, "office", json!(["office"]), "Duchashi-pass-2026").await;
    person(&app, "officer", json!(["officer"]), "Jingban-pass-2026").await;
    for (who, password) in [("office", "Duchashi-pass-2026"), ("officer", "Jingban-pass-2026")] {
        let token = api_token(&app, who, password).await;
        let r = app.send("get", "/api/v1/admin/events", None, &[("authorization", &format!("Bearer {token}"))]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", r.json);
        assert_eq!(code(&r), "forbidden");
        let b = Browser::signed_in(&app, who, password).await;
        assert_eq!(b.get("/admin/log").await.0, StatusCode::FORBIDDEN, "{who}");
    }
    let r = app.send("get", "/api/v1/admin/events", None, &[("authorization", "")]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    for limit in [0, 1001] {
        let r = app.get(&format!("/api/v1/admin/events?limit={limit}")).await;
        assert_eq!((r.status, r.json["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("limit")));
    }
    let r = app.get("/api/v1/admin/events").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json.as_array().unwrap().len(), 3, "{}", r.json);
}
