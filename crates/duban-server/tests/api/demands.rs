//! Enterprise demands (issue 14 §5): an online demand waits in the office's queue, is assigned,
//! contacted and resolved on the 1/3 working-day clock (from the assignment, over a weekend),
//! closed by the usual feedback and review, visited and rated once on the public page; the
//! public intake is limited per address and in size, checks the credit code, and answers a
//! wrong code exactly as a missing one; the office records hotline demands and a liaison
//! raises one from a visit; a unit sees only the demands whose tasks it may see.

use crate::helpers::*;
use duban_domain::clock::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn act(app: &TestApp, task: i64, actor: i64, body: Value) -> Reply {
    let t = app.get(&format!("/api/v1/tasks/{task}")).await.json;
    let mut body = body;
    body["version"] = t["version"].clone();
    body["actor"] = json!(actor);
    app.post(&format!("/api/v1/tasks/{task}/actions"), body).await
}

/// A request with a person's bearer token, checked against the OpenAPI document.
async fn as_(app: &TestApp, token: &str, method: &str, path: &str, body: Option<Value>) -> Reply {
    let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let mut req = reqwest::Client::new().request(m, format!("{}{path}", app.base)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let json: Value = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() };
    app.check_documented(method, path, status, &json);
    Reply { status, headers, json }
}

/// A request with no account at all.
async fn anon(app: &TestApp, method: &str, path: &str, body: Option<Value>) -> Reply {
    let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let mut req = reqwest::Client::new().request(m, format!("{}{path}", app.base));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let json: Value = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() };
    app.check_documented(method, path, status, &json);
    Reply { status, headers, json }
}

fn online(name: &str) -> Value {
    json!({"enterprise_name": name, "contact_name": "王经理", "contact_phone": "0475-1234567",
           "kind": "factors", "text": "厂区用电扩容申请迟迟未批，请协调。"})
}

fn stage<'a>(task: &'a Value, name: &str) -> &'a Value {
    task["stages"].as_array().unwrap().iter().find(|s| s["stage"] == name).unwrap_or_else(|| panic!("{task:#}"))
}

async fn the_whole_loop(app: TestApp) {
    let a = app.unit("诉求甲局").await;
    let (officer, _) = app
        .person_signed_in(json!({"name": "甲局经办人", "username": "officer_d", "unit_id": a, "roles": ["officer"]}))
        .await;
    // Friday 2026-03-06 afternoon: an enterprise submits online, without an account.
    app.clock.set(bj("2026-03-06T14:00"));
    let r = anon(&app, "post", "/api/v1/public/demands", Some(online("奈曼某农牧业公司"))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let code = r.json["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 39, "32 characters in groups of four: {code}");
    assert_eq!(r.json.as_object().unwrap().len(), 2, "only the code and the time: {}", r.json);
    let path = format!("/api/v1/public/demands/{code}");
    let p = anon(&app, "get", &path, None).await;
    assert_eq!((p.status, p.json["status"].as_str()), (StatusCode::OK, Some("已收到，待分派承办单位")));
    assert_eq!(p.json["may_rate"], false);
    // The office's queue; 分派 at 15:00, from when the 1-day clock runs.
    let q = app.get("/api/v1/demands/queue").await.json;
    assert_eq!(q.as_array().unwrap().len(), 1, "{q}");
    let id = q[0]["id"].as_i64().unwrap();
    assert!(q[0].get("code_hash").is_none(), "the hash is never sent: {q}");
    let listed = app.get("/api/v1/demands?status=queued").await.json;
    assert_eq!(listed["total"], 1);
    app.clock.set(bj("2026-03-06T15:00"));
    let r = app.post(&format!("/api/v1/demands/{id}/assignment"), json!({"lead": [{"unit": a}]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let task = &r.json["task"];
    let tid = task["id"].as_i64().unwrap();
    assert_eq!((task["source"].as_str(), task["status"].as_str()), (Some("enterprise"), Some("assigned")));
    // Over the weekend: contact by Monday 03-09, solve or confirm by Wednesday 03-11 (17:30).
    let d = app.get(&format!("/api/v1/demands/{id}")).await.json;
    let t = d["task"].clone();
    assert_eq!(stage(&t, "contact")["due"], "2026-03-09");
    assert_eq!(stage(&t, "contact")["clause"], "001 §13");
    assert_eq!(stage(&t, "resolve")["due"], "2026-03-11");
    assert_eq!(stage(&t, "resolve")["duration_text"].as_str().map(|s| s.contains('3')), Some(true));
    let again = app.post(&format!("/api/v1/demands/{id}/assignment"), json!({"lead": [{"unit": a}]})).await;
    assert_eq!((again.status, code_of(&again)), (StatusCode::CONFLICT, "conflict"));
    // The unit contacts the enterprise on Monday (a plain 签收 is refused) — on time.
    app.clock.set(bj("2026-03-09T10:00"));
    let r = act(&app, tid, officer, json!({"action": "sign"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.json);
    let r = act(&app, tid, officer, json!({"action": "contact", "text": "电话联系王经理，约定次日上门"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    // Not yet resolved: no rating, no return visit.
    let r = anon(&app, "post", &format!("{path}/rating"), Some(json!({"satisfaction": "satisfied"}))).await;
    assert_eq!((r.status, code_of(&r)), (StatusCode::CONFLICT, "conflict"));
    let r = app.post(&format!("/api/v1/demands/{id}/return-visit"), json!({"text": "回访"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.json);
    // Red after Wednesday's close of business; resolved on Thursday — late.
    app.clock.set(bj("2026-03-12T09:00"));
    let red = app.get("/api/v1/demands?light=red").await.json;
    assert_eq!(red["total"], 1, "{red}");
    assert_eq!(app.get("/api/v1/demands?light=green").await.json["total"], 0);
    let r = act(&app, tid, officer, json!({"action": "resolve", "text": "已协调供电公司完成扩容"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let t = app.get(&format!("/api/v1/demands/{id}")).await.json["task"].clone();
    assert_eq!(stage(&t, "contact")["state"], "met");
    assert_eq!(stage(&t, "resolve")["state"], "late");
    // The usual closing: feedback with evidence, the office's approval.
    let file = app.attach(&json!({"id": tid}), "扩容批复.pdf", b"%PDF-1.4").await;
    let r = act(&app, tid, officer, json!({"action": "feedback", "text": "已办结", "evidence": [file]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    // The public page: plain words and dates, nothing internal.
    let p = anon(&app, "get", &path, None).await;
    let body = p.json.to_string();
    assert_eq!(p.json["may_rate"], true);
    for internal in ["甲局经办人", "王经理", "电话联系", "扩容批复", "诉求甲局", "officer"] {
        assert!(!body.contains(internal), "{internal} on the public page: {body}");
    }
    let steps: Vec<&str> = p.json["steps"].as_array().unwrap().iter().map(|s| s["text"].as_str().unwrap()).collect();
    assert_eq!(steps, ["诉求已提交", "已分派承办单位", "承办单位已与企业取得联系", "诉求已解决或确认服务"]);
    // The office's return visit, then the enterprise's rating — once.
    let r = app
        .post(
            &format!("/api/v1/demands/{id}/return-visit"),
            json!({"text": "电话回访，企业认可", "satisfaction": "满意"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let r = anon(&app, "post", &format!("{path}/rating"), Some(json!({"satisfaction": "很好"}))).await;
    assert_eq!((r.status, code_of(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
    let r =
        anon(&app, "post", &format!("{path}/rating"), Some(json!({"satisfaction": "satisfied", "comment": "响应快"})))
            .await;
    assert_eq!((r.status, r.json["rating"].as_str()), (StatusCode::OK, Some("satisfied")), "{}", r.json);
    let r = anon(&app, "post", &format!("{path}/rating"), Some(json!({"satisfaction": "unsatisfied"}))).await;
    assert_eq!((r.status, code_of(&r)), (StatusCode::CONFLICT, "conflict"));
    assert!(r.json["error"]["message"].as_str().unwrap().contains("已评价"));
    let d = app.get(&format!("/api/v1/demands/{id}")).await.json;
    assert_eq!(
        (d["demand"]["rating"]["satisfaction"].as_str(), d["demand"]["return_visit"]["satisfaction"].as_str()),
        (Some("satisfied"), Some("satisfied"))
    );
}

fn code_of(r: &Reply) -> &str {
    code(r)
}

#[tokio::test]
async fn an_online_demand_is_assigned_contacted_resolved_and_rated_once_on_sqlite() {
    the_whole_loop(spawn_app().await).await;
}

#[tokio::test]
async fn an_online_demand_is_assigned_contacted_resolved_and_rated_once_on_postgres() {
    let Some(app) = spawn_app_on_postgres().await else { return };
    the_whole_loop(app).await;
}

#[tokio::test]
async fn the_public_intake_is_checked_limited_and_isolated() {
    let app = spawn_app().await;
    // Checked: a credit code with a wrong check digit, missing fields, unknown fields.
    let mut bad = online("甲公司");
    bad["credit_code"] = json!("91150526MA0N000000");
    let r = anon(&app, "post", "/api/v1/public/demands", Some(bad)).await;
    assert_eq!((r.status, code_of(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"), "{}", r.json);
    assert_eq!(r.json["error"]["field"], "credit_code");
    assert!(r.json["error"]["message"].as_str().unwrap().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    let mut sneaky = online("甲公司");
    sneaky["channel"] = json!("hotline_12345");
    let r = anon(&app, "post", "/api/v1/public/demands", Some(sneaky)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the public form names no channel: {}", r.json);
    // A body over the limit is refused before it is read.
    let mut huge = online("甲公司");
    huge["text"] = json!("字".repeat(20_000));
    let resp =
        reqwest::Client::new().post(format!("{}/api/v1/public/demands", app.base)).json(&huge).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Two enterprises, two codes: each reads only its own; a wrong or malformed code is the same 404.
    let one = anon(&app, "post", "/api/v1/public/demands", Some(online("甲公司"))).await.json["code"].clone();
    let two = anon(&app, "post", "/api/v1/public/demands", Some(online("乙公司"))).await.json["code"].clone();
    let (one, two) = (one.as_str().unwrap(), two.as_str().unwrap());
    assert_ne!(one, two);
    let mine = anon(&app, "get", &format!("/api/v1/public/demands/{one}"), None).await;
    assert_eq!(mine.json["enterprise_name"], "甲公司");
    assert_eq!(
        anon(&app, "get", &format!("/api/v1/public/demands/{two}"), None).await.json["enterprise_name"],
        "乙公司"
    );
    // The same code typed in lower case without dashes reads the same demand.
    let typed = one.replace('-', "").to_lowercase();
    assert_eq!(anon(&app, "get", &format!("/api/v1/public/demands/{typed}"), None).await.status, StatusCode::OK);
    let mut wrong = one.to_string();
    let last = if wrong.ends_with('0') { "1" } else { "0" };
    wrong.replace_range(wrong.len() - 1.., last);
    let missing = anon(&app, "get", &format!("/api/v1/public/demands/{wrong}"), None).await;
    let malformed = anon(&app, "get", "/api/v1/public/demands/abc", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        (missing.status, &missing.json),
        (malformed.status, &malformed.json),
        "a wrong code reads as a missing one"
    );
    let r = anon(
        &app,
        "post",
        &format!("/api/v1/public/demands/{wrong}/rating"),
        Some(json!({"satisfaction": "satisfied"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Rate limits per address: 5 submissions an hour, refused ones counted (3 made: the bad
    // code, 甲, 乙; the unknown field and the body over the limit never reached the intake), one
    // back every 12 minutes.
    for _ in 0..2 {
        assert_eq!(
            anon(&app, "post", "/api/v1/public/demands", Some(online("丙公司"))).await.status,
            StatusCode::CREATED
        );
    }
    let r = anon(&app, "post", "/api/v1/public/demands", Some(online("丙公司"))).await;
    assert_eq!((r.status, code_of(&r)), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"), "{}", r.json);
    assert!(r.json["error"]["message"].as_str().unwrap().contains("提交过于频繁"));
    assert!(r.headers.get("retry-after").is_some());
    app.clock.set(app.clock.now() + jiff::SignedDuration::from_mins(12));
    assert_eq!(anon(&app, "post", "/api/v1/public/demands", Some(online("丙公司"))).await.status, StatusCode::CREATED);
    // Look-ups: 30 a minute (those above were made 12 minutes ago).
    let mut refused = None;
    for i in 0..40 {
        let r = anon(&app, "get", &format!("/api/v1/public/demands/{one}"), None).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(i);
            break;
        }
    }
    assert_eq!(refused, Some(30), "the 31st look-up in the minute is refused");
    // Nothing of the office's API is reachable without an account.
    assert_eq!(anon(&app, "get", "/api/v1/demands", None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anon(&app, "get", "/api/v1/demands/queue", None).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_office_records_hotline_demands_a_liaison_raises_one_and_units_see_their_own() {
    let app = spawn_app().await;
    let a = app.unit("诉求甲局").await;
    let b = app.unit("诉求乙局").await;
    let (_, token_b) = app
        .person_signed_in(json!({"name": "乙局经办人", "username": "officer_db", "unit_id": b, "roles": ["officer"]}))
        .await;
    let hotline = json!({"demand": {"enterprise_name": "甲公司", "contact_name": "李", "contact_phone": "13800000000",
        "channel": "12345热线", "reference": "12345-2026-0001", "kind": "policy", "text": "咨询稳岗补贴"},
        "assign": {"lead": [{"unit": a}], "hard": true}});
    let r = app.post("/api/v1/demands", hotline.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert!(r.json["code"].as_str().is_some_and(|c| c.len() == 39));
    assert_eq!(r.json["demand"]["channel"], "hotline_12345");
    let first = r.json["demand"]["id"].as_i64().unwrap();
    // A hard case: 30 working days to solve.
    assert_eq!(stage(&r.json["task"], "resolve")["rule_id"], "whistle-hard");
    let ledger = r.json["task"]["ledger_id"].as_i64().unwrap();
    assert_eq!(app.get(&format!("/api/v1/ledgers/{ledger}")).await.json["name"], "企业诉求台账");
    // An officer records no hotline demand, but raises one found on a visit, in one step.
    let r = as_(&app, &token_b, "post", "/api/v1/demands", Some(hotline)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let visit = json!({"demand": {"enterprise_name": "乙公司", "contact_name": "赵", "contact_phone": "13900000000",
        "channel": "visit", "reference": "visit:7", "kind": "labour", "text": "招工难"},
        "assign": {"lead": [{"unit": b}]}});
    let r = as_(&app, &token_b, "post", "/api/v1/demands", Some(visit)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(
        (r.json["demand"]["channel"].as_str(), r.json["demand"]["reference"].as_str()),
        (Some("visit"), Some("visit:7"))
    );
    let second = r.json["demand"]["id"].as_i64().unwrap();
    // Online demands are the enterprise's to submit.
    let mut online_by_office = json!({"demand": online("丙公司"), "assign": {"lead": [{"unit": a}]}});
    online_by_office["demand"]["channel"] = json!("online");
    assert_eq!(app.post("/api/v1/demands", online_by_office).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The office's filters.
    let ids = |v: &Value| {
        v["items"].as_array().unwrap().iter().map(|d| d["demand"]["id"].as_i64().unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&app.get("/api/v1/demands").await.json), vec![second, first]);
    assert_eq!(ids(&app.get("/api/v1/demands?channel=hotline_12345").await.json), vec![first]);
    assert_eq!(ids(&app.get("/api/v1/demands?kind=labour").await.json), vec![second]);
    assert_eq!(ids(&app.get(&format!("/api/v1/demands?unit={a}")).await.json), vec![first]);
    assert_eq!(ids(&app.get("/api/v1/demands?status=assigned&per_page=1&page=2").await.json), vec![first]);
    let r = app.get("/api/v1/demands?page=2147483648").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    for bad in ["0", "201", "2147483648"] {
        let r = app.get(&format!("/api/v1/demands?per_page={bad}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "per_page={bad}: {}", r.json);
    }
    let r = app.get("/api/v1/demands?channel=wechat").await;
    assert_eq!((r.status, code_of(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
    // A unit sees the demands whose tasks it may see; another's reads as missing.
    let theirs = as_(&app, &token_b, "get", "/api/v1/demands", None).await.json;
    assert_eq!(ids(&theirs), vec![second]);
    let r = as_(&app, &token_b, "get", &format!("/api/v1/demands/{first}"), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = as_(&app, &token_b, "get", "/api/v1/demands/queue", None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = as_(&app, &token_b, "post", &format!("/api/v1/demands/{second}/return-visit"), Some(json!({"text": "x"})))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// The public pages: the form's token must match its cookie (nothing is kept without it); with
/// it the code is shown once; a wrong code gets the same page as a malformed one.
#[tokio::test]
async fn the_public_form_needs_its_token_and_a_wrong_code_reads_as_missing() {
    let app = spawn_app().await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = client.get(format!("{}/public/demands/new", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("duban_public_form=").map(|v| v.split(';').next().unwrap().to_string()))
        .unwrap();
    let page = r.text().await.unwrap();
    let token = crate::web::hidden(&page, "csrf");
    assert_eq!(token, cookie);
    let form = |csrf: &str| {
        vec![
            ("csrf", csrf.to_string()),
            ("enterprise_name", "甲公司".to_string()),
            ("contact_name", "王".to_string()),
            ("contact_phone", "13800000000".to_string()),
            ("kind", "policy".to_string()),
            ("text", "咨询政策".to_string()),
        ]
    };
    let post = |csrf: String, cookie: Option<String>| {
        let mut req = client.post(format!("{}/public/demands", app.base)).form(&form(&csrf));
        if let Some(c) = cookie {
            req = req.header("cookie", format!("duban_public_form={c}"));
        }
        req.send()
    };
    // Without the cookie, or with another token: refused, nothing kept.
    assert_eq!(post(token.clone(), None).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(post("forged".into(), Some(cookie.clone())).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/demands").await.json["total"], 0);
    let r = post(token, Some(cookie)).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let page = r.text().await.unwrap();
    assert!(page.contains("请记下查询码"), "{page}");
    assert_eq!(app.get("/api/v1/demands?status=queued").await.json["total"], 1);
    let wrong = client.get(format!("{}/public/demands/{}", app.base, "0".repeat(32))).send().await.unwrap();
    let malformed = client.get(format!("{}/public/demands/x", app.base)).send().await.unwrap();
    assert_eq!((wrong.status(), malformed.status()), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(wrong.text().await.unwrap(), malformed.text().await.unwrap());
}
