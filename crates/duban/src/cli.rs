//! The command line. The output of the `calendar` and `rules due` commands is stable: other
//! tools parse it.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "duban", version, about = "督办 Duban — 任务台账、工作日历、时限规则、督查督办")]
pub struct Cli {
    /// A TOML configuration file (see `duban default-config`).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create and migrate a database.
    Init(DbArg),
    /// Serve the API.
    Serve {
        #[command(flatten)]
        db: DbArg,
        /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free port).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Load the seed-003 units and sample tasks into a fresh database, print them, and serve.
    Demo {
        /// Database URL; by default a new SQLite file duban-demo.db (replaced on each run).
        #[arg(long)]
        database: Option<String>,
        #[arg(long)]
        bind: Option<String>,
        /// Load the data and exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Print the commented default configuration.
    DefaultConfig,
    /// The working-day calendar.
    #[command(subcommand)]
    Calendar(CalendarCmd),
    /// Units and unit groups.
    #[command(subcommand)]
    Units(UnitsCmd),
    /// Users who sign in: the first administrator, password resets.
    #[command(subcommand)]
    User(UserCmd),
    /// Time-limit rules.
    #[command(subcommand)]
    Rules(RulesCmd),
    /// Run one supervision pass and print what it created, as JSON (`tick` is its old name).
    #[command(alias = "tick")]
    Supervise {
        #[command(flatten)]
        db: DbArg,
        /// The instant of the pass (Beijing time, e.g. 2022-12-31T10:00); default now.
        #[arg(long)]
        now: Option<String>,
    },
    /// The tamper-evident trails: task events and the administrative log.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Write a consistent backup of a live database to FILE (SQLite: VACUUM INTO; PostgreSQL:
    /// pg_dump --format=custom, which must be on PATH).
    Backup {
        file: PathBuf,
        #[command(flatten)]
        db: DbArg,
    },
    /// Restore a backup into a database (stop the server first). Refuses a database that holds
    /// data unless --force; checks both hash chains of what it restored.
    Restore {
        file: PathBuf,
        #[command(flatten)]
        db: DbArg,
        /// Replace a database that holds data.
        #[arg(long)]
        force: bool,
    },
    /// Read a document (text, .docx, .xlsx/.xls/.csv, HTML) into tasks. Prints the preview and
    /// writes nothing, unless --commit.
    Import {
        file: PathBuf,
        /// The year for deadlines written without one (default: the document's).
        #[arg(long)]
        year: Option<i16>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Write the tasks into the ledger named after the document (updating it if it exists).
        #[arg(long)]
        commit: bool,
        /// The deadline of every task without one of its own (YYYY-MM-DD; the document year's
        /// 12-31 is the usual reading of a yearly plan). Without it the time-limit rules give
        /// such tasks 5–10 working days.
        #[arg(long, value_name = "YYYY-MM-DD")]
        default_deadline: Option<String>,
        /// Commit even though some deadlines (own or default) have already passed; without it
        /// such a commit is refused, as the tasks would be overdue at once.
        #[arg(long)]
        confirm_past_deadlines: bool,
        /// Resolve units against this database (and commit into it); without it, the preview
        /// uses the shipped unit directory.
        #[arg(long)]
        database: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct DbArg {
    /// Database URL: sqlite:FILE or postgres://… (default from the configuration).
    #[arg(long)]
    pub database: Option<String>,
}

#[derive(Debug, Args)]
pub struct CalendarOpts {
    /// Also apply the holiday data imported into this database.
    #[arg(long)]
    pub database: Option<String>,
    /// For years without holiday data, count weekends only (the answer is provisional).
    #[arg(long)]
    pub weekends_only: bool,
}

#[derive(Debug, Subcommand)]
pub enum CalendarCmd {
    /// Print `true` or `false`.
    IsWorkday {
        date: String,
        #[command(flatten)]
        opts: CalendarOpts,
    },
    /// Print the N-th working day after DATE (N = 0: DATE if a working day, else the next one).
    Add {
        date: String,
        #[arg(allow_negative_numbers = true)]
        n: String,
        #[command(flatten)]
        opts: CalendarOpts,
    },
    /// Print the number of working days after A up to and including B.
    Between {
        a: String,
        b: String,
        #[command(flatten)]
        opts: CalendarOpts,
    },
    /// Import holiday data (same JSON format as cn-holidays.json) into the database.
    Import {
        file: PathBuf,
        #[command(flatten)]
        db: DbArg,
        /// A note kept with the import.
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UnitsCmd {
    /// Load a unit directory file (e.g. data/units/naiman.toml).
    Import {
        file: PathBuf,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Add a person who can sign in. The password is read from DUBAN_PASSWORD, or else from the
    /// first line of standard input; it is never an argument (it would stay in the shell's
    /// history and the process list).
    Add {
        username: String,
        /// The person's name (姓名).
        #[arg(long)]
        name: String,
        /// Roles: admin, office, leader, unit_head, officer (or their Chinese names); repeatable.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// The unit, by name or alias.
        #[arg(long)]
        unit: Option<String>,
        #[command(flatten)]
        db: DbArg,
    },
    /// Set a person's password (from DUBAN_PASSWORD or standard input), clearing failed attempts.
    Password {
        username: String,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Toml,
}

#[derive(Debug, Subcommand)]
pub enum RulesCmd {
    /// Print the rules of a profile (default: the configured rules).
    Show {
        #[arg(long)]
        profile: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Print each stage of a task received at a given time, with its due date.
    Due {
        #[arg(long)]
        profile: Option<String>,
        /// When the task was received: 2026-02-13T16:00 (Beijing time) or RFC 3339.
        #[arg(long)]
        received: String,
        #[arg(long)]
        complexity: Option<String>,
        #[arg(long)]
        source: Option<String>,
        #[arg(long)]
        priority: Option<String>,
        /// The task's own deadline, YYYY-MM-DD.
        #[arg(long)]
        deadline: Option<String>,
        /// Other clock events that happened, e.g. --event done=2026-03-01T10:00 (repeatable).
        #[arg(long = "event", value_name = "EVENT=TIME")]
        events: Vec<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        #[command(flatten)]
        opts: CalendarOpts,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Check the hash chains over every task event and every administrative change: exit 0 when
    /// both hold, else report the first broken link of either and exit 1.
    Verify(DbArg),
}
