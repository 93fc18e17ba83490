//! [`SignIn`]: sign-in, sessions and passwords (issue 5 §1, hardened after the security audit
//! of issue 9).
//!
//! Passwords are hashed with argon2id (PHC strings, a fresh salt each) and must follow
//! [`check_password`]. A session is a random 256-bit token given to the browser in an HttpOnly
//! cookie; the database keeps only its SHA-256, with the session's own CSRF token that every form
//! (and every cookie-authenticated API write) must echo. Resetting a person's password or
//! deactivating them ends all of their sessions.
//!
//! Guessing is throttled in memory by [`Guard`], without letting anyone lock out the real user:
//! - per (user name, client address): five free failures in a row, then a wait before the next
//!   attempt from that address is even checked — 30 s, doubling with each further failure, up to
//!   an hour. Attempts from other addresses are not affected, so a storm elsewhere never stops
//!   the right password from the user's own address;
//! - per client address: a budget of failed attempts (a burst of 20, one more every 30 s), so one
//!   address cannot spray many names;
//! - the attempt is counted (atomically, under a lock) before the password is checked and
//!   forgiven on success, so simultaneous guesses cannot slip past the count;
//! - unknown and known names are treated alike: the same throttling, the same hashing work, the
//!   same answer, so neither a 422 nor a 429 tells which names exist;
//! - at most [`HASHING_AT_ONCE`] password checks run at once (argon2id takes 19 MiB each) on the
//!   blocking pool, plus one lane kept for an (account, address) pair that signed in before;
//!   others wait up to three seconds, then get 429 with `Retry-After`. Memory stays flat under a
//!   storm.
//!
//! The throttle lives in the process: it restarts empty, and several server processes behind
//! one balancer each keep their own.

use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use duban_domain::Error;
use duban_domain::clock::Clock;
use duban_domain::ids::PersonId;
use duban_domain::org::{NewPerson, Person, Role};
use duban_store::{PeopleStore, Session, SignInStore};
use jiff::{SignedDuration, Timestamp};
use rand::RngCore;
use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a session lasts without signing in again: a working day and a half.
pub const SESSION_HOURS: i64 = 36;
/// Failures allowed from one address for one name before the backoff starts.
const FREE_FAILURES: i64 = 5;
const MAX_WAIT_SECS: i64 = 3600;
/// Failed attempts one client address may make in a burst…
pub const ADDRESS_BURST: i32 = 20;
/// …and the seconds after which it may make one more.
pub const ADDRESS_REFILL_SECS: i64 = 30;
/// Password checks (argon2id, 19 MiB each) at once, besides the lane for familiar sign-ins.
pub const HASHING_AT_ONCE: usize = 2;
/// How long a sign-in waits for its turn to be checked before it is told to come back.
const HASHING_WAIT: Duration = Duration::from_secs(3);
/// Records of failures idle this long are forgotten.
const FORGET_HOURS: i64 = 24;
/// A pair that signed in is familiar for this long.
const FAMILIAR_DAYS: i64 = 30;
/// Beyond this many records the idle ones are dropped at once.
const TRACKED_MAX: usize = 100_000;
/// The shortest password.
pub const MIN_PASSWORD_CHARS: usize = 8;
const MAX_PASSWORD_CHARS: usize = 128;
/// A well-formed hash no password matches, checked when the user name is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
/// Passwords people choose most often, lower-cased (see `tools/common-passwords.py`).
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// A signed-in session and its secret token (for the cookie); the token is never logged.
#[derive(Clone)]
pub struct SignedIn {
    pub token: String,
    pub session: Session,
    pub person: Person,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn").field("token", &"<redacted>").field("person", &self.person.id).finish()
    }
}

/// Settings of the web front that come from the configuration's `[server]` section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebSettings {
    /// Mark cookies `Secure` (served behind HTTPS).
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` is believed; empty: the peer address is the client.
    pub trusted_proxies: Vec<IpAddr>,
    /// The government the public pages speak for; empty: they name none.
    pub government: String,
}

fn argon() -> Argon2<'static> {
    // OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane).
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A random token: 32 bytes as hex (sessions, CSRF tokens, the sign-in form's token).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a session token, as stored.
pub fn token_hash(token: &str) -> String {
    duban_store::chain::sha256_hex(token.as_bytes())
}

/// Hashes a password with argon2id (on the calling thread; the service runs it on the blocking
/// pool, one of [`HASHING_AT_ONCE`]).
pub fn hash_password(password: &str) -> Result<String, Error> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|_| Error::Internal)?;
    argon().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|_| Error::Internal)
}

/// The argon2 crate's own check, which [`verify_with`] is tested against.
#[cfg(test)]
fn verify(password: &str, phc: &str) -> bool {
    use argon2::password_hash::PasswordVerifier;
    PasswordHash::new(phc).is_ok_and(|h| argon().verify_password(password.as_bytes(), &h).is_ok())
}

/// Argon2id working memory (19 MiB a check), kept for reuse. Allocated afresh on each of the
/// blocking pool's threads, freed blocks stayed in every thread's allocator arena and a storm
/// grew the process by hundreds of MiB; reused, it stays at one block per turn.
#[derive(Debug, Default)]
struct Memory(Mutex<Vec<Vec<argon2::Block>>>);

impl Memory {
    fn with<T>(&self, blocks: usize, f: impl FnOnce(&mut [argon2::Block]) -> T) -> T {
        let spare = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
        let mut m = spare.filter(|m| m.len() == blocks).unwrap_or_else(|| vec![argon2::Block::default(); blocks]);
        let out = f(&mut m);
        let mut pool = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if pool.len() <= HASHING_AT_ONCE {
            pool.push(m);
        }
        out
    }
}

/// [`verify`] with working memory from `memory`.
fn verify_with(memory: &Memory, password: &str, phc: &str) -> bool {
    let Ok(h) = PasswordHash::new(phc) else { return false };
    let (Some(salt), Some(expected)) = (h.salt, h.hash) else { return false };
    let (Ok(params), Ok(algorithm)) = (Params::try_from(&h), Algorithm::try_from(h.algorithm)) else { return false };
    let Ok(version) = h.version.map_or(Ok(Version::default()), Version::try_from) else { return false };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else { return false };
    let mut out = vec![0u8; expected.len()];
    let blocks = params.block_count();
    let a = Argon2::new(algorithm, version, params);
    let hashed = memory.with(blocks, |m| a.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, m));
    // Constant-time comparison of the outputs.
    hashed.is_ok()
        && out.len() == expected.len()
        && out.iter().zip(expected.as_bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// The wait after the `failures`-th failure in a row, if any.
pub fn backoff(failures: i64) -> Option<SignedDuration> {
    let over = failures - FREE_FAILURES;
    (over >= 0).then(|| SignedDuration::from_secs((30i64 << over.min(10)).min(MAX_WAIT_SECS)))
}

fn common_passwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON_PASSWORDS.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
    })
}

/// The password rule (等保 practice), one for everyone:
/// - at least 8 characters (at most 128), not beginning or ending with a space, not only spaces;
/// - at least three of five kinds: upper-case letters, lower-case letters, digits, symbols, and
///   letters of other scripts (汉字 count as a kind of their own);
/// - not one of the few thousand most common passwords (whatever the case, and with any symbols
///   at either end taken off);
/// - not containing the user name (names of three characters or more, whatever the case).
///
/// The error says in Chinese what is wrong.
pub fn check_password(username: &str, password: &str) -> Result<(), Error> {
    let bad = |m: &str| Err(Error::invalid("password", m));
    if password.trim().is_empty() {
        return bad("密码不能为空，也不能只有空格");
    }
    if password.trim() != password {
        return bad("密码首尾不能有空格");
    }
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return bad("密码至少 8 位");
    }
    if n > MAX_PASSWORD_CHARS {
        return bad("密码不能超过 128 位");
    }
    if password.chars().any(char::is_control) {
        return bad("密码不能包含控制字符");
    }
    let has = |f: &dyn Fn(char) -> bool| password.chars().any(f);
    let kinds = [
        has(&|c| c.is_ascii_uppercase()),
        has(&|c| c.is_ascii_lowercase()),
        has(&|c| c.is_ascii_digit()),
        has(&|c| c.is_ascii_punctuation() || c == ' ' || (!c.is_ascii() && !c.is_alphanumeric())),
        has(&|c| !c.is_ascii() && c.is_alphanumeric()),
    ]
    .iter()
    .filter(|k| **k)
    .count();
    if kinds < 3 {
        return bad("密码须包含大写字母、小写字母、数字、符号、汉字（等其他文字）五类中的至少三类");
    }
    let lower = password.to_lowercase();
    // A common password with symbols added at either end (Woaini1314!, @Admin123) is as common.
    let bare = lower.trim_matches(|c: char| c.is_ascii_punctuation());
    if common_passwords().contains(lower.as_str()) || common_passwords().contains(bare) {
        return bad("该密码是常见密码，容易被猜中，请换一个");
    }
    let name = username.trim().to_lowercase();
    if name.chars().count() >= 3 && lower.contains(&name) {
        return bad("密码不能包含用户名");
    }
    Ok(())
}

/// The part of an address that stands for one client: an IPv4 address whole, an IPv6 address by
/// its /64 (one household or office gets a whole /64).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// Failures of one name from one address.
#[derive(Debug, Clone, Copy)]
struct Pair {
    failures: i64,
    until: Option<Timestamp>,
    last: Timestamp,
}

/// Who may try to sign in now (see the module's documentation).
#[derive(Debug, Default)]
struct Throttle {
    pairs: HashMap<(String, IpAddr), Pair>,
    /// Per address, the "theoretical arrival time" of the budget (GCRA): failures push it one
    /// refill period on; an attempt is refused while it lies more than a burst ahead.
    addresses: HashMap<IpAddr, Timestamp>,
    /// Pairs that signed in, and when.
    familiar: HashMap<(String, IpAddr), Timestamp>,
}

fn wait_secs(until: Timestamp, now: Timestamp) -> u64 {
    u64::try_from(until.duration_since(now).as_secs()).unwrap_or(0).max(1)
}

impl Throttle {
    /// The answer for a pair or an address that must wait.
    fn refusal(&self, key: &(String, IpAddr), now: Timestamp) -> Option<Error> {
        if let Some(until) = self.pairs.get(key).and_then(|p| p.until).filter(|u| *u > now) {
            return Some(Error::TooManyAttempts { retry_after_secs: wait_secs(until, now) });
        }
        let period = SignedDuration::from_secs(ADDRESS_REFILL_SECS);
        let tat = self.addresses.get(&key.1).copied().unwrap_or(now).max(now);
        let allowed_from = tat - period * (ADDRESS_BURST - 1);
        (allowed_from > now).then(|| Error::TooManyAttempts { retry_after_secs: wait_secs(allowed_from, now) })
    }

    /// Counts an attempt as a failure before it is checked, unless it must wait.
    fn reserve(&mut self, key: &(String, IpAddr), now: Timestamp) -> Result<(), Error> {
        if let Some(e) = self.refusal(key, now) {
            return Err(e);
        }
        self.forget_idle(now);
        let p = self.pairs.entry(key.clone()).or_insert(Pair { failures: 0, until: None, last: now });
        p.failures += 1;
        p.last = now;
        p.until = backoff(p.failures).map(|w| now + w);
        let tat = self.addresses.entry(key.1).or_insert(now);
        *tat = (*tat).max(now) + SignedDuration::from_secs(ADDRESS_REFILL_SECS);
        Ok(())
    }

    /// Forgives the attempt counted by [`Throttle::reserve`]: the password was right, or the
    /// check could not be made.
    fn forgive(&mut self, key: &(String, IpAddr), signed_in: bool, now: Timestamp) {
        if signed_in {
            self.pairs.remove(key);
            self.familiar.insert(key.clone(), now);
        } else if let Some(p) = self.pairs.get_mut(key) {
            p.failures -= 1;
            p.until = backoff(p.failures).map(|w| now + w);
        }
        if let Some(tat) = self.addresses.get_mut(&key.1) {
            *tat -= SignedDuration::from_secs(ADDRESS_REFILL_SECS);
        }
    }

    fn is_familiar(&self, key: &(String, IpAddr), now: Timestamp) -> bool {
        self.familiar.get(key).is_some_and(|t| now.duration_since(*t) < SignedDuration::from_hours(24 * FAMILIAR_DAYS))
    }

    fn forget_idle(&mut self, now: Timestamp) {
        let tracked = self.pairs.len() + self.addresses.len() + self.familiar.len();
        if tracked < TRACKED_MAX {
            return;
        }
        let idle = SignedDuration::from_hours(FORGET_HOURS);
        self.pairs.retain(|_, p| p.until.is_some_and(|u| u > now) || now.duration_since(p.last) < idle);
        self.addresses.retain(|_, tat| *tat > now);
        let familiar = SignedDuration::from_hours(24 * FAMILIAR_DAYS);
        self.familiar.retain(|_, t| now.duration_since(*t) < familiar);
    }
}

/// The sign-in guard a [`SignIn`] keeps: the throttle, the turns at hashing, and the settings.
#[derive(Debug)]
pub struct Guard {
    throttle: Mutex<Throttle>,
    hashing: Arc<Semaphore>,
    familiar_lane: Arc<Semaphore>,
    memory: Arc<Memory>,
    settings: RwLock<Arc<WebSettings>>,
}

impl Default for Guard {
    fn default() -> Self {
        Self {
            throttle: Mutex::default(),
            hashing: Arc::new(Semaphore::new(HASHING_AT_ONCE)),
            familiar_lane: Arc::new(Semaphore::new(1)),
            memory: Arc::default(),
            settings: RwLock::default(),
        }
    }
}

impl Guard {
    fn throttle(&self) -> std::sync::MutexGuard<'_, Throttle> {
        self.throttle.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A turn at hashing, waited for at most [`HASHING_WAIT`].
    async fn turn(&self, familiar: bool) -> Result<OwnedSemaphorePermit, Error> {
        let general = self.hashing.clone();
        let lane = self.familiar_lane.clone();
        let wait = async move {
            if familiar {
                tokio::select! {
                    p = general.acquire_owned() => p,
                    p = lane.acquire_owned() => p,
                }
            } else {
                general.acquire_owned().await
            }
        };
        match tokio::time::timeout(HASHING_WAIT, wait).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Error::TooManyAttempts { retry_after_secs: 1 }),
        }
    }
}

/// Runs argon2id work on the blocking pool, holding a turn until it is done (even if the request
/// that asked for it has gone).
async fn hashing<T: Send + 'static>(
    permit: OwnedSemaphorePermit,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(move || {
        let out = work();
        drop(permit);
        out
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        Error::Internal
    })
}

/// The sign-in area as a service of its own: it reaches only the people and sign-in ports, and
/// keeps the [`Guard`] (the throttle, the turns at hashing) and the web front's settings.
pub struct SignIn {
    people: Arc<dyn PeopleStore>,
    credentials: Arc<dyn SignInStore>,
    clock: Arc<dyn Clock>,
    guard: Guard,
}

impl SignIn {
    /// The sign-in service over these ports, reading the time from `clock`.
    pub fn new(people: Arc<dyn PeopleStore>, credentials: Arc<dyn SignInStore>, clock: Arc<dyn Clock>) -> Self {
        Self { people, credentials, clock, guard: Guard::default() }
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The settings of the web front.
    pub fn web_settings(&self) -> Arc<WebSettings> {
        match self.guard.settings.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    pub fn set_web_settings(&self, s: WebSettings) {
        match self.guard.settings.write() {
            Ok(mut g) => *g = Arc::new(s),
            Err(p) => *p.into_inner() = Arc::new(s),
        }
    }

    /// Sets a person's password (see [`check_password`]) and ends all their sessions.
    pub async fn set_password(&self, person: PersonId, password: &str) -> Result<(), Error> {
        let p = self.people.get_person(person).await?;
        check_password(&p.fields.username, password)?;
        let permit = self.guard.turn(false).await?;
        let owned = password.to_string();
        let hash = hashing(permit, move || hash_password(&owned)).await??;
        self.credentials.set_password(person, &hash, self.now()).await?;
        self.credentials.delete_sessions_of(person).await?;
        Ok(())
    }

    /// Checks a user name and password and opens a session, as a client on this machine (the
    /// command line and tests).
    pub async fn sign_in(&self, username: &str, password: &str) -> Result<SignedIn, Error> {
        self.sign_in_from(username, password, IpAddr::V4(Ipv4Addr::UNSPECIFIED)).await
    }

    /// Checks a user name and password from a client address and opens a session.
    pub async fn sign_in_from(&self, username: &str, password: &str, client: IpAddr) -> Result<SignedIn, Error> {
        let wrong = || Error::invalid("password", "用户名或密码不正确");
        let key = (username.trim().to_string(), client_key(client));
        let familiar = {
            let t = self.guard.throttle();
            if let Some(e) = t.refusal(&key, self.now()) {
                return Err(e);
            }
            t.is_familiar(&key, self.now())
        };
        let permit = self.guard.turn(familiar).await?;
        let now = self.now();
        self.guard.throttle().reserve(&key, now)?;
        let credential = match self.credentials.credential(&key.0).await {
            Ok(c) => c,
            Err(e) => {
                self.guard.throttle().forgive(&key, false, now);
                return Err(e);
            }
        };
        // An unknown name costs the same work as a known one and gets the same answer.
        let phc = credential.as_ref().map_or_else(|| DUMMY_HASH.to_string(), |c| c.password_hash.clone());
        let given = password.to_string();
        let memory = self.guard.memory.clone();
        let right = match hashing(permit, move || verify_with(&memory, &given, &phc)).await {
            Ok(ok) => ok,
            Err(e) => {
                self.guard.throttle().forgive(&key, false, now);
                return Err(e);
            }
        };
        let Some(c) = credential.filter(|_| right) else {
            tracing::info!(client = %key.1, "sign-in failed");
            return Err(wrong());
        };
        self.guard.throttle().forgive(&key, true, now);
        let token = random_token();
        let session = Session {
            token_hash: token_hash(&token),
            person_id: c.person.id,
            csrf: random_token(),
            created_at: now,
            expires_at: now + SignedDuration::from_hours(SESSION_HOURS),
        };
        self.credentials.create_session(&session).await?;
        Ok(SignedIn { token, session, person: c.person })
    }

    /// The session and person a cookie's token stands for, if it is current and the person
    /// still active.
    pub async fn session(&self, token: &str) -> Result<Option<(Session, Person)>, Error> {
        let Some(s) = self.credentials.session(&token_hash(token), self.now()).await? else { return Ok(None) };
        let p = self.people.get_person(s.person_id).await?;
        Ok(p.active.then_some((s, p)))
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), Error> {
        self.credentials.delete_session(&token_hash(token)).await
    }

    /// Refuses a change that would leave no active administrator.
    async fn keep_an_administrator(&self, person: PersonId, stays_admin: bool) -> Result<(), Error> {
        if stays_admin {
            return Ok(());
        }
        let people = self.people.list_people().await?;
        let admin = |p: &&Person| p.active && p.fields.roles.contains(&Role::Admin);
        let is_admin = people.iter().filter(admin).any(|p| p.id == person);
        if is_admin && !people.iter().filter(admin).any(|p| p.id != person) {
            return Err(Error::Conflict("这是唯一的管理员，不能取消其管理员角色或停用；请先让另一人成为管理员".into()));
        }
        Ok(())
    }

    /// Changes a person, keeping at least one active administrator.
    pub async fn update_person(&self, person: PersonId, fields: &NewPerson) -> Result<Person, Error> {
        self.keep_an_administrator(person, fields.roles.contains(&Role::Admin)).await?;
        self.people.update_person(person, fields).await
    }

    /// Deactivates a person and ends their sessions, keeping at least one active administrator.
    pub async fn deactivate_person(&self, person: PersonId) -> Result<(), Error> {
        self.keep_an_administrator(person, false).await?;
        self.people.deactivate_person(person).await?;
        self.credentials.delete_sessions_of(person).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash_password("correct horse").unwrap();
        let b = hash_password("correct horse").unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_ne!(a, b);
        assert!(verify("correct horse", &a));
        assert!(!verify("correct hors", &a));
        assert!(!verify("x", "not a hash"));
        // The same with reused working memory.
        let m = Memory::default();
        assert!(verify_with(&m, "correct horse", &a) && verify_with(&m, "correct horse", &b));
        assert!(!verify_with(&m, "correct hors", &a));
        assert!(!verify_with(&m, "x", "not a hash") && !verify_with(&m, "x", DUMMY_HASH));
        assert_eq!(m.0.lock().unwrap().len(), 1, "one block of memory, reused");
        // The stand-in for unknown names parses, so checking it costs a real hash.
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn backoff_starts_after_five_failures_and_doubles_to_an_hour() {
        let secs = |n| backoff(n).map(|d| d.as_secs());
        assert_eq!((secs(4), secs(5), secs(6), secs(7)), (None, Some(30), Some(60), Some(120)));
        assert_eq!((secs(12), secs(100)), (Some(3600), Some(3600)));
    }

    fn why(username: &str, password: &str) -> String {
        check_password(username, password).map_or_else(|e| e.to_string(), |()| "ok".into())
    }

    #[test]
    fn weak_passwords_are_refused_with_the_reason_in_chinese() {
        assert!(why("wang", "        ").contains("不能为空"), "{}", why("wang", "        "));
        assert!(why("wang", " Abcdefg1!").contains("首尾不能有空格"));
        assert!(why("wang", "Ab1!").contains("至少 8 位"));
        assert!(why("wang", "password").contains("三类"));
        assert!(why("wang", "abcdefgh").contains("三类"));
        assert!(why("wang", "12345678").contains("三类"));
        // Common passwords, whatever their case, even when they mix kinds.
        for p in ["Password@123", "P@ssw0rd", "Admin@123", "Woaini1314!", "1qaz@WSX", "Qwer1234!", "Aa123456@"] {
            assert!(why("wang", p).contains("常见密码"), "{p}: {}", why("wang", p));
        }
        assert!(why("zhangsan", "Zhangsan@2026x").contains("用户名"));
        assert!(why("office", "duban-office-1").contains("用户名"));
    }

    #[test]
    fn sound_passwords_pass() {
        for p in ["奈曼旗2026!", "Xk7#mQ2v", "督办-Naiman-7", "correct Horse 42"] {
            assert_eq!(why("wang", p), "ok", "{p}");
        }
        // A name shorter than three characters does not forbid its letters.
        assert_eq!(why("li", "Lin-2026-x"), "ok");
        assert!(common_passwords().len() > 5000);
        assert!(common_passwords().contains("woaini1314"));
    }

    /// The client address itself is found in `http::client` (tested there).
    #[test]
    fn ipv6_clients_count_by_their_64() {
        // IPv6 clients count by their /64.
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_eq!(client_key("::ffff:192.0.2.1".parse().unwrap()), "192.0.2.1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn an_address_has_a_budget_of_failures_that_refills() {
        let mut t = Throttle::default();
        let now: Timestamp = "2026-03-02T01:00:00Z".parse().unwrap();
        let addr: IpAddr = "192.0.2.7".parse().unwrap();
        // Twenty names, one failure each: the twenty-first name from the same address waits.
        for i in 0..ADDRESS_BURST {
            t.reserve(&(format!("user{i}"), addr), now).unwrap();
        }
        let e = t.reserve(&("another".into(), addr), now).unwrap_err();
        assert_eq!(e, Error::TooManyAttempts { retry_after_secs: 30 });
        // Another address is not held up, and after 30 s this one may try once more.
        t.reserve(&("another".into(), "192.0.2.8".parse().unwrap()), now).unwrap();
        let later = now + SignedDuration::from_secs(30);
        t.reserve(&("another".into(), addr), later).unwrap();
        assert!(t.reserve(&("third".into(), addr), later).is_err());
    }
}
