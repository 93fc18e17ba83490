//! `duban backup` and `duban restore`: a consistent copy of a live database, and putting one
//! back. SQLite: `VACUUM INTO` (one read transaction, so every commit acknowledged before the
//! backup began is in it, whatever the server writes meanwhile — unlike a plain `cp` of the file,
//! which misses what is still in the WAL). PostgreSQL: `pg_dump --format=custom` and
//! `pg_restore`, which must be on PATH. A restore refuses a database that holds data unless
//! `--force`, and checks both hash chains (task events and the administrative log) of what it
//! restored.

use crate::Failure;
use crate::db::Backend;
use duban_app::config::DatabaseUrl;
use duban_store::{ChainReport, Counts, MetaStore, Store};
use duban_store_postgres::PgStore;
use duban_store_sqlite::SqliteStore;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The first bytes of each kind of backup file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
const PG_MAGIC: &[u8] = b"PGDMP";

/// The file a `sqlite:` URL names.
fn sqlite_path(url: &str) -> PathBuf {
    let rest = url.trim().strip_prefix("sqlite://").or_else(|| url.trim().strip_prefix("sqlite:")).unwrap_or(url);
    PathBuf::from(rest.split('?').next().unwrap_or(rest))
}

fn size_of(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn mib(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / 1_048_576.0)
}

pub fn describe(c: &Counts) -> String {
    format!(
        "任务 {}，任务记录 {}，督办通知 {}，用户 {}，单位 {}，管理日志 {}",
        c.tasks, c.task_events, c.notices, c.people, c.units, c.admin_events
    )
}

/// Both chains of a database; the first broken link of either is an error.
pub async fn verify_both(store: &dyn Store) -> Result<(ChainReport, ChainReport), Failure> {
    let tasks = store.verify_events().await?;
    let admin = store.verify_admin_events().await?;
    if let Some(b) = &tasks.broken {
        let at = match (b.event_id, b.task_id) {
            (Some(e), Some(t)) => format!("记录 {e}（任务 {t}）"),
            _ => "链尾".to_string(),
        };
        return Err(Failure::Other(anyhow::anyhow!("任务事件链在{at}处断裂：{}", b.reason)));
    }
    if let Some(b) = &admin.broken {
        let at = match b.event_id {
            Some(e) => format!("记录 {e}"),
            None => "链尾".to_string(),
        };
        return Err(Failure::Other(anyhow::anyhow!("管理日志链在{at}处断裂：{}", b.reason)));
    }
    Ok((tasks, admin))
}

/// The PostgreSQL URL without its password, and the password (for `PGPASSWORD`), so that the
/// password never appears in the process list.
fn pg_split(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://") else { return (url.to_string(), None) };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => (
            format!("{}://{}{}", &url[..scheme_end], &authority[..colon], &rest[at..]),
            Some(authority[colon + 1..at].to_string()),
        ),
        _ => (url.to_string(), None),
    }
}

/// Runs a PostgreSQL client program, with a clear error when it is not installed.
fn pg_tool(program: &str, args: &[&str], password: Option<&str>) -> Result<(), Failure> {
    let mut cmd = Command::new(program);
    cmd.args(args);
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Failure::Other(anyhow::anyhow!(
                "找不到 {program}：PostgreSQL 数据库的备份和恢复需要 PostgreSQL 客户端程序（Debian：apt-get install postgresql-client，版本不低于服务器）"
            ))
        } else {
            Failure::Other(anyhow::anyhow!("无法运行 {program}：{e}"))
        }
    })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(Failure::Other(anyhow::anyhow!("{program} 失败：{}", err.trim())));
    }
    Ok(())
}

/// `duban backup --database URL FILE`.
pub async fn backup(url: &str, file: &Path) -> Result<(), Failure> {
    if file.exists() {
        return Err(Failure::Input(format!("备份文件 {} 已存在，不会覆盖", file.display())));
    }
    let started = Instant::now();
    match Backend::of(url)? {
        Backend::Sqlite => {
            if !SqliteStore::exists(url).await {
                return Err(Failure::Input(format!("数据库 {url} 不存在")));
            }
            let store = SqliteStore::connect(url).await?;
            store.backup_into(file).await?;
            store.close().await;
            let took = started.elapsed();
            // Check the snapshot itself: its counts, and both chains.
            let snapshot = SqliteStore::connect(&format!("sqlite:{}", file.display())).await?;
            let counts = snapshot.counts().await?;
            let checked = verify_both(&snapshot).await;
            snapshot.close().await;
            checked?;
            say!("已备份到 {}（{}，用时 {:.2} 秒）", file.display(), mib(size_of(file)), took.as_secs_f64());
            say!("备份内容：{}；事件链和管理日志链完整", describe(&counts));
        }
        Backend::Postgres => {
            let (plain, password) = pg_split(url);
            let target = file.to_str().ok_or_else(|| Failure::Input("备份文件路径须为 UTF-8".into()))?;
            pg_tool(
                "pg_dump",
                &["--format=custom", "--no-owner", "--file", target, "--dbname", &plain],
                password.as_deref(),
            )?;
            say!(
                "已备份到 {}（pg_dump 自定义格式，{}，用时 {:.2} 秒）",
                file.display(),
                mib(size_of(file)),
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(())
}

/// `duban restore FILE --database URL [--force]`.
pub async fn restore(file: &Path, url: &str, force: bool) -> Result<(), Failure> {
    let mut head = [0u8; 16];
    {
        use std::io::Read as _;
        let mut f =
            std::fs::File::open(file).map_err(|e| Failure::Input(format!("无法读取 {}：{e}", file.display())))?;
        let _ = f.read(&mut head).map_err(|e| Failure::Input(format!("无法读取 {}：{e}", file.display())))?;
    }
    let started = Instant::now();
    let shown = DatabaseUrl::new(url).redacted();
    match Backend::of(url)? {
        Backend::Sqlite => {
            if !head.starts_with(SQLITE_MAGIC) {
                return Err(Failure::Input(format!("{} 不是 SQLite 数据库的备份", file.display())));
            }
            let target = sqlite_path(url);
            if SqliteStore::exists(url).await && !force {
                let existing = SqliteStore::connect(url).await?;
                let counts = existing.counts().await?;
                existing.close().await;
                if counts.holds_data() {
                    return Err(Failure::Input(format!(
                        "数据库 {shown} 已有数据（{}），不会覆盖；确需覆盖请加 --force",
                        describe(&counts)
                    )));
                }
            }
            // Restore beside the target, check it, then move it into place in one rename.
            let mut tmp = target.clone().into_os_string();
            tmp.push(".restoring");
            let tmp = PathBuf::from(tmp);
            remove_sqlite_files(&tmp)?;
            std::fs::copy(file, &tmp)
                .map_err(|e| Failure::Other(anyhow::anyhow!("无法写入 {}：{e}", tmp.display())))?;
            let restored = SqliteStore::connect(&format!("sqlite:{}", tmp.display())).await?;
            let counts = restored.counts().await?;
            let checked = verify_both(&restored).await;
            restored.close().await;
            if let Err(e) = checked {
                remove_sqlite_files(&tmp)?;
                return Err(e);
            }
            // The old file's WAL must not be applied to the new one; the rename then replaces the
            // file itself in one step.
            remove_sidecars(&target)?;
            std::fs::rename(&tmp, &target)
                .map_err(|e| Failure::Other(anyhow::anyhow!("无法替换 {}：{e}", target.display())))?;
            say!("已恢复到 {shown}（用时 {:.2} 秒）", started.elapsed().as_secs_f64());
            say!("恢复内容：{}；事件链和管理日志链完整", describe(&counts));
        }
        Backend::Postgres => {
            if !head.starts_with(PG_MAGIC) {
                return Err(Failure::Input(format!("{} 不是 pg_dump 自定义格式的备份", file.display())));
            }
            if !PgStore::create_empty(url).await? && !force {
                let existing = PgStore::connect(url, false).await?;
                let counts = existing.counts().await?;
                existing.close().await;
                if counts.holds_data() {
                    return Err(Failure::Input(format!(
                        "数据库 {shown} 已有数据（{}），不会覆盖；确需覆盖请加 --force",
                        describe(&counts)
                    )));
                }
            }
            let (plain, password) = pg_split(url);
            let source = file.to_str().ok_or_else(|| Failure::Input("备份文件路径须为 UTF-8".into()))?;
            pg_tool(
                "pg_restore",
                &[
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--exit-on-error",
                    "--single-transaction",
                    "--dbname",
                    &plain,
                    source,
                ],
                password.as_deref(),
            )?;
            let restored = PgStore::connect(url, false).await?;
            let counts = restored.counts().await?;
            let checked = verify_both(&restored).await;
            restored.close().await;
            checked?;
            say!("已恢复到 {shown}（用时 {:.2} 秒）", started.elapsed().as_secs_f64());
            say!("恢复内容：{}；事件链和管理日志链完整", describe(&counts));
        }
    }
    Ok(())
}

/// Removes a SQLite file and its WAL and shared-memory files, if there.
fn remove_sqlite_files(path: &Path) -> Result<(), Failure> {
    remove_with(path, &["", "-wal", "-shm"])
}

/// Removes a SQLite file's WAL and shared-memory files, if there.
fn remove_sidecars(path: &Path) -> Result<(), Failure> {
    remove_with(path, &["-wal", "-shm"])
}

fn remove_with(path: &Path, suffixes: &[&str]) -> Result<(), Failure> {
    for suffix in suffixes {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Failure::Other(anyhow::anyhow!("无法删除 {}：{e}", PathBuf::from(p).display()))),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_leave_the_url_for_the_environment() {
        assert_eq!(
            pg_split("postgres://duban:s3cret@db:5432/duban"),
            ("postgres://duban@db:5432/duban".to_string(), Some("s3cret".to_string()))
        );
        assert_eq!(pg_split("postgres://postgres@127.0.0.1/x"), ("postgres://postgres@127.0.0.1/x".to_string(), None));
        assert_eq!(sqlite_path("sqlite:/tmp/a.db?mode=rwc"), PathBuf::from("/tmp/a.db"));
        assert_eq!(sqlite_path("sqlite://data/duban.db"), PathBuf::from("data/duban.db"));
    }
}
