//! # duban
//!
//! The thin binary of Duban (督办). It reads the layered configuration, opens the database the
//! URL names, and hands each command to the server crate's service layer. Errors carry their
//! context with `anyhow`; bad input and dates outside the holiday data exit with status 2 and a
//! message on stderr, any other failure with status 1.

/// Writes a line to stdout. A closed pipe (`duban import … | head`) ends the output quietly
/// instead of panicking.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

/// Writes to stdout without a newline; see [`say!`].
macro_rules! put {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($t)*);
    }};
}

mod backup;
mod cli;
mod db;
mod demo;
mod table;

use anyhow::Context;
use clap::Parser;
use cli::{AuditCmd, CalendarCmd, CalendarOpts, Cli, Command, Format, RulesCmd, UnitsCmd};
use duban_app::SystemClock;
use duban_app::actor::Actor;
use duban_app::config::{Config, DEFAULT_CONFIG};
use duban_app::rules::compile_calendar;
use duban_app::service::Services;
use duban_domain::calendar::{Calendar, CalendarFile, UnknownYears};
use duban_domain::policy::{ClockEvent, Policy, TaskFacts};
use duban_domain::schedule::schedule;
use duban_domain::task::{Complexity, Priority, Source, parse_date, parse_instant};
use duban_server::startup::Application;
use duban_store::Store;
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;

/// How a command failed: bad input (exit 2) or anything else (exit 1).
enum Failure {
    Input(String),
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

impl From<duban_domain::Error> for Failure {
    fn from(e: duban_domain::Error) -> Self {
        use duban_domain::Error as E;
        match e {
            E::Invalid { .. } | E::Calendar(_) | E::NotFound { .. } | E::ImportPastDeadlines(_) => {
                Failure::Input(e.to_string())
            }
            other => Failure::Other(anyhow::Error::new(other)),
        }
    }
}

type Outcome = Result<(), Failure>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(m)) => {
            eprintln!("错误：{m}");
            ExitCode::from(2)
        }
        Err(Failure::Other(e)) => {
            eprintln!("错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(config: &Config, quiet: bool) {
    let filter = if quiet { "warn".to_string() } else { config.log.level.clone() };
    let filter =
        tracing_subscriber::EnvFilter::try_new(&filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

async fn run(cli: Cli) -> Outcome {
    let config = Config::load(cli.config.as_deref()).map_err(|e| Failure::Input(e.to_string()))?;
    let serving = matches!(cli.command, Command::Serve { .. } | Command::Demo { no_serve: false, .. });
    init_logging(&config, !serving);
    match cli.command {
        Command::DefaultConfig => {
            put!("{DEFAULT_CONFIG}");
            Ok(())
        }
        Command::Init(db) => {
            let url = db.database.unwrap_or_else(|| config.database.url.expose().to_string());
            let store = db::connect(&url, true).await?;
            store.ping().await?;
            say!("已创建并迁移数据库：{}", duban_app::config::DatabaseUrl::new(url).redacted());
            Ok(())
        }
        Command::Serve { db, bind } => {
            let url = db.database.unwrap_or_else(|| config.database.url.expose().to_string());
            let bind = bind.unwrap_or_else(|| config.server.bind.clone());
            let duban = open(&config, &url).await?;
            serve(duban, &bind, &config.jobs).await
        }
        Command::Demo { database, bind, no_serve } => {
            let bind = bind.unwrap_or_else(|| config.server.bind.clone());
            demo::run(&config, database, &bind, no_serve).await
        }
        Command::Calendar(cmd) => calendar(&config, cmd).await,
        Command::Units(UnitsCmd::Import { file, db }) => {
            let url = db.database.unwrap_or_else(|| config.database.url.expose().to_string());
            let text = std::fs::read_to_string(&file)
                .map_err(|e| Failure::Input(format!("无法读取 {}：{e}", file.display())))?;
            let duban = open(&config, &url).await?;
            let r =
                duban.admin().load_unit_directory(&Actor::command_line(), &text, &file.display().to_string()).await?;
            say!(
                "单位：新增 {}，更新 {}；单位组：新增 {}，更新 {}；名称和别名 {} 个",
                r.units_created,
                r.units_updated,
                r.groups_created,
                r.groups_updated,
                r.names
            );
            Ok(())
        }
        Command::Rules(cmd) => rules(&config, cmd).await,
        Command::User(cmd) => user(&config, cmd).await,
        Command::Supervise { db, now } => {
            let url = db.database.unwrap_or_else(|| config.database.url.expose().to_string());
            let duban = open(&config, &url).await?;
            let at = match now {
                Some(t) => parse_instant("now", &t, &duban.core().policy().timezone())?,
                None => duban.core().now(),
            };
            let summary = duban.supervision().pass(at).await?;
            say!("{}", serde_json::to_string_pretty(&summary).context("序列化结果")?);
            Ok(())
        }
        Command::Audit(AuditCmd::Verify(db)) => {
            let url = db.database.unwrap_or_else(|| config.database.url.expose().to_string());
            let store = db::connect_existing(&url).await?;
            let (tasks, admin) = backup::verify_both(&*store).await?;
            say!("事件链完整：共 {} 条记录（其中 {} 条早于事件链建立）", tasks.events, tasks.unsealed);
            say!("管理日志链完整：共 {} 条记录", admin.events);
            Ok(())
        }
        Command::Backup { file, db } => {
            let url = db.database.unwrap_or_else(|| config.database.url.expose().to_string());
            backup::backup(&url, &file).await
        }
        Command::Restore { file, db, force } => {
            let url = db.database.unwrap_or_else(|| config.database.url.expose().to_string());
            backup::restore(&file, &url, force).await
        }
        Command::Import { file, year, format, commit, default_deadline, confirm_past_deadlines, database } => {
            let default_deadline = default_deadline
                .map(|d| duban_domain::task::parse_task_date("default-deadline", &d))
                .transpose()
                .map_err(|e| Failure::Input(e.to_string()))?;
            let opts = duban_app::document_import::CommitOptions { default_deadline, confirm_past_deadlines };
            import(&config, &file, year, format, commit.then_some(opts), database).await
        }
    }
}

async fn import(
    config: &Config,
    file: &std::path::Path,
    year: Option<i16>,
    format: Format,
    commit: Option<duban_app::document_import::CommitOptions>,
    database: Option<String>,
) -> Outcome {
    let bytes = std::fs::read(file).map_err(|e| Failure::Input(format!("无法读取 {}：{e}", file.display())))?;
    let filename = file.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
    let database = match (database, commit.is_some()) {
        (Some(url), _) => Some(url),
        (None, true) => Some(config.database.url.expose().to_string()),
        (None, false) => None,
    };
    let duban = match &database {
        Some(url) => Some(open(config, url).await?),
        None => None,
    };
    let preview = match &duban {
        Some(d) => d.document_import().preview(&bytes, &filename, year).await?,
        None => {
            let dir = duban_domain::org::UnitDirectory::from_toml(demo::NAIMAN_UNITS)?;
            let names = duban_import::Names::from_directory(&dir);
            let fallback_year = jiff::Zoned::now().year();
            let opts = duban_import::Options { year, filename: filename.clone(), fallback_year };
            duban_import::import(&bytes, &filename, &opts, &names).map_err(|e| Failure::Input(e.to_string()))?
        }
    };
    match format {
        Format::Json | Format::Toml => say!("{}", serde_json::to_string_pretty(&preview).context("序列化预览")?),
        Format::Table => put!("{}", table::preview(&preview)),
    }
    if let Some(d) = &duban {
        // What the office would see on the preview page, on standard error: the year, the
        // deadlines already past, the unknown units.
        let opts =
            duban_app::import_review::ReviewOptions { year, default_deadline: commit.and_then(|c| c.default_deadline) };
        let r = d.document_import().review(preview.clone(), opts).await?;
        eprintln!("文件年份：{} 年（{}）", r.year, r.year_from.label());
        if r.without_deadline > 0 {
            eprintln!(
                "{} 项任务未写明完成时限{}",
                r.without_deadline,
                match r.default_deadline {
                    Some(dd) => format!("，统一设为 {dd}"),
                    None => format!(
                        "，将按时限规则计算（可用 --default-deadline {} 统一设置）",
                        r.proposed_default_deadline
                    ),
                }
            );
        }
        if !r.past_deadlines.is_empty() {
            eprintln!("注意：{} 项任务的完成时限已过（今天是 {}）", r.past_deadlines.len(), r.today);
        }
        if !r.unknown_units.is_empty() {
            let names: Vec<&str> = r.unknown_units.iter().map(|u| u.name.as_str()).collect();
            eprintln!("不在单位名录中的单位：{}", names.join("、"));
        }
    }
    if let (Some(opts), Some(d)) = (commit, duban) {
        let r = d.document_import().commit(&preview, &opts, &Actor::command_line()).await?;
        eprintln!(
            "已写入台账“{}”：新增 {}，更新 {}，未变 {}，撤销 {}",
            r.ledger, r.created, r.updated, r.unchanged, r.withdrawn
        );
    }
    Ok(())
}

/// Opens the database and builds the services with the configured rules and calendar.
async fn open(config: &Config, url: &str) -> Result<Arc<Services>, Failure> {
    Ok(open_with_store(config, url).await?.0)
}

/// [`open`], also handing back the store itself, for the maintenance commands of this binary
/// that write beneath the use cases (the demo).
async fn open_with_store(config: &Config, url: &str) -> Result<(Arc<Services>, Arc<dyn Store>), Failure> {
    let store = db::connect_with(url, true, config.database.synchronous).await?;
    let policy = config.policy()?;
    let duban = Services::new(store.clone(), policy, Arc::new(SystemClock), config.calendar.unknown_years).await?;
    duban.outbox().set_channels(duban_app::outbox::Channels::from_config(&config.notify)?);
    duban.sign_in().set_web_settings(config.server.web_settings());
    duban.supervision().set_issuer(&config.office.name);
    Ok((Arc::new(duban), store))
}

/// Serves until Ctrl-C or SIGTERM.
async fn serve(duban: Arc<Services>, bind: &str, jobs: &duban_app::config::JobsConfig) -> Outcome {
    let duban_job = duban.clone();
    let app = Application::bind(bind, duban).await.with_context(|| format!("无法监听 {bind}"))?;
    let addr = app.local_addr().context("无法读取监听地址")?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let job = tokio::spawn(duban_app::jobs::Runner::new(duban_job).configured(jobs).run(stop_rx));
    say!("Duban 已启动：http://{addr}/  接口：http://{addr}/api/v1/  文档：http://{addr}/api/v1/openapi.json");
    say!("按 Ctrl-C 停止。");
    app.run(shutdown_signal()).await.context("服务异常停止")?;
    let _ = stop_tx.send(true);
    let _ = job.await;
    say!("Duban 已停止。");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// The calendar for the CLI: built-in data, plus a database's imports when one is named.
async fn cli_calendar(config: &Config, opts: &CalendarOpts) -> Result<Calendar, Failure> {
    let unknown = if opts.weekends_only { UnknownYears::WeekendsOnly } else { config.calendar.unknown_years };
    let mut files = Vec::new();
    if let Some(url) = &opts.database {
        files = db::connect_existing(url).await?.calendar_files().await?;
    }
    Ok(compile_calendar(&files, unknown)?)
}

fn note_provisional(provisional: bool) {
    if provisional {
        eprintln!("注意：该结果涉及尚未导入节假日数据的年份，仅按周末计算，为暂定结果。");
    }
}

async fn calendar(config: &Config, cmd: CalendarCmd) -> Outcome {
    match cmd {
        CalendarCmd::IsWorkday { date, opts } => {
            let cal = cli_calendar(config, &opts).await?;
            let r = cal.is_workday(parse_date("date", &date)?).map_err(duban_domain::Error::from)?;
            say!("{}", r.value);
            note_provisional(r.provisional);
        }
        CalendarCmd::Add { date, n, opts } => {
            let n: i32 = n.trim().parse().map_err(|_| Failure::Input(format!("工作日数“{n}”应为整数")))?;
            let cal = cli_calendar(config, &opts).await?;
            let r = cal.add_workdays(parse_date("date", &date)?, n).map_err(duban_domain::Error::from)?;
            say!("{}", r.value);
            note_provisional(r.provisional);
        }
        CalendarCmd::Between { a, b, opts } => {
            let cal = cli_calendar(config, &opts).await?;
            let r =
                cal.workdays_between(parse_date("a", &a)?, parse_date("b", &b)?).map_err(duban_domain::Error::from)?;
            say!("{}", r.value);
            note_provisional(r.provisional);
        }
        CalendarCmd::Import { file, db, note } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| Failure::Input(format!("无法读取 {}：{e}", file.display())))?;
            let parsed = CalendarFile::parse_json(&text).map_err(duban_domain::Error::from)?;
            let url = db.database.unwrap_or_else(|| config.database.url.expose().to_string());
            let duban = open(config, &url).await?;
            let note = if note.is_empty() { file.display().to_string() } else { note };
            let r = duban.admin().load_calendar_file(&Actor::command_line(), parsed, &note).await?;
            let years: Vec<String> = r.years.iter().map(i16::to_string).collect();
            say!(
                "已导入 {} 年的节假日数据；现有数据：{}；重新计算了 {} 项未办结任务的时限",
                years.join("、"),
                r.coverage,
                r.rescheduled
            );
        }
    }
    Ok(())
}

/// An instant as RFC 3339 in the rules' time zone, e.g. 2026-02-25T17:30:00+08:00.
fn local_rfc3339(t: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> String {
    t.to_zoned(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

async fn rules(config: &Config, cmd: RulesCmd) -> Outcome {
    let policy_for = |p: &Option<String>| -> Result<Policy, Failure> {
        Ok(match p {
            Some(name) => Policy::builtin(name)?,
            None => config.policy()?,
        })
    };
    match cmd {
        RulesCmd::Show { profile, format } => {
            let p = policy_for(&profile)?;
            match format {
                Format::Toml => put!("{}", p.to_toml()),
                Format::Json => say!("{}", serde_json::to_string_pretty(&p).context("序列化规则")?),
                Format::Table => put!("{}", table::policy(&p)),
            }
            Ok(())
        }
        RulesCmd::Due { profile, received, complexity, source, priority, deadline, events, format, opts } => {
            let p = policy_for(&profile)?;
            let tz = p.timezone();
            let received = parse_instant("received", &received, &tz)?;
            let facts = TaskFacts {
                source: source.map(|s| s.parse()).transpose()?.unwrap_or(Source::Other),
                priority: priority.map(|s| s.parse()).transpose()?.unwrap_or(Priority::Routine),
                complexity: complexity.map(|s| s.parse()).transpose()?.unwrap_or(Complexity::General),
                deadline: deadline.map(|d| parse_date("deadline", &d)).transpose()?,
            };
            let mut clock = BTreeMap::from([(ClockEvent::Received, received)]);
            for e in &events {
                let (name, at) = e
                    .split_once('=')
                    .ok_or_else(|| Failure::Input(format!("事件“{e}”应写成 事件=时间，如 done=2026-03-01T10:00")))?;
                clock.insert(name.parse()?, parse_instant("event", at, &tz)?);
            }
            let cal = cli_calendar(config, &opts).await?;
            let s = schedule(&p, &cal, &facts, &clock);
            match format {
                Format::Json | Format::Toml => {
                    let out = serde_json::json!({
                        "profile": p.name,
                        "received": local_rfc3339(received, &tz),
                        "stages": s.stages.iter().map(|st| serde_json::json!({
                            "stage": st.stage, "name": st.name, "start": st.start, "stop": st.stop,
                            "duration": st.duration, "clause": st.clause, "counts_from": st.counts_from,
                            "due": st.due, "due_at": st.due_at.map(|t| local_rfc3339(t, &tz)),
                            "warn_from": st.warn_from, "provisional": st.provisional, "problem": st.problem,
                        })).collect::<Vec<_>>(),
                    });
                    say!("{}", serde_json::to_string_pretty(&out).context("序列化结果")?);
                }
                Format::Table => put!("{}", table::due(&p, received, &s)),
            }
            if let Some(problem) = s.stages.iter().find_map(|st| st.problem.as_ref()) {
                return Err(Failure::Input(problem.clone()));
            }
            note_provisional(s.stages.iter().any(|st| st.provisional));
            Ok(())
        }
    }
}

/// The password for `duban user`: DUBAN_PASSWORD, or the first line of standard input.
fn read_password() -> Result<String, Failure> {
    if let Ok(p) = std::env::var("DUBAN_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| Failure::Input(format!("无法读取密码：{e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn user(config: &Config, cmd: cli::UserCmd) -> Result<(), Failure> {
    match cmd {
        cli::UserCmd::Add { username, name, roles, unit, db } => {
            let url = db.database.unwrap_or_else(|| config.database.url.expose().to_string());
            let duban = open(config, &url).await?;
            let unit_id = match unit {
                Some(u) => match duban.queries().resolve_name(&u).await? {
                    Some(duban_store::PartyRef::Unit(id)) => Some(id),
                    _ => return Err(Failure::Input(format!("单位“{u}”不在单位名录中"))),
                },
                None => None,
            };
            let password = read_password()?;
            let input = duban_domain::org::PersonInput {
                name,
                username,
                unit_id,
                roles,
                title: String::new(),
                phone: String::new(),
                email: String::new(),
                domains: vec![],
                charge_units: vec![],
            };
            let fields = input.parse()?;
            duban_app::sign_in::check_password(&fields.username, &password)?;
            let p = duban.admin().add_person(&Actor::command_line(), &fields, Some(&password)).await?;
            say!("已添加用户 {}（{}），可以登录", p.fields.username, p.fields.name);
            Ok(())
        }
        cli::UserCmd::Password { username, db } => {
            let url = db.database.unwrap_or_else(|| config.database.url.expose().to_string());
            let duban = open(config, &url).await?;
            let people = duban.queries().all_people().await?;
            let p = people
                .into_iter()
                .find(|p| p.fields.username == username)
                .ok_or_else(|| Failure::Input(format!("没有用户名为“{username}”的用户")))?;
            duban.admin().set_password(&Actor::command_line(), p.id, &read_password()?).await?;
            say!("已重设 {} 的密码", p.fields.username);
            Ok(())
        }
    }
}
