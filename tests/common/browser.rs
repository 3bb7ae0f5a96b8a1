//! A real browser for the web board's tests: headless Chromium driven over
//! WebDriver (Debian's `chromium` and `chromium-driver`). `Browser::start`
//! fails, never skips, when either is missing. Every wait is bounded; the
//! browser and its driver end when the value drops.

use fantoccini::{Client, ClientBuilder, Locator};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Chromium, as Debian installs it.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// How long a page or an element may take.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// A port nobody listens on now (the system's pick).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The config lines that serve the board on 127.0.0.1:`port`.
pub fn web_on(port: u16) -> String {
    format!("web:\n  listen: 127.0.0.1:{port}\n")
}

/// Waits until something answers on 127.0.0.1:`port` (the daemon starts
/// its board after its database).
pub fn wait_listening(port: u16) {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let up = super::wait_until(PATIENCE, || TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok());
    assert!(up, "nothing listens on {addr}");
}

/// `suratd web passwd LOGIN`, the password given on standard input:
/// whether it succeeded, and what it said.
pub fn try_passwd(env: &super::Env, login: &str, password: &str) -> (bool, String) {
    use std::io::Write;
    let mut c = Command::new(super::Env::bin())
        .arg("--config")
        .arg(&env.config)
        .args(["web", "passwd", login])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(c.stdin.take().unwrap(), "{password}").unwrap();
    let out = c.wait_with_output().unwrap();
    (out.status.success(), super::said(&out))
}

/// [`try_passwd`], which must succeed.
pub fn passwd(env: &super::Env, login: &str, password: &str) {
    let (ok, said) = try_passwd(env, login, password);
    assert!(ok, "web passwd {login}: {said}");
}

/// One headless Chromium and its ChromeDriver; the methods block (the
/// WebDriver client runs on the browser's own small runtime).
pub struct Browser {
    rt: tokio::runtime::Runtime,
    client: Option<Client>,
    driver: Child,
    /// Chromium's profile, fresh for each browser.
    profile: tempfile::TempDir,
}

impl Browser {
    /// Starts ChromeDriver on a free port and a fresh headless Chromium
    /// through it (its own profile, no traffic of its own to the network).
    pub fn start() -> Browser {
        assert!(
            Path::new(CHROMIUM).is_file(),
            "{CHROMIUM} is missing: the web board's tests need a real browser (apt-get install chromium chromium-driver)"
        );
        let port = free_port();
        let driver = {
            use std::os::unix::process::CommandExt;
            Command::new("chromedriver")
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("cannot start chromedriver ({e}): the web board's tests need it (apt-get install chromium-driver)")
                })
        };
        let profile = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let mut b = Browser { rt, client: None, driver, profile };
        wait_listening(port);
        let caps = capabilities(b.profile.path());
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let url = format!("http://127.0.0.1:{port}");
        let client = b.rt.block_on(async { ClientBuilder::new(connector).capabilities(caps).connect(&url).await });
        b.client = Some(client.unwrap_or_else(|e| panic!("chromedriver could not start {CHROMIUM}: {e}")));
        b
    }

    fn c(&self) -> &Client {
        self.client.as_ref().unwrap()
    }

    /// Opens `url` and waits for it to load.
    pub fn open(&self, url: &str) {
        self.rt.block_on(self.c().goto(url)).unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    /// Opens a new tab and goes to it.
    pub fn new_tab(&self) {
        let tab = self.rt.block_on(self.c().new_window(true)).unwrap();
        self.switch_to(tab.handle);
    }

    /// The browser's tabs.
    pub fn tabs(&self) -> Vec<fantoccini::wd::WindowHandle> {
        self.rt.block_on(self.c().windows()).unwrap()
    }

    /// Goes to this tab.
    pub fn switch_to(&self, tab: fantoccini::wd::WindowHandle) {
        self.rt.block_on(self.c().switch_to_window(tab)).unwrap();
    }

    /// The page's address now.
    pub fn url(&self) -> String {
        self.rt.block_on(self.c().current_url()).unwrap().to_string()
    }

    /// Waits (at most [`PATIENCE`]) for an element matching `css`; fails
    /// with the page's source when none comes.
    pub fn wait_for(&self, css: &str) {
        assert!(
            self.appears(css, PATIENCE),
            "no {css} within {PATIENCE:?} at {}; page:\n{}",
            self.url(),
            self.source()
        );
    }

    /// Whether an element matching `css` appears within `limit`.
    pub fn appears(&self, css: &str, limit: Duration) -> bool {
        let wait = self.c().wait().at_most(limit).every(Duration::from_millis(100));
        self.rt.block_on(wait.for_element(Locator::Css(css))).is_ok()
    }

    /// Whether an element matching `css` is on the page now.
    pub fn has(&self, css: &str) -> bool {
        self.rt.block_on(self.c().find(Locator::Css(css))).is_ok()
    }

    /// The visible text of the first element matching `css` (waited for).
    pub fn text(&self, css: &str) -> String {
        self.wait_for(css);
        let e = self.rt.block_on(self.c().find(Locator::Css(css))).unwrap();
        self.rt.block_on(e.text()).unwrap()
    }

    /// The page's HTML as the browser holds it now.
    pub fn source(&self) -> String {
        self.rt.block_on(self.c().source()).unwrap_or_default()
    }

    /// Runs `script` in the page (a function body: `return …` gives a value).
    pub fn run(&self, script: &str) -> serde_json::Value {
        self.rt.block_on(self.c().execute(script, vec![])).unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    /// Types `text` into the field matching `css`, replacing what it held.
    pub fn fill(&self, css: &str, text: &str) {
        self.wait_for(css);
        let e = self.rt.block_on(self.c().find(Locator::Css(css))).unwrap();
        self.rt.block_on(e.clear()).unwrap();
        self.rt.block_on(e.send_keys(text)).unwrap();
    }

    /// Clicks the element matching `css` (a submit button: the form is sent).
    pub fn click(&self, css: &str) {
        self.wait_for(css);
        let e = self.rt.block_on(self.c().find(Locator::Css(css))).unwrap();
        self.rt.block_on(e.click()).unwrap_or_else(|err| panic!("cannot click {css}: {err}"));
    }

    /// Logs in on the board at `base` (`http://127.0.0.1:PORT`) through its
    /// form, and waits for the board.
    pub fn log_in(&self, base: &str, login: &str, password: &str) {
        self.open(&format!("{base}/masuk"));
        self.fill("form.masuk input[name=login]", login);
        self.fill("form.masuk input[name=password]", password);
        self.click("form.masuk button[type=submit]");
        self.wait_for("section.kolom");
    }

    /// Logs out with the button in the page's frame; back at the form.
    pub fn log_out(&self) {
        self.click("form.keluar button[type=submit]");
        self.wait_for("form.masuk");
    }

    /// The window as it looks now (PNG).
    pub fn png(&self) -> Vec<u8> {
        self.rt.block_on(self.c().screenshot()).unwrap()
    }

    /// A screenshot of the window (PNG), written to `to` and checked to
    /// show something: a page rendered with its text has many colours, a
    /// blank or failed one few.
    pub fn screenshot(&self, to: &Path) {
        let png = self.png();
        std::fs::write(to, &png).unwrap();
        let colours = distinct_colours(&png);
        assert!(colours >= 16, "{} looks blank: {colours} colours", to.display());
    }
}

/// ChromeDriver's capabilities for a headless Chromium that stays quiet on
/// a closed network, with its profile in `profile`.
fn capabilities(profile: &Path) -> serde_json::Map<String, serde_json::Value> {
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        &format!("--user-data-dir={}", profile.display()),
        "--window-size=1400,1000",
    ];
    let caps = serde_json::json!({
        "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
        // A page that does not load fails the test instead of stalling it.
        "timeouts": { "pageLoad": PATIENCE.as_millis() as u64, "script": PATIENCE.as_millis() as u64 },
    });
    caps.as_object().unwrap().clone()
}

/// How many different colours a PNG's pixels have (counting stops at 4096).
pub fn distinct_colours(png_bytes: &[u8]) -> usize {
    let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes)).read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples() * (info.bit_depth as usize).div_ceil(8);
    let mut seen = std::collections::HashSet::new();
    for p in buf[..info.buffer_size()].chunks_exact(px) {
        seen.insert(p.to_vec());
        if seen.len() >= 4096 {
            break;
        }
    }
    seen.len()
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending the session ends Chromium; then the driver, with anything
        // it left behind (its own process group).
        if let Some(c) = self.client.take() {
            let _ = self.rt.block_on(async { tokio::time::timeout(Duration::from_secs(10), c.close()).await });
        }
        if let Some(pid) = rustix::process::Pid::from_raw(self.driver.id() as i32) {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
        let _ = self.driver.wait();
    }
}
