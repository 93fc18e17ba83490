//! The command line, run as a real process. The calendar and `rules due` outputs are stable
//! interfaces, so they are checked exactly.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use std::process::{Command, Output};

fn duban(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_duban")).args(args).env_remove("DUBAN_DATABASE__URL").output().expect("run duban")
}

fn ok(args: &[&str]) -> String {
    let o = duban(args);
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn fails(args: &[&str]) -> (i32, String) {
    let o = duban(args);
    (o.status.code().unwrap_or(-1), String::from_utf8(o.stderr).unwrap())
}

#[test]
fn calendar_commands_print_plain_answers() {
    assert_eq!(ok(&["calendar", "is-workday", "2026-02-14"]), "true\n");
    assert_eq!(ok(&["calendar", "is-workday", "2026-02-15"]), "false\n");
    assert_eq!(ok(&["calendar", "add", "2026-02-13", "1"]), "2026-02-14\n");
    assert_eq!(ok(&["calendar", "add", "2026-02-24", "-1"]), "2026-02-14\n");
    assert_eq!(ok(&["calendar", "add", "2026-02-15", "0"]), "2026-02-24\n");
    assert_eq!(ok(&["calendar", "between", "2026-02-13", "2026-03-02"]), "7\n");
    assert_eq!(ok(&["calendar", "between", "2025-09-30", "2025-10-09"]), "1\n");
}

#[test]
fn bad_input_and_dates_outside_the_data_exit_with_status_2() {
    for args in [
        &["calendar", "is-workday", "2026-02-30"][..],
        &["calendar", "add", "2026-02-13", "x"],
        &["calendar", "add", "2026-12-31", "1"],
        &["calendar", "between", "2014-12-01", "2015-01-05"],
        &["calendar", "is-workday", "2027-01-04"],
        &["rules", "show", "--profile", "nope"],
        &["rules", "due", "--received", "yesterday"],
        &["rules", "due", "--received", "2026-02-13T16:00", "--complexity", "很难"],
    ] {
        let (code, err) = fails(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.starts_with("错误："), "{args:?}: {err}");
    }
    let (_, err) = fails(&["calendar", "add", "2026-12-31", "1"]);
    assert!(err.contains("2027 年的节假日安排尚未导入"), "{err}");
}

#[test]
fn weekends_only_answers_are_provisional_and_say_so() {
    let o = duban(&["calendar", "add", "2026-12-31", "1", "--weekends-only"]);
    assert!(o.status.success());
    assert_eq!(String::from_utf8(o.stdout).unwrap(), "2027-01-01\n");
    assert!(String::from_utf8(o.stderr).unwrap().contains("暂定"));
}

#[test]
fn rules_due_prints_each_stage_as_json() {
    let out = ok(&[
        "rules",
        "due",
        "--profile",
        "x-district-2022",
        "--received",
        "2026-02-13T16:00",
        "--complexity",
        "较复杂",
        "--source",
        "领导批示",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["profile"], "x-district-2022");
    assert_eq!(v["received"], "2026-02-13T16:00:00+08:00");
    let due =
        |stage: &str| v["stages"].as_array().unwrap().iter().find(|s| s["stage"] == stage).unwrap()["due"].clone();
    assert_eq!(due("sign"), "2026-02-25");
    assert_eq!(due("done"), "2026-03-05");
    assert_eq!(due("outcome"), serde_json::Value::Null);
    let out = ok(&[
        "rules",
        "due",
        "--profile",
        "x-district-2022",
        "--received",
        "2026-02-13T16:00",
        "--event",
        "done=2026-02-27T10:00",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    // Done Friday 02-27 before 17:30: 5 working days are 02-28 (make-up), 03-02 … 03-05.
    assert_eq!(v["stages"][2]["due"], "2026-03-05");
}

#[test]
fn rules_due_covers_every_builtin_profile() {
    let table = ok(&[
        "rules",
        "due",
        "--profile",
        "ejinhoro-2024",
        "--received",
        "2025-09-29T10:00",
        "--deadline",
        "2025-10-31",
    ]);
    assert!(table.contains("2025-10-09") && table.contains("2025-09-29"), "{table}");
    let table =
        ok(&["rules", "due", "--profile", "otog-front-2021", "--received", "2026-02-13T10:00", "--source", "企业诉求"]);
    assert!(table.contains("联系企业") && table.contains("2026-02-14"), "{table}");
    let table = ok(&["rules", "due", "--profile", "naiman-2025", "--received", "2026-02-13T09:00"]);
    assert!(table.contains("2026-02-28"), "{table}");
}

#[test]
fn rules_show_prints_every_profile_in_three_formats() {
    for p in ["x-district-2022", "ejinhoro-2024", "otog-front-2021", "naiman-2025"] {
        assert!(ok(&["rules", "show", "--profile", p]).contains(p));
        let toml = ok(&["rules", "show", "--profile", p, "--format", "toml"]);
        assert_eq!(
            duban_domain::policy::Policy::from_toml(&toml).unwrap(),
            duban_domain::policy::Policy::builtin(p).unwrap()
        );
        let json: serde_json::Value =
            serde_json::from_str(&ok(&["rules", "show", "--profile", p, "--format", "json"])).unwrap();
        assert_eq!(json["name"], p);
    }
}

#[test]
fn the_default_config_is_printed_with_comments() {
    let out = ok(&["default-config"]);
    assert!(out.contains("# ") && out.contains("[database]") && out.contains("sqlite:duban.db"));
}

#[test]
fn a_config_file_and_environment_choose_the_rules() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("duban.toml");
    std::fs::write(&cfg, "[rules]\nprofile = \"naiman-2025\"\n").unwrap();
    assert!(ok(&["--config", cfg.to_str().unwrap(), "rules", "show"]).contains("naiman-2025"));
    let o = Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(["--config", cfg.to_str().unwrap(), "rules", "show"])
        .env("DUBAN_RULES__PROFILE", "ejinhoro-2024")
        .output()
        .unwrap();
    assert!(String::from_utf8(o.stdout).unwrap().contains("ejinhoro-2024"));
    let (code, err) = fails(&["--config", "/nonexistent/duban.toml", "rules", "show"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn init_units_import_and_calendar_import_work_on_a_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("d.db").display());
    assert!(ok(&["init", "--database", &url]).contains("已创建"));
    let units = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/units/naiman.toml");
    let out = ok(&["units", "import", units, "--database", &url]);
    assert!(out.contains("单位：新增 87"), "{out}");
    let again = ok(&["units", "import", units, "--database", &url]);
    assert!(again.contains("单位：新增 0，更新 0；单位组：新增 0，更新 0"), "{again}");
    let cal = dir.path().join("2027.json");
    std::fs::write(&cal, r#"{"years": {"2027": {"off": ["2027-01-01"], "work": []}}}"#).unwrap();
    let out = ok(&["calendar", "import", cal.to_str().unwrap(), "--database", &url]);
    assert!(out.contains("2015–2027 年"), "{out}");
    // The imported year is used at once by the calendar commands that name the database.
    assert_eq!(ok(&["calendar", "add", "2026-12-31", "1", "--database", &url]), "2027-01-04\n");
    assert_eq!(ok(&["calendar", "is-workday", "2027-01-01", "--database", &url]), "false\n");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{").unwrap();
    assert_eq!(fails(&["calendar", "import", bad.to_str().unwrap(), "--database", &url]).0, 2);
    let missing = format!("sqlite:{}", dir.path().join("missing.db").display());
    assert_eq!(fails(&["calendar", "is-workday", "2026-01-05", "--database", &missing]).0, 2);
}

#[tokio::test]
async fn the_demo_loads_units_people_and_tasks_into_a_fresh_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("demo.db").display());
    let out = ok(&["demo", "--database", &url, "--no-serve"]);
    assert!(out.contains("单位 87 个"), "{out}");
    for role in ["管理员", "督查室", "分管领导", "主要负责人", "经办人"] {
        assert!(out.contains(role), "{role}: {out}");
    }
    assert!(out.contains("8 项任务"), "{out}");
    assert!(out.contains("重点企业 30 家、重点项目 15 个"), "{out}");
    // The enterprise service on the one engine: gaps for 全覆盖, a steward flag of each kind, a
    // procedure past its committed date, a demand at every stage.
    assert!(out.contains("包联企业 26 家（4 家未包联，见“全覆盖”），本季走访 4 次"), "{out}");
    assert!(out.contains("项目管家 13 人次（1 个项目未配、1 人职级不够）"), "{out}");
    assert!(out.contains("前期手续 3 个项目 10 项（1 项已过承诺时限"), "{out}");
    assert!(
        out.contains("企业诉求 6 件：待分派 1、待联系 1、已联系 1、已解决并评价 1、难度较大 1、走访转来 1"),
        "{out}"
    );
    // What the lines say is what the database holds.
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.unwrap() }
    };
    assert_eq!(count("SELECT COUNT(*) FROM service_assignments WHERE kind = 'liaison'").await, 26);
    assert_eq!(count("SELECT COUNT(*) FROM service_assignments WHERE kind = 'steward'").await, 13);
    assert_eq!(count("SELECT COUNT(*) FROM service_visits").await, 4);
    assert_eq!(count("SELECT COUNT(*) FROM service_problems WHERE demand_task_id IS NOT NULL").await, 1);
    assert_eq!(count("SELECT COUNT(*) FROM procedures WHERE task_id IS NOT NULL").await, 10);
    assert_eq!(count("SELECT COUNT(*) FROM demands").await, 6);
    assert_eq!(count("SELECT COUNT(*) FROM demands WHERE task_id IS NULL").await, 1);
    assert_eq!(count("SELECT COUNT(*) FROM demands WHERE rating IS NOT NULL").await, 1);
    assert_eq!(count("SELECT COUNT(*) FROM tasks WHERE source = 'enterprise'").await, 5);
    pool.close().await;
    // A second demo into the same database is refused rather than mixed in.
    let (code, err) = fails(&["demo", "--database", &url, "--no-serve"]);
    assert_eq!(code, 2, "{err}");
}

#[tokio::test]
async fn serve_answers_health_checks_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("s.db").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(["serve", "--database", &url, "--bind", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    let start = line.find("http://").unwrap();
    let base = line[start..].split_whitespace().next().unwrap().trim_end_matches('/').to_string();
    let health: serde_json::Value = reqwest::get(format!("{base}/healthz")).await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn import_previews_a_document_and_commits_it_into_one_ledger() {
    let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seeds/003_70bf524fbdd19580.txt");
    let preview: serde_json::Value = serde_json::from_str(&ok(&["import", seed, "--format", "json"])).unwrap();
    assert_eq!(preview["tasks"].as_array().unwrap().len(), 274);
    assert_eq!(preview["document"]["issued"], "2022-03-18");
    assert!(ok(&["import", seed]).contains("共 274 项任务"));
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("i.db").display());
    let units = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/units/naiman.toml");
    ok(&["units", "import", units, "--database", &url]);
    // Seed 003 is of 2022: its deadlines have passed, and a commit says so and refuses them
    // unless confirmed; the tasks without a deadline may take one date.
    let (code, err) = fails(&["import", seed, "--commit", "--database", &url]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("文件年份：2022 年（取自发文日期）"), "{err}");
    assert!(
        err.contains("项任务未写明完成时限，将按时限规则计算（可用 --default-deadline 2022-12-31 统一设置）"),
        "{err}"
    );
    assert!(err.contains("导入后将立即逾期"), "{err}");
    let (code, err) = fails(&["import", seed, "--commit", "--database", &url, "--default-deadline", "2022-13-01"]);
    assert_eq!(code, 2, "{err}");
    let commit = |file: &str| {
        let o = duban(&[
            "import",
            file,
            "--commit",
            "--database",
            &url,
            "--format",
            "json",
            "--default-deadline",
            "2022-12-31",
            "--confirm-past-deadlines",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stderr).unwrap()
    };
    let first = commit(seed);
    assert!(first.contains("项任务未写明完成时限，统一设为 2022-12-31"), "{first}");
    assert!(first.contains("新增 274，更新 0，未变 0，撤销 0"), "{first}");
    assert!(commit(seed).contains("新增 0，更新 0，未变 274，撤销 0"));
    let text = std::fs::read_to_string(seed).unwrap();
    let changed = text.replace("12月底前申请人可凭电子营业执照", "11月底前申请人可凭电子营业执照");
    let changed: String =
        changed.lines().filter(|l| !l.trim_start().starts_with("（201）")).map(|l| format!("{l}\n")).collect();
    let file = dir.path().join("003-changed.txt");
    std::fs::write(&file, changed).unwrap();
    assert!(commit(file.to_str().unwrap()).contains("新增 0，更新 1，未变 272，撤销 1"));
    let (code, err) = fails(&["import", "/nonexistent.txt"]);
    assert_eq!(code, 2, "{err}");
}

#[tokio::test]
async fn audit_verify_passes_on_an_untouched_trail_and_finds_an_edited_event() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("a.db").display());
    ok(&["demo", "--database", &url, "--no-serve"]);
    assert!(ok(&["audit", "verify", "--database", &url]).contains("事件链完整：共 34 条记录"));
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query("DROP TRIGGER task_events_no_update").execute(&pool).await.unwrap();
    sqlx::query("UPDATE task_events SET kind = 'forged' WHERE id = 3").execute(&pool).await.unwrap();
    pool.close().await;
    let (code, err) = fails(&["audit", "verify", "--database", &url]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("记录 3") && err.contains("改动"), "{err}");
}

#[test]
fn tick_runs_one_pass_at_the_given_instant_and_a_second_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("t.db").display());
    ok(&["demo", "--database", &url, "--no-serve"]);
    // A week on, the demo's overdue tasks get their notices.
    let later =
        jiff::Zoned::now().checked_add(jiff::Span::new().days(7)).unwrap().strftime("%Y-%m-%dT%H:%M").to_string();
    let first: serde_json::Value =
        serde_json::from_str(&ok(&["supervise", "--database", &url, "--now", &later])).unwrap();
    assert!(first["open_tasks"].as_u64().unwrap() >= 6, "{first}");
    let again: serde_json::Value = serde_json::from_str(&ok(&["tick", "--database", &url, "--now", &later])).unwrap();
    assert_eq!(again["notices"], serde_json::json!([]));
    assert_eq!(again["reminders"], 0);
    assert_eq!(fails(&["tick", "--database", &url, "--now", "明天"]).0, 2);
}

#[tokio::test]
async fn the_first_administrator_is_added_from_the_command_line_and_can_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("users.db").display());
    ok(&["init", "--database", &url]);
    let add = |password: &str, extra: &[&str]| {
        let mut args = vec!["user", "add", "root", "--name", "管理员", "--role", "admin", "--database", &url];
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_duban"))
            .args(&args)
            .env_remove("DUBAN_DATABASE__URL")
            .env("DUBAN_PASSWORD", password)
            .output()
            .unwrap()
    };
    let short = add("short", &[]);
    assert_eq!(short.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&short.stderr).contains("密码至少 8 位"));
    // The password rule applies: not the user name inside, not a common password.
    let named = add("Root-2026-x", &[]);
    assert_eq!(named.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&named.stderr).contains("不能包含用户名"));
    let common = add("Admin@123", &[]);
    assert_eq!(common.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&common.stderr).contains("常见密码"));
    let o = add("Topsecret-1", &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let store = std::sync::Arc::new(duban_store_sqlite::SqliteStore::connect(&url).await.unwrap());
    let d = duban_app::service::Services::new(
        store,
        duban_domain::policy::Policy::builtin("x-district-2022").unwrap(),
        std::sync::Arc::new(duban_app::SystemClock),
        duban_domain::calendar::UnknownYears::Error,
    )
    .await
    .unwrap();
    let before = d.sign_in().sign_in("root", "Topsecret-1").await.unwrap();
    // The password can be reset from standard input, and it is never echoed.
    let mut child = Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(["user", "password", "root", "--database", &url])
        .env_remove("DUBAN_DATABASE__URL")
        .env_remove("DUBAN_PASSWORD")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"Topsecret-2\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Topsecret-2"));
    // The reset ended the session opened with the old password.
    assert!(d.sign_in().session(&before.token).await.unwrap().is_none(), "a session outlived the password reset");
    assert!(d.sign_in().sign_in("root", "Topsecret-1").await.is_err());
    let s = d.sign_in().sign_in("root", "Topsecret-2").await.unwrap();
    assert!(s.person.fields.roles.contains(&duban_domain::org::Role::Admin));
}
