//! Key enterprises and key projects (issue 14 §1) through the API: create with a checked credit
//! code and an exact amount, edit on the version read (a stale version is a conflict), the
//! history of changed fields, the lists' search, filters and paging, a 台账 sheet's preview with
//! per-row errors and its all-or-nothing commit (a listed credit code becomes a new version),
//! and the .xlsx export. Everyone signed in reads; only the office writes. Run on SQLite and
//! PostgreSQL.

use crate::helpers::*;
use calamine::Reader;
use duban_domain::enterprise::CreditCode;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn code17(n: u32) -> String {
    CreditCode::completing(&format!("91150525MA{n:07}")).unwrap().to_string()
}

fn xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (i, r) in rows.iter().enumerate() {
        for (j, c) in r.iter().enumerate() {
            ws.write_string(i as u32, j as u16, c).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

async fn upload(app: &TestApp, path: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let r = app
        .client
        .post(format!("{}{path}?filename=list.xlsx", app.base))
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let json: Value = r.json().await.unwrap();
    app.check_documented("post", path, status, &json);
    (status, json)
}

async fn download(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, Vec<Vec<String>>) {
    let mut req = reqwest::Client::new().get(format!("{}{path}", app.base));
    req = match token {
        Some(t) => req.bearer_auth(t),
        None => app.client.get(format!("{}{path}", app.base)),
    };
    let r = req.send().await.unwrap();
    let status = r.status();
    let bytes = r.bytes().await.unwrap();
    if status != StatusCode::OK {
        return (status, Vec::new());
    }
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    (status, range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect())
}

async fn reader(app: &TestApp, unit: i64) -> String {
    let (_, token) =
        app.person_signed_in(json!({"name": "科员甲", "username": "reader", "unit_id": unit, "roles": []})).await;
    token
}

async fn as_reader(app: &TestApp, token: &str, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = reqwest::Client::new().request(m, format!("{}{path}", app.base)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    app.check_documented(&method.to_lowercase(), path, status, &json);
    (status, json)
}

async fn create_edit_history(app: &TestApp) {
    let town = app.unit("大沁他拉镇").await;
    let good = code17(1);
    // A bad credit code and a bad amount are refused in Chinese.
    let mut wrong = good.clone();
    wrong.replace_range(17..18, if good.ends_with('0') { "1" } else { "0" });
    let r = app.post("/api/v1/enterprises", json!({"name": "甲公司", "credit_code": wrong})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    assert!(r.json["error"]["message"].as_str().unwrap().contains("校验位"), "{}", r.json);
    let r = app.post("/api/v1/projects", json!({"name": "风电", "total_investment": "1.2345678万"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    assert!(r.json["error"]["message"].as_str().unwrap().contains("金额"), "{}", r.json);

    let r = app
        .post(
            "/api/v1/enterprises",
            json!({"name": "甲公司", "credit_code": good, "scale": "规上", "industry": "制造业", "unit_id": town}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let id = r.json["id"].as_i64().unwrap();
    let r = app.post("/api/v1/enterprises", json!({"name": "乙公司", "credit_code": good})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.json);

    // Edit on version 1; a second edit on version 1 is a conflict.
    let edit = json!({"name": "甲公司", "credit_code": good, "scale": "限上", "industry": "商贸", "unit_id": town});
    let r = app.send("put", &format!("/api/v1/enterprises/{id}?version=1"), Some(edit.clone()), &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["version"], 2);
    let r = app.send("put", &format!("/api/v1/enterprises/{id}?version=1"), Some(edit.clone()), &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.json);
    let r = app.send("put", &format!("/api/v1/enterprises/{id}"), Some(edit), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a write names its version: {}", r.json);

    let r = app.get(&format!("/api/v1/enterprises/{id}/history")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let h = r.json.as_array().unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[0]["version"], 2);
    assert_eq!(h[0]["by_name"], "系统管理员");
    assert_eq!(h[0]["when"], "2026-03-02 09:00", "Beijing time");
    let changes = h[0]["changes"].as_array().unwrap();
    let scale = changes.iter().find(|c| c["field"] == "scale").unwrap();
    assert_eq!((scale["before"].as_str(), scale["after"].as_str()), (Some("规上工业"), Some("限上贸易")));
    let industry = changes.iter().find(|c| c["field"] == "industry").unwrap();
    assert_eq!((industry["before"].as_str(), industry["after"].as_str()), (Some("制造业"), Some("商贸")));
    assert_eq!(changes.len(), 2, "only what changed: {changes:?}");

    // A project in 亿 is kept exactly; it links to its investor and is listed under it.
    let r = app
        .post(
            "/api/v1/projects",
            json!({"name": "风电项目", "investor": "甲公司", "enterprise_id": id, "total_investment": "1.5亿",
                   "signed_on": "2026-03-01", "stage": "在建", "unit_id": town}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(r.json["total_investment"], 15_000_000_000i64);
    let pid = r.json["id"].as_i64().unwrap();
    let r = app.get(&format!("/api/v1/projects?enterprise={id}")).await;
    assert_eq!(r.json["total"], 1);
    let r = app
        .send(
            "put",
            &format!("/api/v1/projects/{pid}?version=1"),
            Some(
                json!({"name": "风电项目", "investor": "甲公司", "enterprise_id": id, "total_investment": "16000.5万",
                        "signed_on": "2026-03-01", "stage": "在建", "unit_id": town}),
            ),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let r = app.get(&format!("/api/v1/projects/{pid}/history")).await;
    let change = &r.json[0]["changes"][0];
    assert_eq!(change["field"], "total_investment");
    assert_eq!((change["before"].as_str(), change["after"].as_str()), (Some("15000万元"), Some("16000.5万元")));
    assert_eq!(
        r.json[1]["changes"].as_array().unwrap().iter().find(|c| c["field"] == "enterprise_id").unwrap()["after"],
        "甲公司"
    );

    // Anyone signed in reads; only the office writes.
    let token = reader(app, town).await;
    let (st, _) = as_reader(app, &token, "GET", &format!("/api/v1/enterprises/{id}"), None).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = as_reader(app, &token, "GET", &format!("/api/v1/projects/{pid}/history"), None).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) =
        as_reader(app, &token, "POST", "/api/v1/enterprises", Some(json!({"name": "丙", "credit_code": code17(9)})))
            .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = download(app, "/api/v1/enterprises/export", Some(&token)).await;
    assert_eq!(st, StatusCode::OK);
    let r = app.get("/api/v1/enterprises/999999").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn enterprises_are_created_edited_on_their_version_with_history() {
    create_edit_history(&spawn_app().await).await;
}

#[tokio::test]
async fn enterprises_are_created_edited_on_their_version_with_history_on_postgres() {
    let Some(app) = spawn_app_on_postgres().await else { return };
    create_edit_history(&app).await;
}

async fn lists_page_and_filter(app: &TestApp) {
    let town = app.unit("八仙筒镇").await;
    for i in 0..25u32 {
        let scale = if i % 5 == 0 { "规上" } else { "其他" };
        let unit = if i % 2 == 0 { Some(town) } else { None };
        let r = app
            .post(
                "/api/v1/enterprises",
                json!({"name": format!("企业{i:02}"), "credit_code": code17(100 + i), "scale": scale, "unit_id": unit}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    }
    let r = app.get("/api/v1/enterprises?per=10&page=3").await;
    assert_eq!((r.json["total"].as_i64(), r.json["items"].as_array().unwrap().len()), (Some(25), 5));
    assert_eq!(r.json["items"][0]["name"], "企业20");
    let r = app.get("/api/v1/enterprises?scale=above_scale_industry").await;
    assert_eq!(r.json["total"], 5);
    let r = app.get(&format!("/api/v1/enterprises?unit={town}&scale=规上")).await;
    assert_eq!(r.json["total"], 3);
    let r = app.get("/api/v1/enterprises?q=企业1").await;
    assert_eq!(r.json["total"], 10);
    let r = app.get(&format!("/api/v1/enterprises?q={}", &code17(107)[..17])).await;
    assert_eq!(r.json["total"], 1, "by credit code");
    let r = app.get("/api/v1/enterprises?per=30").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.get("/api/v1/enterprises?scale=巨型").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json["error"]["message"].as_str().unwrap().contains("规上工业"));
}

#[tokio::test]
async fn the_lists_search_filter_and_page() {
    lists_page_and_filter(&spawn_app().await).await;
}

#[tokio::test]
async fn the_lists_search_filter_and_page_on_postgres() {
    let Some(app) = spawn_app_on_postgres().await else { return };
    lists_page_and_filter(&app).await;
}

async fn import_and_export(app: &TestApp) {
    let town = app.unit("大沁他拉镇").await;
    let listed = code17(500);
    let r = app.post("/api/v1/enterprises", json!({"name": "老企业", "credit_code": listed, "scale": "其他"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let old_id = r.json["id"].as_i64().unwrap();

    // A sheet with a title, a header in other words, one bad code and one unknown unit.
    let mut bad = code17(501);
    bad.replace_range(17..18, if bad.ends_with('0') { "1" } else { "0" });
    let sheet = |rows: Vec<Vec<String>>| {
        let mut all = vec![
            row(&["奈曼旗重点企业名单"]),
            row(&["序号", "单位名称", "信用代码", "行业", "企业类型", "属地", "联系电话"]),
        ];
        all.extend(rows);
        xlsx(&all)
    };
    let good_rows = vec![
        row(&["1", "新企业", &code17(502), "能源", "规上", "大沁他拉镇", "13800000000"]),
        row(&["2", "老企业", &listed, "农牧业", "限上", "", ""]),
    ];
    let mut with_errors = good_rows.clone();
    with_errors.push(row(&["3", "错企业", &bad, "", "", "", ""]));
    with_errors.push(row(&["4", "远企业", &code17(503), "", "", "不存在镇", ""]));
    let (st, p) = upload(app, "/api/v1/enterprises/import", sheet(with_errors)).await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["errors"], 2);
    let rows = p["rows"].as_array().unwrap();
    assert_eq!(rows[0]["action"], "add");
    assert_eq!(rows[0]["input"]["unit_id"], town);
    assert_eq!(rows[1]["action"], "update");
    assert_eq!(rows[2]["line"], 5);
    assert!(rows[2]["error"].as_str().unwrap().contains("校验位"));
    assert!(rows[3]["error"].as_str().unwrap().contains("不存在镇"));

    // Committing rows with an error writes nothing at all.
    let inputs: Vec<Value> = rows.iter().map(|r| r["input"].clone()).collect();
    let r = app.post("/api/v1/enterprises/import/commit", json!({"rows": inputs})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    assert!(r.json["error"]["message"].as_str().unwrap().contains("第3条"), "{}", r.json);
    assert_eq!(app.get("/api/v1/enterprises").await.json["total"], 1);

    // The good rows: one added, the listed code updated to a new version.
    let (_, p) = upload(app, "/api/v1/enterprises/import", sheet(good_rows.clone())).await;
    assert_eq!(p["errors"], 0);
    let inputs: Vec<Value> = p["rows"].as_array().unwrap().iter().map(|r| r["input"].clone()).collect();
    let r = app.post("/api/v1/enterprises/import/commit", json!({"rows": inputs.clone()})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!((r.json["added"].as_i64(), r.json["updated"].as_i64()), (Some(1), Some(1)));
    let r = app.get(&format!("/api/v1/enterprises/{old_id}")).await;
    assert_eq!((r.json["version"].as_i64(), r.json["scale"].as_str()), (Some(2), Some("above_limit_trade")));
    let h = app.get(&format!("/api/v1/enterprises/{old_id}/history")).await;
    assert_eq!(h.json.as_array().unwrap().len(), 2);
    // Again: nothing changes.
    let r = app.post("/api/v1/enterprises/import/commit", json!({"rows": inputs})).await;
    assert_eq!(r.json["unchanged"], 2);

    // Projects: the header's unit (亿元) applies; the investor is linked by name.
    let projects = xlsx(&[
        row(&["重点项目台账"]),
        row(&["项目名称", "建设单位", "总投资（亿元）", "进度", "签约日期", "责任单位"]),
        row(&["光伏项目", "新企业", "2.5", "在建", "2026/3/1", "大沁他拉镇"]),
        row(&["小项目", "个人", "0.05", "签约", "", ""]),
    ]);
    let (st, p) = upload(app, "/api/v1/projects/import", projects).await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["errors"], 0, "{p}");
    assert!(p["rows"][0]["input"]["enterprise_id"].is_i64());
    let inputs: Vec<Value> = p["rows"].as_array().unwrap().iter().map(|r| r["input"].clone()).collect();
    let r = app.post("/api/v1/projects/import/commit", json!({"rows": inputs})).await;
    assert_eq!(r.json["added"], 2, "{}", r.json);
    let r = app.get("/api/v1/projects?q=光伏").await;
    assert_eq!(r.json["items"][0]["total_investment"], 25_000_000_000i64);
    assert_eq!(r.json["items"][0]["signed_on"], "2026-03-01");

    // A sheet without the headers, or not a sheet, is refused clearly.
    let (st, e) = upload(app, "/api/v1/projects/import", xlsx(&[row(&["名称", "地址"])])).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["message"].as_str().unwrap().contains("总投资"), "{e}");
    let (st, _) = upload(app, "/api/v1/enterprises/import", b"PK\x03\x04broken".to_vec()).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);

    // The export reads back in the import's layout, amounts exact in 万元.
    let (st, sheet) = download(app, "/api/v1/projects/export", None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(sheet[1][3], "总投资（万元）");
    let line = sheet.iter().find(|r| r[1] == "光伏项目").unwrap();
    assert_eq!((line[3].as_str(), line[8].as_str()), ("25000", "大沁他拉镇"));
    let (_, sheet) = download(app, "/api/v1/enterprises/export?scale=规上", None).await;
    assert_eq!(sheet.len(), 3, "title, header, one enterprise: {sheet:?}");
    assert_eq!(sheet[2][2], code17(502));
    let (st, back) = upload(app, "/api/v1/enterprises/import", {
        let (_, all) = download(app, "/api/v1/enterprises/export", None).await;
        xlsx(&all)
    })
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(back["rows"].as_array().unwrap().iter().all(|r| r["action"] == "unchanged"), "{back}");

    // Only the office imports.
    let token = reader(app, town).await;
    let (st, _) = as_reader(app, &token, "POST", "/api/v1/projects/import/commit", Some(json!({"rows": []}))).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_sheet_is_previewed_with_row_errors_and_committed_all_or_nothing() {
    import_and_export(&spawn_app().await).await;
}

#[tokio::test]
async fn a_sheet_is_previewed_with_row_errors_and_committed_all_or_nothing_on_postgres() {
    let Some(app) = spawn_app_on_postgres().await else { return };
    import_and_export(&app).await;
}
