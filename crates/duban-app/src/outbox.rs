//! [`Outbox`], delivering messages from the outbox: the in-app inbox needs no transport; e-mail goes over
//! SMTP (lettre) and SMS through a configurable HTTP gateway. A failed attempt is retried with
//! growing intervals (1 min, 5 min, 30 min, 2 h, 12 h) and given up after the sixth.
//!
//! A message may wait hours for working time; at the moment it leaves, its recipient must still
//! be able to see its task, and an e-mail or SMS must not carry the content of a task that has
//! since become 涉密 (issue 9, [`duban_domain::visibility`]). Such a message is not sent.
//!
//! Several processes may deliver from one database: each claims a batch before sending it
//! ([`duban_store::JobStore::claim_messages`]), so no message is sent by two of them.

use crate::access::members_of;
use crate::config::NotifyConfig;
use crate::jobs::Holder;
use crate::ports::Ports;
use duban_domain::Error;
use duban_domain::ids::{PersonId, TaskId};
use duban_domain::org::Person;
use duban_domain::task::Task;
use duban_domain::visibility::{Audience, Channel, Disclosure, Members, disclosure};
use duban_store::{Delivery, DirectoryStore, JobStore, Message, OutboxStore, PeopleStore, TaskStore};
use jiff::{SignedDuration, Timestamp};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Arc, RwLock};

/// How long a process may take to send a claimed message and record what became of it.
const CLAIM_FOR: SignedDuration = SignedDuration::from_secs(300);
/// Messages claimed at once, and sent per channel in one run at the most.
const BATCH: u32 = 50;
const PER_RUN: u32 = 200;

/// Seconds to wait after the n-th failed attempt (1-based); none after the last.
const BACKOFF: [i64; 5] = [60, 300, 1800, 7200, 43200];

/// When to try again after `attempts` failed attempts, or `None` to give up.
pub fn retry_at(now: Timestamp, attempts: i64) -> Option<Timestamp> {
    let i = usize::try_from(attempts).ok()?.checked_sub(1)?;
    BACKOFF.get(i).map(|s| now + SignedDuration::from_secs(*s))
}

struct Email {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

struct Sms {
    client: reqwest::Client,
    url: String,
    body: String,
    header: Option<(String, String)>,
}

/// The configured transports.
#[derive(Default)]
pub struct Channels {
    email: Option<Email>,
    sms: Option<Sms>,
}

impl Channels {
    pub fn from_config(c: &NotifyConfig) -> Result<Self, Error> {
        let email = if c.email.smtp_host.trim().is_empty() {
            None
        } else {
            let from: Mailbox = c
                .email
                .from
                .parse()
                .map_err(|_| Error::invalid("notify.email.from", format!("发件地址“{}”无效", c.email.from)))?;
            // An intranet relay: plain SMTP, as the deployment configures it.
            let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(c.email.smtp_host.trim())
                .port(c.email.smtp_port);
            if !c.email.username.is_empty() {
                b = b.credentials(Credentials::new(c.email.username.clone(), c.email.password.expose().to_string()));
            }
            Some(Email { transport: b.build(), from })
        };
        let sms = if c.sms.url.trim().is_empty() {
            None
        } else {
            let header =
                c.sms.auth_header.expose().split_once(':').map(|(k, v)| (k.trim().to_string(), v.trim().to_string()));
            Some(Sms {
                client: reqwest::Client::new(),
                url: c.sms.url.trim().to_string(),
                body: c.sms.body.clone(),
                header,
            })
        };
        Ok(Self { email, sms })
    }

    fn handles(&self, channel: &str) -> bool {
        match channel {
            "email" => self.email.is_some(),
            "sms" => self.sms.is_some(),
            _ => false,
        }
    }

    async fn send(&self, m: &Message) -> Result<(), String> {
        let msg = &m.message;
        match (msg.channel.as_str(), &self.email, &self.sms) {
            ("email", Some(e), _) => {
                let to: Mailbox = msg.address.parse().map_err(|_| format!("收件地址“{}”无效", msg.address))?;
                let mail = lettre::Message::builder()
                    .from(e.from.clone())
                    .to(to)
                    .subject(msg.subject.clone())
                    .body(msg.body.clone())
                    .map_err(|err| err.to_string())?;
                e.transport.send(mail).await.map(|_| ()).map_err(|err| err.to_string())
            }
            ("sms", _, Some(s)) => {
                let esc = |v: &str| serde_json::to_string(v).unwrap_or_default().trim_matches('"').to_string();
                let text = format!("【督办】{}：{}", msg.subject, msg.body);
                let body = s.body.replace("{phone}", &esc(&msg.address)).replace("{text}", &esc(&text));
                let mut req = s.client.post(&s.url).header("content-type", "application/json").body(body);
                if let Some((k, v)) = &s.header {
                    req = req.header(k.as_str(), v.as_str());
                }
                let resp = req.send().await.map_err(|err| err.without_url().to_string())?;
                if resp.status().is_success() { Ok(()) } else { Err(format!("短信网关返回 {}", resp.status())) }
            }
            (other, _, _) => Err(format!("渠道 {other} 未配置")),
        }
    }
}

/// The outbox as a service of its own: the transports in force and delivery, over only the
/// ports it reads and writes (the outbox, the claims of the job port, and the tasks, people
/// and groups that decide whether a message may still go).
pub struct Outbox {
    outbox: Arc<dyn OutboxStore>,
    claims: Arc<dyn JobStore>,
    tasks: Arc<dyn TaskStore>,
    people: Arc<dyn PeopleStore>,
    directory: Arc<dyn DirectoryStore>,
    /// The transports for e-mail and SMS (none until configured).
    channels: RwLock<Arc<Channels>>,
}

impl Outbox {
    /// The outbox over these ports, with no transport configured.
    pub fn new(ports: &Ports) -> Self {
        Self {
            outbox: ports.outbox.clone(),
            claims: ports.jobs.clone(),
            tasks: ports.tasks.clone(),
            people: ports.people.clone(),
            directory: ports.directory.clone(),
            channels: RwLock::default(),
        }
    }

    /// Marks messages of the actor's own in-app inbox read at `at` (the desk's 标为已读): only
    /// their own, so ids of anyone else's change nothing. Returns how many.
    pub async fn mark_read(&self, by: &crate::actor::Actor, ids: &[i64], at: Timestamp) -> Result<u64, Error> {
        let person = by.person().ok_or(Error::Forbidden)?;
        if ids.len() > 500 {
            return Err(Error::invalid("id", "一次最多 500 条"));
        }
        self.outbox.mark_read(person.id, ids, at).await
    }

    /// Sets the e-mail and SMS transports.
    pub fn set_channels(&self, c: Channels) {
        let mut slot = self.channels.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        *slot = Arc::new(c);
    }

    fn channels(&self) -> Arc<Channels> {
        Arc::clone(&self.channels.read().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Delivers the messages whose time has come: the inbox at once, e-mail and SMS through
    /// their transports when configured (unconfigured channels wait in the outbox). Claims
    /// them as this process ([`Holder::of_process`]); the job runner uses [`Self::deliver_as`].
    pub async fn deliver(&self, now: Timestamp) -> Result<u32, Error> {
        self.deliver_as(Holder::of_process(), now).await
    }

    /// [`Self::deliver`] as `holder`: each batch of e-mail and SMS is claimed before it is
    /// sent, so that another process delivering at the same time skips it, and its outcome is
    /// recorded under the claim. A claim that expires before its outcome is recorded (the
    /// process died, or stalled past `CLAIM_FOR`, five minutes) leaves the message to be claimed again.
    pub async fn deliver_as(&self, holder: &Holder, now: Timestamp) -> Result<u32, Error> {
        let mut n = u32::try_from(self.outbox.deliver_inbox(now).await?).unwrap_or(u32::MAX);
        let channels = self.channels();
        let mut seen = Recipients::default();
        let until = now + CLAIM_FOR;
        for channel in ["email", "sms"] {
            if !channels.handles(channel) {
                continue;
            }
            let mut left = PER_RUN;
            while left > 0 {
                let batch = self.claims.claim_messages(channel, holder.as_str(), now, until, BATCH.min(left)).await?;
                left = left.saturating_sub(u32::try_from(batch.len()).unwrap_or(u32::MAX));
                let last = batch.len() < BATCH as usize;
                for m in batch {
                    let outcome = match self.withheld(&m, &mut seen).await? {
                        Some(reason) => {
                            tracing::info!(id = m.id, channel, "message not sent: its recipient may no longer read it");
                            Delivery::Failed { error: reason.into(), retry_at: None }
                        }
                        None => match channels.send(&m).await {
                            Ok(()) => Delivery::Sent { at: now },
                            Err(error) => {
                                tracing::warn!(id = m.id, channel, attempts = m.attempts + 1, %error, "delivery failed");
                                Delivery::Failed { error, retry_at: retry_at(now, m.attempts + 1) }
                            }
                        },
                    };
                    let recorded = self.claims.finish_claimed(m.id, holder.as_str(), &outcome).await?;
                    if !recorded {
                        tracing::warn!(id = m.id, channel, "claim expired before the outcome was recorded");
                    } else if matches!(outcome, Delivery::Sent { .. }) {
                        n += 1;
                    }
                }
                if last {
                    break;
                }
            }
        }
        Ok(n)
    }
}

/// What one delivery run has read of tasks, people and groups.
#[derive(Default)]
struct Recipients {
    members: Option<Members>,
    tasks: HashMap<TaskId, Option<Task>>,
    people: HashMap<PersonId, Option<Person>>,
}

impl Outbox {
    /// Why a message may not go now, if it may not: its recipient may no longer see its task, or
    /// it carries the content of a task its channel may no longer carry.
    async fn withheld(&self, m: &Message, r: &mut Recipients) -> Result<Option<&'static str>, Error> {
        let msg = &m.message;
        let (Some(task_id), Some(person_id)) = (msg.task_id, msg.person_id) else { return Ok(None) };
        if r.members.is_none() {
            r.members = Some(members_of(self.directory.as_ref()).await?);
        }
        if let Entry::Vacant(slot) = r.tasks.entry(task_id) {
            slot.insert(match self.tasks.get_task(task_id).await {
                Ok(t) => Some(t),
                Err(Error::NotFound { .. }) => None,
                Err(e) => return Err(e),
            });
        }
        if let Entry::Vacant(slot) = r.people.entry(person_id) {
            slot.insert(match self.people.get_person(person_id).await {
                Ok(p) => Some(p),
                Err(Error::NotFound { .. }) => None,
                Err(e) => return Err(e),
            });
        }
        let (Some(Some(task)), Some(Some(person)), Some(members)) =
            (r.tasks.get(&task_id), r.people.get(&person_id), r.members.as_ref())
        else {
            return Ok(Some("任务或收件人已不存在，不再发送"));
        };
        if !Audience::of(person).sees(task, members) {
            return Ok(Some("收件人已无权查看该任务，不再发送"));
        }
        let title = task.fields.title.as_str();
        let carries = !title.is_empty() && (msg.subject.contains(title) || msg.body.contains(title));
        if carries && disclosure(task.fields.classification, Channel::of_message(&msg.channel)) == Disclosure::Withheld
        {
            return Ok(Some("任务已定为涉密，其内容不经邮件和短信发送"));
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_and_stop() {
        let t: Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
        assert_eq!(retry_at(t, 1), Some(t + SignedDuration::from_secs(60)));
        assert_eq!(retry_at(t, 5), Some(t + SignedDuration::from_secs(43200)));
        assert_eq!(retry_at(t, 6), None);
        assert_eq!(retry_at(t, 0), None);
    }
}
