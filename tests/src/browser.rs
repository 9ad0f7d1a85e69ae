//! A real browser for the page tests: Debian's Chromium driven headless through its
//! ChromeDriver (started here on a free loopback port) with fantoccini. Blocking wrappers
//! keep the tests as plain `#[test]` functions like the others.
//!
//! `CHROMIUM` and `CHROMEDRIVER` name the binaries (`ops/services/chromium.sh` installs and
//! exports them). Without them a test skips with a message, except under `CI=true`, where a
//! missing browser fails the run.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

pub struct Browser {
    rt: tokio::runtime::Runtime,
    client: Option<Client>,
    driver: Child,
    _profile: tempfile::TempDir,
}

/// Where screenshots go: `target/screenshots/` of the workspace.
pub fn screenshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

impl Browser {
    /// A fresh headless Chromium, or `None` (with a message) when none is configured outside
    /// CI.
    pub fn start() -> Option<Self> {
        let (Ok(chromium), Ok(driver)) = (std::env::var("CHROMIUM"), std::env::var("CHROMEDRIVER"))
        else {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CHROMIUM/CHROMEDRIVER are not set: under CI=true the browser tests must run (bash ops/services/chromium.sh)");
            }
            eprintln!("skipping browser test: CHROMIUM/CHROMEDRIVER are not set (source ops/services/chromium.sh)");
            return None;
        };
        let port = free_port();
        let driver = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().expect("profile dir");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let args = [
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-first-run".into(),
            "--hide-scrollbars".into(),
            "--window-size=1280,900".into(),
            "--lang=en".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": chromium, "args": args }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        let client = rt.block_on(async {
            loop {
                let attempt = ClientBuilder::new(HttpConnector::new())
                    .capabilities(caps.clone())
                    .connect(&url)
                    .await;
                match attempt {
                    Ok(c) => break c,
                    Err(e) if Instant::now() > deadline => panic!("chromedriver: {e}"),
                    Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            }
        });
        Some(Self {
            rt,
            client: Some(client),
            driver,
            _profile: profile,
        })
    }

    fn c(&self) -> &Client {
        self.client.as_ref().expect("browser open")
    }

    pub fn goto(&self, url: &str) {
        self.rt.block_on(self.c().goto(url)).expect("navigate");
    }

    pub fn url(&self) -> String {
        self.rt
            .block_on(self.c().current_url())
            .expect("url")
            .to_string()
    }

    pub fn fill(&self, css: &str, text: &str) {
        self.rt.block_on(async {
            let el = self.c().find(Locator::Css(css)).await.expect(css);
            el.clear().await.expect("clear");
            el.send_keys(text).await.expect("type");
        });
    }

    pub fn click(&self, css: &str) {
        self.rt.block_on(async {
            self.c()
                .find(Locator::Css(css))
                .await
                .unwrap_or_else(|e| panic!("{css}: {e}"))
                .click()
                .await
                .expect("click");
        });
    }

    /// The visible text of the first element matching `css` (empty if none).
    pub fn text(&self, css: &str) -> String {
        self.rt.block_on(async {
            match self.c().find(Locator::Css(css)).await {
                Ok(el) => el.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            }
        })
    }

    pub fn count(&self, css: &str) -> usize {
        self.rt
            .block_on(self.c().find_all(Locator::Css(css)))
            .map(|v| v.len())
            .unwrap_or(0)
    }

    /// Runs a script in the page and returns its result.
    pub fn eval(&self, script: &str) -> serde_json::Value {
        self.rt
            .block_on(self.c().execute(script, vec![]))
            .expect("script")
    }

    /// Waits until `script` returns something truthy; panics with `what` after `timeout`.
    pub fn wait_for_script(&self, script: &str, what: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let value = self.eval(script);
            let truthy = match &value {
                serde_json::Value::Bool(b) => *b,
                serde_json::Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
                serde_json::Value::String(s) => !s.is_empty(),
                serde_json::Value::Null => false,
                _ => true,
            };
            if truthy {
                return;
            }
            if Instant::now() > deadline {
                panic!("{what}: still {value}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits (polling the page, not the clock of the server) until `css` shows `needle`.
    pub fn wait_for_text(&self, css: &str, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let text = self.text(css);
            if text.contains(needle) {
                return text;
            }
            if Instant::now() > deadline {
                panic!("{css} never showed {needle:?}; it shows:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Saves a PNG of the window as `target/screenshots/<name>.png`, at `height` pixels
    /// high so that a whole page fits.
    pub fn screenshot(&self, name: &str, height: u32) -> PathBuf {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let path = dir.join(format!("{name}.png"));
        let png = self.rt.block_on(async {
            let (w, _) = self.c().get_window_size().await.expect("size");
            self.c()
                .set_window_size(w as u32, height)
                .await
                .expect("resize");
            let png = self.c().screenshot().await.expect("screenshot");
            self.c()
                .set_window_size(w as u32, 900)
                .await
                .expect("resize");
            png
        });
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    /// Saves a PNG at another window size (a tablet, a phone), then restores the size.
    pub fn screenshot_sized(&self, name: &str, width: u32, height: u32) -> PathBuf {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let path = dir.join(format!("{name}.png"));
        let png = self.rt.block_on(async {
            let (w, h) = self.c().get_window_size().await.expect("size");
            self.c()
                .set_window_size(width, height)
                .await
                .expect("resize");
            let png = self.c().screenshot().await.expect("screenshot");
            self.c()
                .set_window_size(w as u32, h as u32)
                .await
                .expect("resize");
            png
        });
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    /// Accepts the page's `confirm()` dialog, waiting for it to open.
    pub fn accept_dialog(&self) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match self.rt.block_on(self.c().accept_alert()) {
                Ok(()) => return,
                Err(e) if Instant::now() > deadline => panic!("no dialog: {e}"),
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    /// Renders the page for print (CSS `@media print`), as a PDF.
    pub fn print_pdf(&self) -> Vec<u8> {
        self.rt
            .block_on(self.c().print(Default::default()))
            .expect("print")
    }

    /// Makes the page use its print styles on screen (Chrome DevTools through ChromeDriver).
    pub fn emulate_print(&self, on: bool) {
        let media = if on { "print" } else { "" };
        self.rt
            .block_on(self.c().issue_cmd(Cdp {
                cmd: "Emulation.setEmulatedMedia",
                params: json!({ "media": media }),
            }))
            .expect("emulate print media");
    }
}

/// A Chrome DevTools command sent through ChromeDriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: serde_json::Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "cmd": self.cmd, "params": self.params }).to_string()),
        )
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = self.rt.block_on(client.close());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
