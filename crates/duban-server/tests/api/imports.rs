//! Importing a document through the API: preview (raw upload or multipart form), commit with
//! corrections, and re-import that updates rather than duplicates.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const DOC: &str = "关于印发某旗重点任务清单的通知\n2026年3月1日\n一、重点任务\n（一）优化营商环境\n\
（1）开办时间压缩至0.5个工作日以内，6月底前完成。（牵头单位：旗行政审批和政务服务局；责任单位：旗市场监管局、公安局）\n\
（2）推进不动产登记一窗受理，年底前完成。（牵头单位：旗自然资源局）\n";

async fn upload(app: &TestApp, body: &str) -> (StatusCode, Value) {
    let r = app
        .client
        .post(format!("{}/api/v1/imports/preview?filename=清单.txt", app.base))
        .header("content-type", "application/octet-stream")
        .body(body.as_bytes().to_vec())
        .send()
        .await
        .unwrap();
    let status = r.status();
    let json: Value = r.json().await.unwrap();
    app.check_documented("post", "/api/v1/imports/preview", status, &json);
    (status, json)
}

#[tokio::test]
async fn a_document_is_previewed_corrected_and_committed_once() {
    let app = spawn_app().await;
    app.unit("旗行政审批和政务服务局").await;
    app.unit("旗市场监管局").await;
    let (status, preview) = upload(&app, DOC).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(preview["document"]["title"], "某旗重点任务清单");
    assert_eq!(preview["tasks"].as_array().unwrap().len(), 2);
    let t1 = &preview["tasks"][0];
    assert_eq!(t1["deadline"], "2026-06-30");
    let unknown: Vec<&str> = t1["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == "unknown_unit")
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(unknown, vec!["旗公安局"]);
    // Committing with units the directory does not know is refused, and nothing is written.
    let r = app.post("/api/v1/imports/commit", json!({"preview": preview})).await;
    assert_eq!((r.status, r.json["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("units")));
    assert!(r.json["error"]["message"].as_str().unwrap().contains("旗公安局"));
    assert_eq!(app.get("/api/v1/ledgers").await.json, json!([]));
    // The user corrects the preview: drops the unknown unit, and moves a deadline.
    let mut fixed = preview.clone();
    fixed["tasks"][0]["cooperating"] = json!(["旗市场监管局"]);
    fixed["tasks"][1]["lead"] = json!(["旗行政审批和政务服务局"]);
    let r = app.post("/api/v1/imports/commit", json!({"preview": fixed})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!((r.json["created"].as_i64(), r.json["ledger"].as_str()), (Some(2), Some("某旗重点任务清单")));
    let ledger = r.json["ledger_id"].as_i64().unwrap();
    let tasks = app.get(&format!("/api/v1/tasks?ledger={ledger}&sort=number")).await.json;
    assert_eq!(tasks["total"], 2);
    assert_eq!(tasks["items"][0]["section"], "一、重点任务 / （一）优化营商环境");
    assert_eq!(tasks["items"][0]["targets"], json!(["压缩至0.5个工作日以内"]));
    assert_eq!(tasks["items"][0]["deadline"], "2026-06-30");
    // The same preview again changes nothing.
    let r = app.post("/api/v1/imports/commit", json!({"preview": fixed})).await;
    assert_eq!((r.json["created"].as_i64(), r.json["unchanged"].as_i64()), (Some(0), Some(2)));
    // A changed document updates its ledger: one task changed, one gone.
    let mut changed = fixed.clone();
    changed["tasks"][0]["deadline"] = json!("2026-09-30");
    changed["tasks"].as_array_mut().unwrap().pop();
    let r = app.post("/api/v1/imports/commit", json!({"preview": changed})).await;
    assert_eq!(
        (r.json["updated"].as_i64(), r.json["withdrawn"].as_i64(), r.json["created"].as_i64()),
        (Some(1), Some(1), Some(0))
    );
    let tasks = app.get(&format!("/api/v1/tasks?ledger={ledger}&sort=number")).await.json;
    assert_eq!(tasks["items"][0]["deadline"], "2026-09-30");
    assert_eq!(tasks["items"][1]["status"], "cancelled");
    assert_eq!(app.get("/api/v1/ledgers").await.json.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_file_can_be_uploaded_as_a_form() {
    let app = spawn_app().await;
    let part = reqwest::multipart::Part::bytes(DOC.as_bytes().to_vec()).file_name("清单.txt");
    let form = reqwest::multipart::Form::new().text("note", "x").part("file", part);
    let r = app.client.post(format!("{}/api/v1/imports/preview", app.base)).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["tasks"].as_array().unwrap().len(), 2);
    // Without a directory in the database, every name is kept as written and flagged, for the
    // office to map or create.
    assert_eq!(v["tasks"][0]["lead"], json!(["旗行政审批和政务服务局"]));
    assert!(v["tasks"][0]["warnings"].as_array().unwrap().iter().any(|w| w["code"] == "unknown_unit"));
    let unknown: Vec<&str> =
        v["unknown_units"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(unknown, ["旗行政审批和政务服务局", "旗市场监管局", "旗公安局", "旗自然资源局"]);
    let empty = reqwest::multipart::Form::new().text("note", "x");
    let r = app.client.post(format!("{}/api/v1/imports/preview", app.base)).multipart(empty).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn unreadable_uploads_are_explained() {
    let app = spawn_app().await;
    let (status, v) = upload(&app, "").await;
    assert_eq!((status, v["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("file")));
    let r = app
        .client
        .post(format!("{}/api/v1/imports/preview?filename=a.docx", app.base))
        .body(b"PK\x03\x04\x14\x00not a zip".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post(
            "/api/v1/imports/commit",
            json!({"preview": {"document": {"title": "", "doc_number": null, "issued": null}, "tasks": []}}),
        )
        .await;
    assert_eq!(r.json["error"]["field"], "document.title");
}

#[tokio::test]
async fn lead_units_are_suggested_from_the_ledgers() {
    let app = spawn_app().await;
    let tax = app.unit("旗税务局").await;
    let land = app.unit("旗自然资源局").await;
    for (title, unit) in [
        ("增值税留抵退税提速", tax),
        ("出口退税时间压缩", tax),
        ("不动产登记一窗受理", land),
        ("不动产抵押登记网上办", land),
    ] {
        app.task(json!({"title": title, "lead": [{"unit": unit}]})).await;
    }
    let r = app.get("/api/v1/suggest?text=推进留抵退税智能审批").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json[0]["unit_id"], tax);
    assert_eq!(r.json[0]["name"], "旗税务局");
    // A new task changes what is learnt at once.
    let health = app.unit("旗卫健委").await;
    app.task(json!({"title": "基本公共卫生服务满意度", "lead": [{"unit": health}]})).await;
    let r = app.get("/api/v1/suggest?text=公共卫生服务").await;
    assert_eq!(r.json[0]["unit_id"], health);
    let r = app.get("/api/v1/suggest?text=%20").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// A document of `n` numbered tasks led by 旗财政局, the `changed` ones with another deadline.
fn numbered(n: usize, changed: &[usize]) -> String {
    let mut s = String::from("关于印发某旗年度任务清单的通知\n2026年3月1日\n一、重点任务\n");
    for i in 1..=n {
        let month = if changed.contains(&i) { 9 } else { 6 };
        s.push_str(&format!("{i}.推进第{i}项重点工作，{month}月底前完成。（牵头单位：旗财政局）\n"));
    }
    s
}

/// A trigger that makes writing task 「4.」 fail, as a unit deleted meanwhile or a dropped
/// connection would, on `kind` (INSERT or UPDATE).
async fn fail_fourth_task(db: &duban_store_tests::TestDb, kind: &str) {
    if db.store.backend() == "postgres" {
        db.raw_execute(
            "CREATE OR REPLACE FUNCTION fail_fourth() RETURNS trigger AS $$ BEGIN \
             IF NEW.number = '4.' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ \
             LANGUAGE plpgsql",
        )
        .await
        .unwrap();
        db.raw_execute(&format!(
            "CREATE TRIGGER fail_fourth BEFORE {kind} ON tasks FOR EACH ROW EXECUTE FUNCTION fail_fourth()"
        ))
        .await
        .unwrap();
    } else {
        db.raw_execute(&format!(
            "CREATE TRIGGER fail_fourth BEFORE {kind} ON tasks WHEN NEW.number = '4.' \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        ))
        .await
        .unwrap();
    }
}

async fn all_or_nothing(db: duban_store_tests::TestDb) {
    use duban_domain::calendar::UnknownYears;
    use duban_domain::clock::FixedClock;
    use duban_domain::policy::Policy;
    use duban_store::TaskQuery;
    let clock = std::sync::Arc::new(FixedClock::new(bj("2026-03-02T09:00")));
    let duban = duban_app::service::Services::new(
        db.store.clone(),
        Policy::builtin("x-district-2022").unwrap(),
        clock,
        UnknownYears::Error,
    )
    .await
    .unwrap();
    let s = &db.store;
    s.create_unit(
        &duban_domain::org::NewUnit {
            name: "旗财政局".into(),
            kind: duban_domain::org::UnitKind::Department,
            level: duban_domain::org::UnitLevel::County,
            parent_id: None,
            aliases: vec![],
        },
        duban_store_tests::at(),
    )
    .await
    .unwrap();
    let tasks = |ledger| TaskQuery { ledger_id: ledger, per_page: 500, page: 1, ..Default::default() };
    let preview = duban.document_import().preview(numbered(6, &[]).as_bytes(), "清单.txt", None).await.unwrap();
    assert_eq!(preview.tasks.len(), 6);

    // The fourth task cannot be written: neither the ledger nor the first three are left.
    fail_fourth_task(&db, "INSERT").await;
    let e = duban
        .document_import()
        .commit(&preview, &Default::default(), &duban_app::actor::Actor::command_line())
        .await
        .unwrap_err();
    assert_eq!(e, duban_domain::Error::Internal, "{e:?}");
    assert!(s.list_ledgers().await.unwrap().is_empty());
    assert_eq!(s.list_tasks(&tasks(None)).await.unwrap().total, 0);
    let chain = s.verify_events().await.unwrap();
    assert_eq!((chain.events, chain.broken), (0, None));
    let drop =
        if db.store.backend() == "postgres" { "DROP TRIGGER fail_fourth ON tasks" } else { "DROP TRIGGER fail_fourth" };
    db.raw_execute(drop).await.unwrap();

    // Without the failure it is written whole.
    let r = duban
        .document_import()
        .commit(&preview, &Default::default(), &duban_app::actor::Actor::command_line())
        .await
        .unwrap();
    assert_eq!(r.created, 6);
    let before = s.list_tasks(&tasks(Some(r.ledger_id))).await.unwrap().items;
    let chain = s.verify_events().await.unwrap();
    assert_eq!((chain.events, chain.broken), (6, None));

    // A re-import that changes tasks 2 to 5 and drops 6 fails on the fourth: nothing changes.
    fail_fourth_task(&db, "UPDATE").await;
    let changed =
        duban.document_import().preview(numbered(5, &[2, 3, 4, 5]).as_bytes(), "清单.txt", None).await.unwrap();
    duban
        .document_import()
        .commit(&changed, &Default::default(), &duban_app::actor::Actor::command_line())
        .await
        .unwrap_err();
    assert_eq!(s.list_tasks(&tasks(Some(r.ledger_id))).await.unwrap().items, before);
    let chain = s.verify_events().await.unwrap();
    assert_eq!((chain.events, chain.broken), (6, None));
    db.finish().await;
}

#[tokio::test]
async fn a_commit_that_fails_partway_leaves_nothing_behind_on_sqlite() {
    if let Some(db) = duban_store_tests::sqlite().await {
        all_or_nothing(db).await;
    }
}

#[tokio::test]
async fn a_commit_that_fails_partway_leaves_nothing_behind_on_postgres() {
    if let Some(db) = duban_store_tests::postgres().await {
        all_or_nothing(db).await;
    }
}

#[tokio::test]
async fn a_reimport_leaves_a_secret_task_the_committer_cannot_see_alone() {
    use duban_domain::task::{Classification, Status, TaskPatch};
    use duban_store::TaskQuery;
    let app = spawn_app().await;
    app.unit("旗财政局").await;
    let (_, preview) = upload(&app, &numbered(3, &[])).await;
    let r = app.post("/api/v1/imports/commit", json!({"preview": preview})).await;
    assert_eq!(r.json["created"], 3, "{}", r.json);
    let ledger = duban_domain::ids::LedgerId(r.json["ledger_id"].as_i64().unwrap());
    let s = &app.store;
    let q = TaskQuery { ledger_id: Some(ledger), per_page: 500, page: 1, ..Default::default() };
    let second = s.list_tasks(&q).await.unwrap().items[1].clone();
    assert_eq!(second.fields.number, "2.");
    // Task 2 becomes 涉密, named on nobody: the administrator committing cannot see it.
    let patch = TaskPatch { classification: Some(Classification::Secret), ..TaskPatch::default() };
    app.duban.tasks().update_task(second.id, second.version, &patch, None).await.unwrap();
    let secret = s.get_task(second.id).await.unwrap();
    assert_eq!(app.get(&format!("/api/v1/tasks/{}", second.id)).await.status, StatusCode::NOT_FOUND);

    // A new version of the document changes every deadline: task 2 is not overwritten.
    let (_, changed) = upload(&app, &numbered(3, &[1, 2, 3])).await;
    let r = app.post("/api/v1/imports/commit", json!({"preview": changed})).await;
    assert_eq!((r.json["updated"].as_i64(), r.json["unchanged"].as_i64()), (Some(2), Some(1)), "{}", r.json);
    assert_eq!(s.get_task(second.id).await.unwrap(), secret);
    // One without item 2 withdraws nothing the committer cannot see.
    let mut dropped = changed.clone();
    dropped["tasks"].as_array_mut().unwrap().remove(1);
    let r = app.post("/api/v1/imports/commit", json!({"preview": dropped})).await;
    assert_eq!((r.json["withdrawn"].as_i64(), r.json["unchanged"].as_i64()), (Some(0), Some(2)), "{}", r.json);
    let after = s.get_task(second.id).await.unwrap();
    assert_eq!((after.status, after.version), (secret.status, secret.version));
    assert_ne!(after.status, Status::Cancelled);
}

/// An HTML page of about `bytes` bytes whose every paragraph is a numbered task.
fn big_page(bytes: usize) -> Vec<u8> {
    let mut s = String::from("<html><body><p>关于印发某旗重点任务清单的通知</p>");
    let mut i = 1;
    while s.len() < bytes {
        s.push_str(&format!("<p>{i}.推进第{i}项重点工作。（牵头单位：旗财政局）</p>"));
        i += 1;
    }
    s.push_str("</body></html>");
    s.into_bytes()
}

/// Issue 9: four concurrent previews of 19 MB pages are refused as too large, and while they
/// are read `/healthz` keeps answering at once (the reading runs off the async workers, a few at
/// a time, within a time budget). The figures are printed for SECURITY.md.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn big_previews_are_refused_while_healthz_answers_at_once() {
    let app = std::sync::Arc::new(spawn_app().await);
    let page = big_page(19 * 1024 * 1024);
    let started = std::time::Instant::now();
    let previews: Vec<_> = (0..4)
        .map(|_| {
            let (app, page) = (app.clone(), page.clone());
            tokio::spawn(async move {
                let r = app
                    .client
                    .post(format!("{}/api/v1/imports/preview?filename=page.html", app.base))
                    .body(page)
                    .send()
                    .await
                    .unwrap();
                let status = r.status();
                let json: Value = r.json().await.unwrap();
                app.check_documented("post", "/api/v1/imports/preview", status, &json);
                (status, json, started.elapsed())
            })
        })
        .collect();
    let mut latencies = Vec::new();
    while previews.iter().any(|p| !p.is_finished()) {
        let t = std::time::Instant::now();
        let r = app.client.get(format!("{}/healthz", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        latencies.push(t.elapsed());
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    for p in previews {
        let (status, json, took) = p.await.unwrap();
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{json}");
        assert_eq!(json["error"]["code"], "import.too_large");
        assert!(json["error"]["message"].as_str().unwrap().contains("文件过大或过于复杂"), "{json}");
        eprintln!("preview answered {status} after {took:?}");
    }
    latencies.sort();
    let max = *latencies.last().unwrap();
    let median = latencies[latencies.len() / 2];
    eprintln!(
        "/healthz during 4 concurrent 19 MB previews: {} probes, median {median:?}, max {max:?}",
        latencies.len()
    );
    assert!(latencies.len() >= 3, "the previews ended before /healthz could be probed");
    assert!(max < std::time::Duration::from_millis(1500), "/healthz took {max:?}");
}
