//! Objections, leaders' evaluations and the document-error ledger (issue 13 §1, §3): an upheld
//! objection makes its line count nothing — the unit's total moves by exactly that line's
//! points — and is in the administrative log with its decision and effect; a rejected one
//! changes nothing; only the fact's own unit objects, only the office decides; a leader
//! evaluates only the units in their charge; evaluations and document errors are facts in the
//! tallies until withdrawn.

use crate::helpers::*;
use duban_domain::assessment::{Indicator, PartyRole, Points, ScoringProfile, Span};
use duban_domain::ids::UnitId;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A person with a session, and a client that calls the API as them.
struct As {
    id: i64,
    token: String,
    client: reqwest::Client,
}

async fn person(app: &TestApp, username: &str, unit: i64, roles: Value, charge: Value) -> As {
    let (id, token) = app
        .person_signed_in(json!({"name": format!("评审{username}"), "username": username, "unit_id": unit,
                                 "roles": roles, "charge_units": charge}))
        .await;
    let client = reqwest::Client::builder()
        .default_headers(reqwest::header::HeaderMap::from_iter([(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        )]))
        .build()
        .unwrap();
    As { id, token, client }
}

impl As {
    async fn send(&self, app: &TestApp, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(m, format!("{}{}", app.base, path));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

struct World {
    a: i64,
    b: i64,
    officer_a: As,
    officer_b: As,
    leader_a: As,
    q1: Span,
    profile: ScoringProfile,
}

/// Units A and B, a task of A's done never (late after 2026-03-20), and the clock after the
/// quarter.
async fn world(app: &TestApp) -> World {
    let a = app.unit("评审甲局").await;
    let b = app.unit("评审乙局").await;
    let gov = app.unit("评审政府办").await;
    app.task(
        json!({"title": "评审任务", "lead": [{"unit": a}], "cooperating": [{"unit": b}], "deadline": "2026-03-20"}),
    )
    .await;
    let officer_a = person(app, "officer_a", a, json!(["officer"]), json!([])).await;
    let officer_b = person(app, "officer_b", b, json!(["officer"]), json!([])).await;
    let leader_a = person(app, "leader_a", gov, json!(["leader"]), json!([a])).await;
    app.clock.set(bj("2026-04-10T09:00"));
    World {
        a,
        b,
        officer_a,
        officer_b,
        leader_a,
        q1: Span::parse("2026Q1").unwrap(),
        profile: ScoringProfile::builtin("per-event").unwrap(),
    }
}

/// The key of a unit's late completion in the quarter.
async fn late_key(app: &TestApp, w: &World, unit: i64) -> String {
    let s = app.duban.assessment();
    s.refresh().await.unwrap();
    let lines = s.fact_lines(UnitId(unit), &w.q1, s.as_of(&w.q1)).await.unwrap();
    lines.iter().find(|l| l.indicator == Indicator::DoneLate).expect("a late completion").key.clone()
}

async fn total(app: &TestApp, w: &World, unit: i64) -> Points {
    let r = app.duban.assessment().ranking(&w.profile, w.q1).await.unwrap();
    r.row(UnitId(unit)).unwrap().total
}

#[tokio::test]
async fn an_upheld_objection_voids_exactly_its_line_and_is_in_the_log() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let key = late_key(&app, &w, w.a).await;
    // The points of the line (and its overdue days) in A's breakdown.
    let (_, lines) = app.duban.assessment().explain(&w.profile, w.q1, UnitId(w.a)).await.unwrap();
    let line_points: Points = lines
        .iter()
        .filter(|l| l.fact.as_deref().is_some_and(|f| f == key || f == format!("{key}:d")))
        .map(|l| l.points)
        .sum();
    assert_ne!(line_points, Points::ZERO);
    let before = total(&app, &w, w.a).await;

    // Another unit's officer may not object to A's line; it does not exist for them.
    let body = json!({"fact": key, "profile": "per-event", "period": "2026Q1", "reason": "不是我们的"});
    let (st, _) = w.officer_b.send(&app, "POST", "/api/v1/objections", Some(body)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Nor A's leader (not a unit officer or head of A).
    let body = json!({"fact": key, "profile": "per-event", "period": "2026Q1", "reason": "代为申诉"});
    let (st, _) = w.leader_a.send(&app, "POST", "/api/v1/objections", Some(body)).await;
    assert!(st == StatusCode::FORBIDDEN || st == StatusCode::NOT_FOUND, "{st}");
    // A reason is required.
    let body = json!({"fact": key, "profile": "per-event", "period": "2026Q1", "reason": "  "});
    let (st, _) = w.officer_a.send(&app, "POST", "/api/v1/objections", Some(body)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);

    let body = json!({"fact": key, "profile": "per-event", "period": "2026Q1", "reason": "3月18日已办结，系统漏记"});
    let (st, o) = w.officer_a.send(&app, "POST", "/api/v1/objections", Some(body.clone())).await;
    assert_eq!(st, StatusCode::CREATED, "{o}");
    app.check_documented("post", "/api/v1/objections", st, &o);
    assert_eq!(o["status"], "filed");
    assert_eq!(o["fact"]["task"]["title"], "评审任务");
    let id = o["id"].as_i64().unwrap();
    // One open objection per fact.
    let (st, _) = w.officer_a.send(&app, "POST", "/api/v1/objections", Some(body)).await;
    assert_eq!(st, StatusCode::CONFLICT);
    // A sees its own; B sees none.
    let (_, mine) = w.officer_a.send(&app, "GET", "/api/v1/objections", None).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let (_, theirs) = w.officer_b.send(&app, "GET", "/api/v1/objections", None).await;
    assert_eq!(theirs.as_array().unwrap().len(), 0);
    let (st, _) = w.officer_b.send(&app, "GET", &format!("/api/v1/objections/{id}"), None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // An officer cannot decide.
    let decision = json!({"upheld": true, "decision": "经核实，3月18日已办结"});
    let (st, _) =
        w.officer_a.send(&app, "POST", &format!("/api/v1/objections/{id}/decision"), Some(decision.clone())).await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    // The office upholds it.
    let r = app.post(&format!("/api/v1/objections/{id}/decision"), decision.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["status"], "upheld");
    assert_eq!(r.json["effect"], "recount");
    let after = total(&app, &w, w.a).await;
    assert_eq!(after, before + -line_points, "the total moves by exactly the line's points");
    assert_eq!(r.json["total_before"], before.to_string());
    assert_eq!(r.json["total_after"], after.to_string());
    // The line is gone from the breakdown and from the tallies.
    let s = app.duban.assessment();
    let ts = s.tallies(&w.q1, s.as_of(&w.q1)).await.unwrap();
    assert!(!ts.iter().any(|t| t.unit == UnitId(w.a) && t.indicator == Indicator::DoneLate && t.count > 0));
    // Decided once.
    let r2 = app.post(&format!("/api/v1/objections/{id}/decision"), decision).await;
    assert_eq!(r2.status, StatusCode::CONFLICT);
    // Another objection on a voided line is refused.
    let body = json!({"fact": key, "profile": "per-event", "period": "2026Q1", "reason": "再次申诉"});
    let (st, _) = w.officer_a.send(&app, "POST", "/api/v1/objections", Some(body)).await;
    assert_eq!(st, StatusCode::CONFLICT);

    // The log holds the filing and the decision with its effect.
    let log = app.get("/api/v1/admin/events?limit=50").await;
    let events = log.json.as_array().unwrap();
    let decide = events.iter().find(|e| e["kind"] == "objection.decide").expect("decision logged");
    let after_json = &decide["data"]["after"];
    assert_eq!(after_json["decision"], "经核实，3月18日已办结");
    assert_eq!(after_json["total_before"], before.to_string());
    assert_eq!(after_json["total_after"], after.to_string());
    assert_eq!(after_json["effect"], "recount");
    assert!(events.iter().any(|e| e["kind"] == "objection.file"));
}

#[tokio::test]
async fn a_rejected_objection_changes_nothing() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let key = late_key(&app, &w, w.b).await;
    let before = total(&app, &w, w.b).await;
    let body = json!({"fact": key, "profile": "per-event", "period": "2026Q1", "reason": "配合部分已完成"});
    let (st, o) = w.officer_b.send(&app, "POST", "/api/v1/objections", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{o}");
    let id = o["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/objections/{id}/decision"),
            json!({"upheld": false, "decision": "牵头单位未办结，配合单位同责"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    app.check_documented("post", &format!("/api/v1/objections/{id}/decision"), r.status, &r.json);
    assert_eq!((r.json["status"].as_str(), r.json["effect"].as_str()), (Some("rejected"), Some("none")));
    assert_eq!(total(&app, &w, w.b).await, before);
    let r = app.get(&format!("/api/v1/objections/{id}")).await;
    assert_eq!(r.json["status_label"], "不予支持");
    assert_eq!(r.json["decision"], "牵头单位未办结，配合单位同责");
}

#[tokio::test]
async fn evaluations_and_document_errors_are_facts_until_withdrawn() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let q2 = Span::parse("2026Q2").unwrap();
    let s = app.duban.assessment();
    let amount = |ts: &[duban_domain::assessment::Tally], u: i64, ind: Indicator| {
        ts.iter()
            .filter(|t| t.unit == UnitId(u) && t.role == PartyRole::Unit && t.indicator == ind)
            .map(|t| (t.count, t.amount))
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    };

    // A leader outside their charge is refused; within it, accepted.
    let (st, _) = w
        .leader_a
        .send(&app, "POST", "/api/v1/evaluations", Some(json!({"unit": w.b, "score": "8", "comment": "好"})))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = w
        .leader_a
        .send(&app, "POST", "/api/v1/evaluations", Some(json!({"unit": w.a, "score": "11", "comment": "好"})))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _) = w
        .leader_a
        .send(&app, "POST", "/api/v1/evaluations", Some(json!({"unit": w.a, "score": "8", "comment": " "})))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, e) = w
        .leader_a
        .send(&app, "POST", "/api/v1/evaluations", Some(json!({"unit": w.a, "score": "8.5", "comment": "推进有力"})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{e}");
    let ev = e["id"].as_i64().unwrap();
    // An officer evaluates nobody.
    let (st, _) = w
        .officer_b
        .send(&app, "POST", "/api/v1/evaluations", Some(json!({"unit": w.b, "score": "10", "comment": "自评"})))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    // The office records a document error of B's: 2 errors.
    let r = app
        .post(
            "/api/v1/document-errors",
            json!({"unit": w.b, "title": "关于报送一季度工作总结的报告", "number": "乙局发〔2026〕5号",
                   "kind": "文字差错", "count": 2, "note": "错别字两处"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let de = r.json["id"].as_i64().unwrap();
    // An officer may not.
    let (st, _) = w
        .officer_b
        .send(&app, "POST", "/api/v1/document-errors", Some(json!({"unit": w.a, "title": "x", "kind": "其他"})))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let r = app.post("/api/v1/document-errors", json!({"unit": w.b, "title": "x", "kind": "没有这种"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let ts = s.tallies(&q2, s.as_of(&q2)).await.unwrap();
    assert_eq!(amount(&ts, w.a, Indicator::LeaderEvaluation), (1, 850));
    assert_eq!(amount(&ts, w.b, Indicator::DocumentError), (1, 200));
    let r = app.get("/api/v1/document-errors?period=2026-04").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["by_unit"][0]["errors"], 2);
    assert_eq!(r.json["by_unit"][0]["kinds"], "文字差错 2");
    let r = app.get("/api/v1/evaluations").await;
    assert_eq!(r.json[0]["score"], "8.5");

    // The office's pages: the ledger's sums and its workbook.
    let office = person(&app, "office_r", w.a, json!(["office"]), json!([])).await;
    let page = |path: &str| {
        let req = office
            .client
            .get(format!("{}{path}", app.base))
            .header("cookie", format!("duban_session={}", office.token));
        async move {
            let resp = req.send().await.unwrap();
            (resp.status(), resp.bytes().await.unwrap().to_vec())
        }
    };
    let (st, body) = page("/document-errors?month=2026-04").await;
    assert_eq!(st, StatusCode::OK);
    let body = String::from_utf8(body).unwrap();
    assert!(body.contains("文字差错 2") && body.contains("乙局发〔2026〕5号"), "{body}");
    let (st, bytes) = page("/document-errors.xlsx?month=2026-04").await;
    assert_eq!(st, StatusCode::OK);
    let text = xlsx_text(&bytes);
    assert!(text.contains("评审乙局") && text.contains("关于报送一季度工作总结的报告"), "{text}");
    let (st, body) = page("/evaluations").await;
    assert_eq!(st, StatusCode::OK);
    assert!(String::from_utf8(body).unwrap().contains("推进有力"));

    // Withdrawn: the facts are gone. The author withdraws an evaluation; another leader's
    // withdrawal would be refused, an officer's too.
    let (st, _) = w.officer_a.send(&app, "DELETE", &format!("/api/v1/evaluations/{ev}"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = w.leader_a.send(&app, "DELETE", &format!("/api/v1/evaluations/{ev}"), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let r = app.send("delete", &format!("/api/v1/document-errors/{de}"), None, &[]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.send("delete", &format!("/api/v1/document-errors/{de}"), None, &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let ts = s.tallies(&q2, s.as_of(&q2)).await.unwrap();
    assert_eq!(amount(&ts, w.a, Indicator::LeaderEvaluation), (0, 0));
    assert_eq!(amount(&ts, w.b, Indicator::DocumentError), (0, 0));
    let log = app.get("/api/v1/admin/events?limit=50").await;
    let kinds: Vec<&str> = log.json.as_array().unwrap().iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "evaluation").count(), 2);
    assert_eq!(kinds.iter().filter(|k| **k == "document_error").count(), 2);
    let _ = (w.officer_a.id, w.a);
}

/// Every cell of every sheet of a workbook, as text.
fn xlsx_text(bytes: &[u8]) -> String {
    use calamine::{Reader, Xlsx};
    let mut wb = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut out = String::new();
    for name in wb.sheet_names() {
        for row in wb.worksheet_range(&name).unwrap().rows() {
            for c in row {
                out.push_str(&c.to_string());
                out.push('\t');
            }
        }
    }
    out
}

#[tokio::test]
async fn reviews_on_postgres() {
    let Some(app) = spawn_app_on_postgres().await else { return };
    let w = world(&app).await;
    let key = late_key(&app, &w, w.a).await;
    let before = total(&app, &w, w.a).await;
    let body = json!({"fact": key, "profile": "per-event", "period": "2026Q1", "reason": "已办结"});
    let (st, o) = w.officer_a.send(&app, "POST", "/api/v1/objections", Some(body.clone())).await;
    assert_eq!(st, StatusCode::CREATED, "{o}");
    let (st, _) = w.officer_a.send(&app, "POST", "/api/v1/objections", Some(body)).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let id = o["id"].as_i64().unwrap();
    let r = app.post(&format!("/api/v1/objections/{id}/decision"), json!({"upheld": true, "decision": "属实"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_ne!(total(&app, &w, w.a).await, before);
    let (st, _) = w
        .leader_a
        .send(&app, "POST", "/api/v1/evaluations", Some(json!({"unit": w.a, "score": "9", "comment": "好"})))
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let r = app.post("/api/v1/document-errors", json!({"unit": w.b, "title": "报告", "kind": "format"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let r = app.get("/api/v1/document-errors?period=2026-04").await;
    assert_eq!(r.json["by_unit"][0]["errors"], 1);
}

/// After the quarter's ranking is issued, an upheld objection leaves the issued copy as it was
/// and calls for a revision, which the office issues with its reason: the revision carries the
/// change, the first copy stays.
#[tokio::test]
async fn an_objection_upheld_after_the_ranking_was_issued_calls_for_a_revision() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let key = late_key(&app, &w, w.a).await;
    let before = total(&app, &w, w.a).await;
    let r =
        app.post("/api/v1/rankings/issued", json!({"profile": "per-event", "period": "2026Q1", "reason": ""})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let first = r.json["id"].as_i64().unwrap();
    let body = json!({"fact": key, "profile": "per-event", "period": "2026Q1", "reason": "已按期办结"});
    let (st, o) = w.officer_a.send(&app, "POST", "/api/v1/objections", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{o}");
    let id = o["id"].as_i64().unwrap();
    let r = app.post(&format!("/api/v1/objections/{id}/decision"), json!({"upheld": true, "decision": "属实"})).await;
    assert_eq!((r.json["status"].as_str(), r.json["effect"].as_str()), (Some("upheld"), Some("revision")));
    let after = total(&app, &w, w.a).await;
    assert_ne!(after, before);
    // The issued copy did not change.
    let issued = app.get(&format!("/api/v1/rankings/issued/{first}")).await.json;
    let row = |j: &Value| {
        j["ranking"]["rows"].as_array().unwrap().iter().find(|r| r["unit"] == w.a).unwrap()["total"].clone()
    };
    assert_eq!(row(&issued), json!(before.to_string()));
    // The revision, with its reason, carries the upheld objection.
    let r = app
        .post(
            "/api/v1/rankings/issued",
            json!({"profile": "per-event", "period": "2026Q1", "reason": "申诉成立，修订"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(r.json["supersedes"], first);
    let revised = app.get(&format!("/api/v1/rankings/issued/{}", r.json["id"])).await.json;
    assert_eq!(row(&revised), json!(after.to_string()));
}
