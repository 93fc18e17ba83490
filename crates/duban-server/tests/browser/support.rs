//! What every browser flow uses: Chromium and its WebDriver, windows at desk and phone sizes,
//! signing in and out, acting on a task page, waiting for text, screenshots.

pub use crate::helpers::*;
pub use duban_domain::ids::{PersonId, UnitId};
pub use duban_domain::org::{NewPerson, Role};
pub use duban_domain::task::{Classification, Status};
pub use duban_store::TaskQuery;
pub use fantoccini::{Client, ClientBuilder, Locator};
pub use serde_json::json;
pub use std::path::{Path, PathBuf};
pub use std::process::{Child, Command, Stdio};
pub use std::time::Duration;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const DRIVER: &str = "/usr/bin/chromedriver";

pub struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn start_driver() -> Option<Driver> {
    if !Path::new(CHROMIUM).exists() || !Path::new(DRIVER).exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "chromium and chromium-driver are required under CI=true (.ci/run installs them)"
        );
        eprintln!("skipped: {CHROMIUM} or {DRIVER} missing (apt-get install chromium chromium-driver)");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(DRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if reqwest::get(format!("{url}/status")).await.is_ok_and(|r| r.status().is_success()) {
            return Some(Driver { child, url });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("chromedriver did not start");
}

pub async fn browser(driver: &Driver, width: u32, height: u32) -> Client {
    zoomed(driver, width, height, 1.0).await
}

/// A browser at a zoom factor (1.25 is Windows' common 125 % setting).
pub async fn zoomed(driver: &Driver, width: u32, height: u32, zoom: f64) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"binary": CHROMIUM, "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", format!("--window-size={width},{height}"), format!("--force-device-scale-factor={zoom}")]}),
    );
    ClientBuilder::rustls().unwrap().capabilities(caps).connect(&driver.url).await.expect("WebDriver session")
}

pub fn shots_dir() -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/screenshots"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(shots_dir().join(format!("{name}.png")), png).unwrap();
}

pub async fn page_text(c: &Client) -> String {
    c.find(Locator::Css("main")).await.unwrap().text().await.unwrap()
}

/// Waits (up to 15 s) for the page to say something, and returns its text.
pub async fn wait_for(c: &Client, needle: &str) -> String {
    let mut text = String::new();
    for _ in 0..150 {
        if let Ok(main) = c.find(Locator::Css("main")).await {
            text = main.text().await.unwrap_or_default();
            if text.contains(needle) {
                return text;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the page never said “{needle}”: {text}");
}

/// Signs in from the keyboard: the user name field has the focus, Tab moves on, Enter submits.
pub async fn sign_in(c: &Client, base: &str, username: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    // The page gives the user name field the focus (autofocus); wait for it rather than type into
    // whatever has the focus while the page is still settling, as a slow machine showed.
    let mut focused = None;
    for _ in 0..50 {
        let element = c.active_element().await.unwrap();
        if element.attr("name").await.unwrap().as_deref() == Some("username") {
            focused = Some(element);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let focused = focused.expect("the sign-in page gives the user name field the focus");
    focused.send_keys(&format!("{username}\u{E004}{password}\u{E007}")).await.unwrap();
    wait_for(c, "工作台").await;
}

pub async fn sign_out(c: &Client) {
    open_menu(c).await;
    c.find(Locator::Css("form[action='/logout'] button")).await.unwrap().click().await.unwrap();
    wait_for(c, "登录督办系统").await;
}

/// Opens the header's folded menu, on a screen narrow enough to fold it.
pub async fn open_menu(c: &Client) {
    if let Ok(button) = c.find(Locator::Css("label.menu-button")).await
        && button.is_displayed().await.unwrap_or(false)
    {
        button.click().await.unwrap();
    }
}

/// Submits the task page's form for one action, with optional text.
pub async fn act(c: &Client, action: &str, text: Option<&str>) {
    let form = c.find(Locator::Css(&format!("form:has(input[name=action][value={action}])"))).await.unwrap();
    if let Some(t) = text {
        form.find(Locator::Css("textarea[name=text]")).await.unwrap().send_keys(t).await.unwrap();
    }
    form.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
}

pub async fn person(app: &TestApp, username: &str, unit: Option<UnitId>, role: Role) -> PersonId {
    person_in_charge(app, username, unit, role, Vec::new()).await
}

/// A person who can sign in (password `pw-` + the user name reversed + `-2022`), a leader with
/// the units in their charge.
pub async fn person_in_charge(
    app: &TestApp,
    username: &str,
    unit: Option<UnitId>,
    role: Role,
    charge_units: Vec<UnitId>,
) -> PersonId {
    let p = app
        .store
        .create_person(
            &NewPerson { charge_units, ..NewPerson::new(username, username, unit, vec![role]) },
            duban_store_tests::at(),
        )
        .await
        .unwrap();
    app.duban
        .sign_in()
        .set_password(p.id, &format!("pw-{}-2022", username.chars().rev().collect::<String>()))
        .await
        .unwrap();
    p.id
}

/// Loads the Naiman unit directory (the repository's `data/units/naiman.toml`); returns the units.
pub async fn naiman_units(app: &TestApp) -> Vec<duban_domain::org::Unit> {
    let units = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/units/naiman.toml")).unwrap();
    let directory = duban_domain::org::UnitDirectory::from_toml(&units).unwrap();
    app.store.import_directory(&directory, app.duban.core().now()).await.unwrap();
    app.store.list_units().await.unwrap()
}

/// The smallest text of the page's charts as drawn, in CSS px (its font size times the scale
/// the SVG is drawn at); 100 when the page has no chart text.
pub async fn smallest_svg_text_px(c: &Client) -> f64 {
    let v = c
        .execute(
            "let min = 100; for (const svg of document.querySelectorAll('svg')) { \
               const vb = svg.viewBox.baseVal; const w = svg.getBoundingClientRect().width; \
               if (!vb || !vb.width || !w) continue; const k = w / vb.width; \
               for (const t of svg.querySelectorAll('text')) { \
                 const s = parseFloat(t.getAttribute('font-size') || '16') * k; if (s < min) min = s; } } \
             return min;",
            vec![],
        )
        .await
        .unwrap();
    v.as_f64().unwrap_or(0.0)
}

/// Whether the page fits the window's width.
pub async fn fits(c: &Client) -> bool {
    let v = c
        .execute("return document.documentElement.scrollWidth <= document.documentElement.clientWidth;", vec![])
        .await
        .unwrap();
    v.as_bool().unwrap_or(false)
}

pub fn helpers_encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}
