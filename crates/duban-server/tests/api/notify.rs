//! Delivery to real local receivers the test starts: an SMTP server that accepts mail, and an
//! HTTP SMS gateway that fails once and then accepts. Failed attempts are retried with backoff,
//! and a message whose recipient may no longer read its task is not sent at all.

use crate::helpers::*;
use duban_app::config::{EmailConfig, NotifyConfig, Secret, SmsConfig};
use duban_app::outbox::Channels;
use serde_json::json;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A minimal SMTP receiver: accepts every message and keeps its DATA.
pub(crate) async fn smtp_receiver() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let kept = mails.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 localhost ESMTP test\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(d) = data.as_mut() {
                        if line == "." {
                            kept.lock().unwrap().push(data.take().unwrap());
                            w.write_all(b"250 OK queued\r\n").await.unwrap();
                        } else {
                            d.push_str(&line);
                            d.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250-localhost\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            w.write_all(b"221 bye\r\n").await.unwrap();
                            break;
                        }
                        _ => b"250 OK\r\n",
                    };
                    w.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, mails)
}

/// An HTTP SMS gateway that answers 503 to the first request and 200 after.
async fn sms_gateway() -> (String, Arc<Mutex<Vec<(String, String)>>>) {
    let seen = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let kept = seen.clone();
    let app = axum::Router::new().route(
        "/send",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let kept = kept.clone();
            async move {
                let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                let mut v = kept.lock().unwrap();
                v.push((auth, body));
                if v.len() == 1 { axum::http::StatusCode::SERVICE_UNAVAILABLE } else { axum::http::StatusCode::OK }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

async fn the_sms(app: &TestApp) -> duban_store::Message {
    app.store.list_messages(None, 20).await.unwrap().into_iter().find(|m| m.message.channel == "sms").unwrap()
}

#[tokio::test]
async fn reminders_reach_a_real_smtp_server_and_an_sms_gateway_with_retries() {
    let app = spawn_app().await;
    let (smtp_port, mails) = smtp_receiver().await;
    let (sms_url, texts) = sms_gateway().await;
    let config = NotifyConfig {
        email: EmailConfig {
            smtp_host: "127.0.0.1".into(),
            smtp_port,
            from: "督查室 <duban@naiman.example>".into(),
            ..EmailConfig::default()
        },
        sms: SmsConfig {
            url: sms_url,
            auth_header: Secret::new("Authorization: Bearer test-token"),
            ..SmsConfig::default()
        },
    };
    app.duban.outbox().set_channels(Channels::from_config(&config).unwrap());
    let unit = app.unit("旗行政审批和政务服务局").await;
    let r = app
        .post("/api/v1/people", json!({"name": "陈经办", "username": "chen", "unit_id": unit, "roles": ["officer"], "email": "chen@naiman.example", "phone": "13800000000"}))
        .await;
    assert_eq!(r.status, reqwest::StatusCode::CREATED);
    app.clock.set(bj("2026-03-02T09:00"));
    app.task(json!({"title": "推行一照通办", "lead": [{"unit": unit}]})).await;
    // In the warning window during working hours: e-mail sent, SMS refused once.
    let s = app.duban.supervision().pass(bj("2026-03-04T10:00")).await.unwrap();
    assert_eq!(s.reminders, 1);
    let got = mails.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert!(got[0].contains("To: chen@naiman.example"), "{}", got[0]);
    let sms = the_sms(&app).await;
    assert_eq!((sms.status.as_str(), sms.attempts, sms.last_error.contains("503")), ("pending", 1, true));
    assert_eq!(sms.next_attempt_at, bj("2026-03-04T10:01"));
    // Too early for the retry: nothing sent; at the retry time, it goes.
    app.duban.outbox().deliver(bj("2026-03-04T10:00:30")).await.unwrap();
    assert_eq!(texts.lock().unwrap().len(), 1);
    app.duban.outbox().deliver(bj("2026-03-04T10:01")).await.unwrap();
    let texts = texts.lock().unwrap().clone();
    assert_eq!(texts.len(), 2);
    assert_eq!(texts[1].0, "Bearer test-token");
    let body: serde_json::Value = serde_json::from_str(&texts[1].1).unwrap();
    assert_eq!(body["phone"], "13800000000");
    assert!(body["text"].as_str().unwrap().contains("推行一照通办"));
    let sms = the_sms(&app).await;
    assert_eq!((sms.status.as_str(), sms.attempts), ("sent", 2));
    // Nothing is sent twice.
    app.duban.supervision().pass(bj("2026-03-04T11:00")).await.unwrap();
    assert_eq!(mails.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_message_waiting_for_working_hours_is_not_sent_once_its_recipient_may_no_longer_read_it() {
    let app = spawn_app().await;
    let (smtp_port, mails) = smtp_receiver().await;
    let (sms_url, texts) = sms_gateway().await;
    let config = NotifyConfig {
        email: EmailConfig { smtp_host: "127.0.0.1".into(), smtp_port, ..EmailConfig::default() },
        sms: SmsConfig { url: sms_url, ..SmsConfig::default() },
    };
    app.duban.outbox().set_channels(Channels::from_config(&config).unwrap());
    let unit = app.unit("旗行政审批和政务服务局").await;
    let r = app
        .post("/api/v1/people", json!({"name": "陈经办", "username": "chen", "unit_id": unit, "roles": ["officer"], "email": "chen@naiman.example", "phone": "13800000000"}))
        .await;
    assert_eq!(r.status, reqwest::StatusCode::CREATED);
    app.clock.set(bj("2026-03-02T09:00"));
    let task = app.task(json!({"title": "园区供电改造", "lead": [{"unit": unit}]})).await;
    // In the warning window, after working hours: the reminder waits for the morning.
    assert_eq!(app.duban.supervision().pass(bj("2026-03-04T20:00")).await.unwrap().reminders, 1);
    assert!(mails.lock().unwrap().is_empty() && texts.lock().unwrap().is_empty());
    // Overnight the task is classified 涉密, naming nobody: in the morning nothing leaves.
    let version = app.get(&format!("/api/v1/tasks/{}", task["id"])).await.json["version"].as_i64().unwrap();
    let r = app.patch(&format!("/api/v1/tasks/{}", task["id"]), version, json!({"classification": "涉密"})).await;
    assert_eq!(r.status, reqwest::StatusCode::OK, "{}", r.json);
    app.duban.outbox().deliver(bj("2026-03-05T09:00")).await.unwrap();
    assert!(mails.lock().unwrap().is_empty(), "{:?}", mails.lock().unwrap());
    assert!(texts.lock().unwrap().is_empty(), "{:?}", texts.lock().unwrap());
    let outside: Vec<_> =
        app.store.list_messages(None, 20).await.unwrap().into_iter().filter(|m| m.message.channel != "inbox").collect();
    assert_eq!(outside.len(), 2);
    for m in outside {
        assert_eq!((m.status.as_str(), m.last_error.as_str()), ("failed", "收件人已无权查看该任务，不再发送"));
    }
}
