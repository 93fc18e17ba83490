//! Rankings (issue 13 §2–§4) through the API and the pages: edited weights change the preview
//! before they are saved and the ranking after; an issued ranking is frozen (later changes to
//! the facts or the weights leave it as issued); a revision needs a reason and keeps both; the
//! .xlsx opens with the right rows; a unit's people read only their own unit's breakdown; a 涉密
//! task's title never appears in the breakdown of a viewer not named on it.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const Q1: &str = "profile=per-event&period=2026Q1";

fn total(r: &Value, unit: i64) -> String {
    r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["unit"] == unit)
        .map(|x| x["total"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

/// A person of a unit with a session, as a bearer token.
async fn person(app: &TestApp, username: &str, unit: i64, roles: Value) -> (i64, String) {
    app.person_signed_in(json!({"name": username, "username": username, "unit_id": unit, "roles": roles,
                                "email": format!("{username}@rank.example"), "phone": "13800000000"}))
        .await
}

async fn as_(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .get(format!("{}{path}", app.base))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let json: Value = r.json().await.unwrap();
    app.check_documented("get", path, status, &json);
    (status, json)
}

/// Two units, one task led by 甲 with 乙 cooperating, never done, due in the first quarter.
async fn world(app: &TestApp) -> (i64, i64) {
    let a = app.unit("旗发展和改革委员会").await;
    let b = app.unit("旗财政局").await;
    app.task(json!({"title": "甲任务", "lead": [{"unit": a}], "cooperating": [{"unit": b}], "deadline": "2026-03-20"}))
        .await;
    app.clock.set(bj("2026-04-10T09:00"));
    (a, b)
}

#[tokio::test]
async fn weights_change_the_preview_before_saving_and_the_ranking_after() {
    let app = spawn_app().await;
    let (a, b) = world(&app).await;
    let live = app.get(&format!("/api/v1/rankings?{Q1}")).await;
    assert_eq!(live.status, StatusCode::OK, "{}", live.json);
    // 甲: late −1, failed as lead −5; 乙: late −1, failed as cooperating unit −3.
    assert_eq!((total(&live.json, a), total(&live.json, b)), ("-6".into(), "-4".into()));

    let list = app.get("/api/v1/scoring").await;
    assert!(list.json.as_array().unwrap().iter().any(|p| p["name"] == "per-event" && p["builtin"] == true));
    let one = app.get("/api/v1/scoring/per-event").await;
    assert!(one.json["lines"].as_array().unwrap().iter().any(|l| l["id"] == "failed-lead" && l["weight"] == "1"));

    let preview =
        app.post("/api/v1/scoring/per-event/preview", json!({"weights": {"failed-lead": 2}, "period": "2026Q1"})).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.json);
    assert_eq!(total(&preview.json, a), "-11");
    // Nothing saved yet.
    assert_eq!(total(&app.get(&format!("/api/v1/rankings?{Q1}")).await.json, a), "-6");
    let bad = app.post("/api/v1/scoring/per-event/preview", json!({"weights": {"nope": 2}})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let saved = app.send("put", "/api/v1/scoring/per-event", Some(json!({"weights": {"failed-lead": 2}})), &[]).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.json);
    assert_eq!(saved.json["saved"], true);
    assert_eq!(total(&app.get(&format!("/api/v1/rankings?{Q1}")).await.json, a), "-11");
    // The admin trail has the TOML before and after.
    let trail = app.duban.admin().events(&duban_app::actor::Actor::command_line(), None, 50).await.unwrap();
    let e = trail.iter().find(|e| e.fields.kind == duban_store::admin_kind::SCORING_SAVE).unwrap();
    assert!(e.fields.data["before"].as_str().unwrap().contains("failed-lead"));
    assert!(e.fields.data["after"].as_str().unwrap().contains("weight = \"2\""), "{}", e.fields.data);

    let reset = app.send("put", "/api/v1/scoring/per-event", Some(json!({"reset": true})), &[]).await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.json);
    assert_eq!(total(&app.get(&format!("/api/v1/rankings?{Q1}")).await.json, a), "-6");
}

#[tokio::test]
async fn an_issued_ranking_is_frozen_and_a_revision_needs_a_reason_and_keeps_both() {
    frozen(spawn_app().await).await;
}

#[tokio::test]
async fn an_issued_ranking_is_frozen_on_postgres() {
    let Some(app) = spawn_app_on_postgres().await else { return };
    frozen(app).await;
}

async fn frozen(app: TestApp) {
    let (a, _) = world(&app).await;
    // A period not yet over cannot be issued.
    let open = app.post("/api/v1/rankings/issued", json!({"profile": "per-event", "period": "2026Q2"})).await;
    assert_eq!(open.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", open.json);

    let first = app.post("/api/v1/rankings/issued", json!({"profile": "per-event", "period": "2026Q1"})).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json);
    assert_eq!((first.json["revision"].as_i64(), first.json["supersedes"].clone()), (Some(1), Value::Null));
    let id1 = first.json["id"].as_i64().unwrap();
    assert_eq!(total(&first.json["ranking"], a), "-6");

    // The office excuses 甲's late completion (容错): the live ranking changes, the issued one not.
    let lines = app.get(&format!("/api/v1/rankings/units/{a}?{Q1}")).await;
    assert_eq!(lines.status, StatusCode::OK, "{}", lines.json);
    let fact = lines.json["lines"].as_array().unwrap().iter().find(|l| l["line"] == "late").unwrap()["fact"]
        .as_str()
        .unwrap()
        .to_string();
    let no_reason = app.post("/api/v1/assessment/facts/tolerance", json!({"fact": fact})).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = app.post("/api/v1/assessment/facts/tolerance", json!({"fact": fact, "reason": "疫情封控"})).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.json);
    assert_eq!(total(&app.get(&format!("/api/v1/rankings?{Q1}")).await.json, a), "0");
    // The weights change too: still the issued copy is as it was.
    let saved = app.send("put", "/api/v1/scoring/per-event", Some(json!({"weights": {"late": 3}})), &[]).await;
    assert_eq!(saved.status, StatusCode::OK);
    let again = app.get(&format!("/api/v1/rankings/issued/{id1}")).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(total(&again.json["ranking"], a), "-6");
    assert!(again.json["profile_toml"].as_str().unwrap().contains("name = \"per-event\""));

    // Issuing the same period again is a revision: without a reason it is refused.
    let silent = app.post("/api/v1/rankings/issued", json!({"profile": "per-event", "period": "2026Q1"})).await;
    assert_eq!(silent.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", silent.json);
    let rev = app
        .post("/api/v1/rankings/issued", json!({"profile": "per-event", "period": "2026Q1", "reason": "容错更正"}))
        .await;
    assert_eq!(rev.status, StatusCode::CREATED, "{}", rev.json);
    assert_eq!((rev.json["revision"].as_i64(), rev.json["supersedes"].as_i64()), (Some(2), Some(id1)));
    assert_eq!(total(&rev.json["ranking"], a), "0");
    let list = app.get("/api/v1/rankings/issued?profile=per-event&period=2026Q1").await;
    let revisions: Vec<i64> = list.json.as_array().unwrap().iter().map(|x| x["revision"].as_i64().unwrap()).collect();
    assert_eq!(revisions, vec![2, 1]);
    assert_eq!(total(&app.get(&format!("/api/v1/rankings/issued/{id1}")).await.json["ranking"], a), "-6");
    let trail = app.duban.admin().events(&duban_app::actor::Actor::command_line(), None, 50).await.unwrap();
    assert_eq!(trail.iter().filter(|e| e.fields.kind == duban_store::admin_kind::RANKING_ISSUE).count(), 2);

    // The pages show the frozen copy and the revision history.
    let cookie = format!("duban_session=root-session-{}", std::process::id());
    let page = reqwest::Client::new()
        .get(format!("{}/rankings/issued/{id1}", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("第 1 版") && html.contains("第 2 版") && html.contains("容错更正"), "{html}");
    // The next quarter's trend takes the first quarter from its latest issued revision.
    let page = reqwest::Client::new()
        .get(format!("{}/rankings?profile=per-event&period=2026Q2", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("2026年第一季度（已发布）"), "{html}");
}

#[tokio::test]
async fn the_workbook_opens_with_a_row_per_unit() {
    use calamine::{Data, Reader, Xlsx};
    let app = spawn_app().await;
    let (_, _) = world(&app).await;
    let cookie = format!("duban_session=root-session-{}", std::process::id());
    let r = reqwest::Client::new()
        .get(format!("{}/rankings.xlsx?{Q1}", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut wb = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range("考核排名").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| if let Data::Empty = c { String::new() } else { c.to_string() }).collect())
        .collect();
    assert_eq!(rows[0][0], "逐项加减分");
    assert!(rows[1][0].contains("2026年第一季度"));
    let head = &rows[2];
    assert_eq!(&head[..4], &["排名", "单位", "分类", "总分"]);
    assert!(head.contains(&"未完成（牵头单位）".to_string()));
    assert_eq!(&head[head.len() - 2..], &["是否入选先进", "通报次数"]);
    let by_name = |n: &str| rows.iter().skip(3).find(|r| r[1] == n).cloned().unwrap();
    assert_eq!(by_name("旗发展和改革委员会")[3], "-6");
    assert_eq!(by_name("旗财政局")[3], "-4");
    assert_eq!(by_name("旗财政局")[0], "1");
    assert_eq!(rows.len(), 3 + 2);
}

#[tokio::test]
async fn a_unit_reads_only_its_own_breakdown_and_never_a_secret_title_it_is_not_named_on() {
    let app = spawn_app().await;
    let a = app.unit("旗发展和改革委员会").await;
    let b = app.unit("旗财政局").await;
    let (_, officer_a) = person(&app, "officer_a", a, json!(["officer"])).await;
    let (named_id, named_a) = person(&app, "named_a", a, json!(["officer"])).await;
    let (_, officer_b) = person(&app, "officer_b", b, json!(["officer"])).await;
    let input: duban_domain::task::TaskInput = serde_json::from_value(json!({
        "title": "涉密任务ZQRANKSECRET", "lead": [{"unit": a}], "classification": "涉密",
        "responsible_person_id": named_id, "deadline": "2026-03-20",
    }))
    .unwrap();
    app.duban.tasks().create_task(input, None).await.unwrap();
    app.task(json!({"title": "公开任务ZQRANKOPEN", "lead": [{"unit": a}], "deadline": "2026-03-25"})).await;
    app.clock.set(bj("2026-04-10T09:00"));

    let path = format!("/api/v1/rankings/units/{a}?{Q1}");
    // Everyone signed in reads the ranking table.
    assert_eq!(as_(&app, &officer_b, &format!("/api/v1/rankings?{Q1}")).await.0, StatusCode::OK);
    // Another unit's officer may not read 甲's breakdown.
    let (s, body) = as_(&app, &officer_b, &path).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    // 甲's officer, not named on the 涉密 task, sees it masked; the named officer sees its title.
    let (s, body) = as_(&app, &officer_a, &path).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let text = body.to_string();
    assert!(!text.contains("ZQRANKSECRET") && text.contains("涉密事项") && text.contains("ZQRANKOPEN"), "{text}");
    let (_, body) = as_(&app, &named_a, &path).await;
    assert!(body.to_string().contains("ZQRANKSECRET"));
    // The office (not named) reads any unit's breakdown, the 涉密 title still masked.
    let office = app.get(&path).await;
    assert_eq!(office.status, StatusCode::OK);
    assert!(!office.json.to_string().contains("ZQRANKSECRET"));
    // The same on the page.
    for (token, status, secret) in [
        (&officer_a, StatusCode::OK, false),
        (&officer_b, StatusCode::FORBIDDEN, false),
        (&named_a, StatusCode::OK, true),
    ] {
        let r = reqwest::Client::new()
            .get(format!("{}/rankings/units/{a}?{Q1}", app.base))
            .header("cookie", format!("duban_session={token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status);
        let html = r.text().await.unwrap();
        assert_eq!(html.contains("ZQRANKSECRET"), secret);
        if status == StatusCode::OK {
            assert!(html.contains("/objections/new?fact="), "the unit may object to a line");
        }
    }
    // Only the office saves weights or issues.
    let r = reqwest::Client::new()
        .put(format!("{}/api/v1/scoring/per-event", app.base))
        .header("authorization", format!("Bearer {officer_a}"))
        .json(&json!({"weights": {"late": 2}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

/// A form posted to a page as the office (the root session), redirects not followed.
async fn form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
    let mut all = vec![("csrf", "root-csrf")];
    all.extend_from_slice(fields);
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}{path}", app.base))
        .header("cookie", format!("duban_session=root-session-{}", std::process::id()))
        .form(&all)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let location = r.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    (status, location, r.text().await.unwrap())
}

#[tokio::test]
async fn the_scoring_page_previews_edited_weights_before_saving_and_the_office_excuses_a_line() {
    let app = spawn_app().await;
    let (a, _) = world(&app).await;
    let fields = [("profile", "per-event"), ("period", "2026Q1"), ("w.failed-lead", "2"), ("w.late", "1")];
    let (s, _, html) = form(&app, "/scoring", &[&fields[..], &[("action", "preview")]].concat()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("尚未保存") && html.contains("-11"), "{html}");
    assert_eq!(total(&app.get(&format!("/api/v1/rankings?{Q1}")).await.json, a), "-6", "a preview saves nothing");
    let (s, _, html) = form(
        &app,
        "/scoring",
        &[("profile", "per-event"), ("period", "2026Q1"), ("w.late", "x"), ("action", "preview")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("不是数字"), "{html}");
    let (s, location, _) = form(&app, "/scoring", &[&fields[..], &[("action", "save")]].concat()).await;
    assert_eq!((s, location.starts_with("/scoring?")), (StatusCode::SEE_OTHER, true));
    assert_eq!(total(&app.get(&format!("/api/v1/rankings?{Q1}")).await.json, a), "-11");
    let (s, _, _) =
        form(&app, "/scoring", &[("profile", "per-event"), ("period", "2026Q1"), ("action", "reset")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(total(&app.get(&format!("/api/v1/rankings?{Q1}")).await.json, a), "-6");

    // 容错 from the breakdown page: the line counts nothing, then the excuse is withdrawn.
    let lines = app.get(&format!("/api/v1/rankings/units/{a}?{Q1}")).await;
    let fact = lines.json["lines"].as_array().unwrap().iter().find(|l| l["line"] == "failed-lead").unwrap()["fact"]
        .as_str()
        .unwrap()
        .to_string();
    let unit = a.to_string();
    let base = [("fact", fact.as_str()), ("unit", unit.as_str()), ("profile", "per-event"), ("period", "2026Q1")];
    let (s, location, _) = form(&app, "/rankings/tolerance", &[&base[..], &[("reason", "暴雨停工")]].concat()).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(location.starts_with(&format!("/rankings/units/{a}?")), "{location}");
    assert_eq!(total(&app.get(&format!("/api/v1/rankings?{Q1}")).await.json, a), "0");
    let (s, _, _) = form(&app, "/rankings/tolerance", &[&base[..], &[("withdraw", "1")]].concat()).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(total(&app.get(&format!("/api/v1/rankings?{Q1}")).await.json, a), "-6");
    // A form without the session's token changes nothing.
    let r = reqwest::Client::new()
        .post(format!("{}/rankings/tolerance", app.base))
        .header("cookie", format!("duban_session=root-session-{}", std::process::id()))
        .form(&[("csrf", "wrong"), ("fact", fact.as_str()), ("unit", unit.as_str()), ("reason", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

/// Every body the API takes is an object: an array is refused (serde would read it as the
/// struct's fields in order), with the usual error shape.
#[tokio::test]
async fn a_body_that_is_an_array_is_refused() {
    let app = spawn_app().await;
    let r = app.post("/api/v1/scoring/per-event/preview", json!([{}])).await;
    assert_eq!((r.status, code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"), "{}", r.json);
    assert_eq!(r.json["error"]["field"], "body");
    let r = app.post("/api/v1/scoring/per-event/preview", json!({"weights": {}, "period": "2026Q1"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
}
