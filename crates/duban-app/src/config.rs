//! Layered configuration, after lldap: built-in defaults, then a TOML file, then `DUBAN_`
//! environment variables (`DUBAN_DATABASE__URL`, `DUBAN_SERVER__BIND`, …; a double underscore
//! separates a section from its key). Secrets, such as a password inside the database URL, are
//! redacted whenever the configuration is printed with `{:?}`.

use duban_domain::calendar::UnknownYears;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// The commented default configuration printed by `duban default-config`.
pub const DEFAULT_CONFIG: &str = include_str!("../default-config.toml");

/// A string that must never be logged, such as a database URL with a password in it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with any password replaced by `***`, fit for logs and messages.
    pub fn redacted(&self) -> String {
        let s = &self.0;
        let Some(scheme_end) = s.find("://") else { return s.clone() };
        let rest = &s[scheme_end + 3..];
        let authority_end = rest.find('/').unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(at), Some(colon)) if colon < at => {
                format!("{}://{}:***{}", &s[..scheme_end], &authority[..colon], &rest[at..])
            }
            _ => s.clone(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// A password or token: kept as given, shown as *** in `{:?}`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "\"***\"" })
    }
}

/// E-mail over SMTP (a relay on the intranet). Disabled while `smtp_host` is empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmailConfig {
    pub smtp_host: String,
    pub smtp_port: u16,
    pub from: String,
    pub username: String,
    pub password: Secret,
}

impl Default for EmailConfig {
    fn default() -> Self {
        Self {
            smtp_host: String::new(),
            smtp_port: 25,
            from: "duban@localhost".into(),
            username: String::new(),
            password: Secret::default(),
        }
    }
}

/// SMS through an HTTP gateway. Disabled while `url` is empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmsConfig {
    pub url: String,
    /// The request body; {phone} and {text} are replaced (JSON-escaped).
    pub body: String,
    /// A header sent with every request, e.g. "Authorization: Bearer …".
    pub auth_header: Secret,
}

impl Default for SmsConfig {
    fn default() -> Self {
        Self {
            url: String::new(),
            body: r#"{"phone": "{phone}", "text": "{text}"}"#.into(),
            auth_header: Secret::default(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotifyConfig {
    pub email: EmailConfig,
    pub sms: SmsConfig,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite:duban.db` (the embedded default) or `postgres://user@host/db`.
    pub url: DatabaseUrl,
    /// SQLite only: `full` (default; every commit synced before it is acknowledged) or
    /// `normal` (faster; the last commits may be lost on a power loss).
    #[serde(default)]
    pub synchronous: Synchronous,
}

/// `PRAGMA synchronous` for SQLite databases.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    #[default]
    Full,
    Normal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub bind: String,
    /// Mark the session cookies `Secure`: set it when users reach Duban over HTTPS (through a
    /// reverse proxy that terminates TLS). Off by default, for plain HTTP on an intranet.
    #[serde(default)]
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` header names the real client (for sign-in
    /// throttling). Empty by default: the peer address is the client, and the header is ignored.
    #[serde(default)]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The government the public pages speak for (e.g. 奈曼旗人民政府), shown in their header.
    #[serde(default)]
    pub government: String,
}

impl ServerConfig {
    /// The settings the web front takes from this section.
    pub fn web_settings(&self) -> crate::sign_in::WebSettings {
        crate::sign_in::WebSettings {
            secure_cookies: self.secure_cookies,
            trusted_proxies: self.trusted_proxies.iter().map(|ip| ip.to_canonical()).collect(),
            government: self.government.trim().to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    /// A built-in profile: x-district-2022, ejinhoro-2024, otog-front-2021, naiman-2025.
    pub profile: String,
    /// A policy file of the deployment's own, overriding the profile (optional).
    pub file: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    /// `error` (default) or `weekends-only` for dates in years without holiday data.
    pub unknown_years: UnknownYears,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// A tracing filter, e.g. `info` or `duban=debug,sqlx=warn`.
    pub level: String,
}

/// The supervision office that issues the notices: its name heads a printed 督办通知单
/// (发文机关标志) and signs it (落款).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OfficeConfig {
    /// The office's full name, e.g. "奈曼旗人民政府督查室".
    pub name: String,
}

impl Default for OfficeConfig {
    fn default() -> Self {
        Self { name: crate::supervision::DEFAULT_ISSUER.into() }
    }
}

/// How often the server's background jobs run, in seconds ([`crate::jobs`]): each runs in one
/// process of several under a lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobsConfig {
    /// The supervision pass (reminders, 督办 notices, escalation, naming).
    pub supervision_seconds: u64,
    /// Delivery of the outbox (in-app messages, e-mail, SMS).
    pub outbox_seconds: u64,
    /// The assessment's refresh (the facts of the tasks whose trail grew).
    pub assessment_seconds: u64,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self { supervision_seconds: 60, outbox_seconds: 30, assessment_seconds: 60 }
    }
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub database: DatabaseConfig,
    pub server: ServerConfig,
    pub rules: RulesConfig,
    pub calendar: CalendarConfig,
    pub log: LogConfig,
    #[serde(default)]
    pub notify: NotifyConfig,
    #[serde(default)]
    pub office: OfficeConfig,
    #[serde(default)]
    pub jobs: JobsConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database: DatabaseConfig { url: DatabaseUrl::new("sqlite:duban.db"), synchronous: Synchronous::Full },
            server: ServerConfig {
                bind: "127.0.0.1:8080".into(),
                secure_cookies: false,
                trusted_proxies: vec![],
                government: String::new(),
            },
            rules: RulesConfig { profile: duban_domain::policy::DEFAULT_PROFILE.into(), file: None },
            calendar: CalendarConfig { unknown_years: UnknownYears::Error },
            log: LogConfig { level: "info".into() },
            notify: NotifyConfig::default(),
            office: OfficeConfig::default(),
            jobs: JobsConfig::default(),
        }
    }
}

/// A configuration that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("配置有误：{0}")]
pub struct ConfigError(String);

impl Config {
    /// The rules in force: the deployment's policy file if one is named, else the profile.
    pub fn policy(&self) -> Result<duban_domain::policy::Policy, duban_domain::Error> {
        use duban_domain::policy::Policy;
        match &self.rules.file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    duban_domain::Error::invalid("rules.file", format!("无法读取规则文件 {}：{e}", path.display()))
                })?;
                Policy::from_toml(&text)
            }
            None => Policy::builtin(&self.rules.profile),
        }
    }

    /// Defaults, then `file` if given (it must exist), then `DUBAN_` variables from `env`.
    pub fn load_from(file: Option<&Path>, env: Env) -> Result<Self, ConfigError> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(f) = file {
            if !f.is_file() {
                return Err(ConfigError(format!("配置文件 {} 不存在", f.display())));
            }
            fig = fig.merge(Toml::file_exact(f));
        }
        fig.merge(env).extract().map_err(|e| ConfigError(e.to_string()))
    }

    /// Defaults, then `file`, then the process environment. Only `DUBAN_` variables that
    /// name a section of the configuration are read, so others (such as the tests'
    /// `DUBAN_TEST_PG_URL`) are left alone rather than rejected as unknown keys.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        const SECTIONS: [&str; 8] = ["database", "server", "rules", "calendar", "log", "notify", "office", "jobs"];
        let env = Env::prefixed("DUBAN_")
            .filter(|k| SECTIONS.iter().any(|s| k.as_str().to_ascii_lowercase().starts_with(&format!("{s}__"))))
            .split("__");
        Self::load_from(file, env)
    }
}

#[cfg(test)]
// figment's Jail fixes the closure's error type; its size is not ours to choose.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_default_is_the_built_in_default() {
        let parsed: Config = toml::from_str(DEFAULT_CONFIG).unwrap();
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn a_file_overrides_defaults_and_the_environment_overrides_the_file() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "duban.toml",
                "[database]\nurl = \"sqlite:from-file.db\"\n[server]\nbind = \"0.0.0.0:9000\"",
            )?;
            jail.set_env("DUBAN_SERVER__BIND", "127.0.0.1:7000");
            jail.set_env("DUBAN_RULES__PROFILE", "naiman-2025");
            jail.set_env("DUBAN_OFFICE__NAME", "奈曼旗人民政府督查室");
            jail.set_env("DUBAN_TEST_PG_URL", "postgres://elsewhere/x");
            let c = Config::load(Some(Path::new("duban.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(c.database.url.expose(), "sqlite:from-file.db");
            assert_eq!(c.server.bind, "127.0.0.1:7000");
            assert_eq!(c.rules.profile, "naiman-2025");
            assert_eq!(c.office.name, "奈曼旗人民政府督查室");
            assert_eq!(c.log.level, "info");
            assert!(!c.server.secure_cookies && c.server.trusted_proxies.is_empty());
            Ok(())
        });
    }

    #[test]
    fn secure_cookies_and_trusted_proxies_are_read_and_bad_addresses_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "duban.toml",
                "[server]\nbind = \"0.0.0.0:9000\"\nsecure_cookies = true\ntrusted_proxies = [\"10.0.0.1\", \"::1\"]\ngovernment = \" 奈曼旗人民政府 \"",
            )?;
            let c = Config::load(Some(Path::new("duban.toml"))).map_err(|e| e.to_string())?;
            let w = c.server.web_settings();
            assert!(w.secure_cookies);
            assert_eq!(w.government, "奈曼旗人民政府");
            assert_eq!(
                w.trusted_proxies,
                vec!["10.0.0.1".parse::<std::net::IpAddr>().unwrap(), "::1".parse().unwrap()]
            );
            jail.create_file("bad.toml", "[server]\nbind = \"x\"\ntrusted_proxies = [\"proxy.local\"]")?;
            assert!(Config::load(Some(Path::new("bad.toml"))).is_err());
            Ok(())
        });
    }

    #[test]
    fn sqlite_durability_is_full_unless_normal_is_chosen() {
        assert_eq!(Config::default().database.synchronous, Synchronous::Full);
        figment::Jail::expect_with(|jail| {
            jail.set_env("DUBAN_DATABASE__SYNCHRONOUS", "normal");
            assert_eq!(Config::load(None).map_err(|e| e.to_string())?.database.synchronous, Synchronous::Normal);
            jail.set_env("DUBAN_DATABASE__SYNCHRONOUS", "off");
            assert!(Config::load(None).is_err(), "only full and normal are offered");
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_and_missing_files_are_errors() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("bad.toml", "[server]\nbnid = \"x\"")?;
            assert!(Config::load(Some(Path::new("bad.toml"))).is_err());
            assert!(Config::load(Some(Path::new("missing.toml"))).unwrap_err().to_string().contains("不存在"));
            Ok(())
        });
    }

    #[test]
    fn passwords_never_show_in_debug_output() {
        let mut c = Config::default();
        c.database.url = DatabaseUrl::new("postgres://duban:s3cret@db.internal:5432/duban");
        c.notify.email.password = Secret::new("mailpass");
        c.notify.sms.auth_header = Secret::new("Authorization: Bearer tok3n");
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret") && !shown.contains("mailpass") && !shown.contains("tok3n"), "{shown}");
        assert!(shown.contains("postgres://duban:***@db.internal:5432/duban"));
        assert_eq!(DatabaseUrl::new("sqlite:duban.db").redacted(), "sqlite:duban.db");
        assert_eq!(DatabaseUrl::new("postgres://postgres@127.0.0.1/x").redacted(), "postgres://postgres@127.0.0.1/x");
    }
}
