//! Pages as a reader sees them: grey pixels drawn by poppler's `pdftoppm`
//! (Debian's `poppler-utils`), run as a child process for each document,
//! fed the bytes on its standard input, its pages read one at a time from
//! its output. The child has a time limit (killed when it runs over) and a
//! memory limit, because the PDFs come from the share: a hostile file may
//! make any renderer slow or greedy. Every page is scaled so that its
//! longer side is [`SIZE`] pixels, which bounds the memory a page takes.
//! Pages are drawn within their crop box, as readers and printers show
//! them (pdftoppm's default is the media box, which may hold more).

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

/// The longer side of a rendered page, in pixels (about 0.15 mm on A4,
/// 170 dpi: a digit of body text is some 15 pixels high).
pub const SIZE: usize = 2000;
/// The address space a renderer may use.
const MEMORY_LIMIT: u64 = 2 << 30;
/// How much of a renderer's error output is kept for the message.
const STDERR_KEEP: u64 = 4096;

/// A page: `width` × `height` grey values, 0 black to 255 white, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl Page {
    pub fn at(&self, x: usize, y: usize) -> u8 {
        self.pixels[y * self.width + x]
    }
}

/// Why pages could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("pdftoppm (Debian package poppler-utils) cannot be started: {0}; install poppler-utils on the server")]
    Missing(String),
    #[error("drawing the pages took longer than {}", humantime::format_duration(*.0))]
    TimedOut(Duration),
    #[error("document {doc} cannot be drawn: {detail}")]
    Failed { doc: usize, detail: String },
}

/// Why pages cannot be drawn on this server (`pdftoppm` does not start),
/// or `None` when they can.
pub fn unavailable() -> Option<String> {
    match Command::new("pdftoppm").arg("-v").stdout(Stdio::null()).stderr(Stdio::null()).status() {
        Ok(_) => None,
        Err(e) => Some(format!("pdftoppm (Debian package poppler-utils) cannot be started: {e}")),
    }
}

/// Draws pages 1 to `last` of each of `docs` side by side and hands each
/// page number with one page per document to `look`, until it answers
/// `Some` or a document runs out of pages (`look` then gets `None` for it
/// once). A document that cannot be drawn is an error, whatever `look` saw.
pub fn side_by_side<T>(
    docs: &[&[u8]],
    last: u32,
    limit: Duration,
    mut look: impl FnMut(u32, &[Option<Page>]) -> Option<T>,
) -> Result<Option<T>, RenderError> {
    let live = Arc::new(Mutex::new(Vec::new()));
    let mut children = Vec::new();
    for d in docs {
        let r = Renderer::start(d, last, &live);
        match r {
            Ok(r) => children.push(r),
            Err(e) => {
                children.into_iter().for_each(Renderer::stop);
                return Err(e);
            }
        }
    }
    let timed_out = Arc::new(AtomicBool::new(false));
    let done = watchdog(live, limit, timed_out.clone());
    let result = walk(&mut children, last, &mut look);
    children.into_iter().for_each(Renderer::stop);
    let _ = done.send(());
    if timed_out.load(Ordering::SeqCst) {
        return Err(RenderError::TimedOut(limit));
    }
    result.map_err(|(doc, detail)| RenderError::Failed { doc, detail })
}

/// Reads the pages in step; a document with fewer pages gives `None`.
fn walk<T>(
    children: &mut [Renderer],
    last: u32,
    look: &mut impl FnMut(u32, &[Option<Page>]) -> Option<T>,
) -> Result<Option<T>, (usize, String)> {
    for n in 1..=last {
        let mut pages = Vec::new();
        for (doc, c) in children.iter_mut().enumerate() {
            pages.push(c.next_page().map_err(|e| (doc, e))?);
        }
        if pages.iter().all(Option::is_none) {
            return Ok(None);
        }
        if let Some(t) = look(n, &pages) {
            return Ok(Some(t));
        }
        if pages.iter().any(Option::is_none) {
            return Ok(None);
        }
    }
    Ok(None)
}

/// The renderers still running (not yet waited for), by process id.
type Live = Arc<Mutex<Vec<u32>>>;

/// Kills the live renderers when `limit` passes before the returned sender
/// is used (or dropped).
fn watchdog(live: Live, limit: Duration, timed_out: Arc<AtomicBool>) -> mpsc::Sender<()> {
    let (tx, rx) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = crate::util::heartbeat::recv_timeout(&rx, limit) {
            timed_out.store(true, Ordering::SeqCst);
            // A pid leaves the list before its child is waited for, so each
            // one here still names our child, never a recycled process.
            for &pid in live.lock().unwrap_or_else(|e| e.into_inner()).iter() {
                if let Some(pid) = rustix::process::Pid::from_raw(pid as i32) {
                    let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
                }
            }
        }
    });
    tx
}

/// One running `pdftoppm`.
struct Renderer {
    child: Child,
    out: BufReader<ChildStdout>,
    stderr: Option<std::thread::JoinHandle<String>>,
    live: Live,
    ended: bool,
}

impl Renderer {
    fn start(bytes: &[u8], last: u32, live: &Live) -> Result<Renderer, RenderError> {
        use std::os::unix::process::CommandExt;
        let mut cmd = Command::new("pdftoppm");
        cmd.args(["-gray", "-cropbox", "-scale-to", &SIZE.to_string(), "-f", "1", "-l", &last.max(1).to_string(), "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // SAFETY: setrlimit is a single system call, safe between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                let limit = rustix::process::Rlimit { current: Some(MEMORY_LIMIT), maximum: Some(MEMORY_LIMIT) };
                let _ = rustix::process::setrlimit(rustix::process::Resource::As, limit);
                Ok(())
            });
        }
        let mut child = cmd.spawn().map_err(|e| RenderError::Missing(e.to_string()))?;
        live.lock().unwrap_or_else(|e| e.into_inner()).push(child.id());
        let mut stdin = child.stdin.take().expect("piped");
        let input = bytes.to_vec();
        // Written from a thread: the renderer may print before it has read all.
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let mut err = child.stderr.take().expect("piped");
        let stderr = std::thread::spawn(move || {
            let mut kept = String::new();
            let _ = (&mut err).take(STDERR_KEEP).read_to_string(&mut kept);
            let _ = std::io::copy(&mut err, &mut std::io::sink());
            kept
        });
        let out = BufReader::new(child.stdout.take().expect("piped"));
        Ok(Renderer { child, out, stderr: Some(stderr), live: live.clone(), ended: false })
    }

    /// The next page, or `None` at the end of the output of a renderer that
    /// succeeded.
    fn next_page(&mut self) -> Result<Option<Page>, String> {
        if self.ended {
            return Ok(None);
        }
        if self.out.fill_buf().map_err(|e| e.to_string())?.is_empty() {
            self.ended = true;
            return self.reap().map(|_| None);
        }
        read_pgm(&mut self.out).map(Some)
    }

    /// Waits for the child; `Err` with what it said when it failed.
    fn reap(&mut self) -> Result<(), String> {
        let pid = self.child.id();
        self.live.lock().unwrap_or_else(|e| e.into_inner()).retain(|&p| p != pid);
        let status = self.child.wait().map_err(|e| e.to_string())?;
        let said = self.stderr.take().and_then(|h| h.join().ok()).unwrap_or_default();
        if status.success() { Ok(()) } else { Err(format!("pdftoppm {status}: {}", said.trim())) }
    }

    /// Stops a renderer no longer needed (killed unless it already ended).
    fn stop(mut self) {
        if !self.ended {
            let _ = self.child.kill();
            let _ = self.reap();
        }
    }
}

/// Reads one binary greymap (`P5`, 8 bits) from `r`.
pub fn read_pgm(r: &mut impl BufRead) -> Result<Page, String> {
    let mut fields = Vec::new();
    while fields.len() < 4 {
        fields.push(pgm_field(r)?);
    }
    if fields[0] != "P5" || fields[3] != "255" {
        return Err(format!("unexpected image header {} … {}", fields[0], fields[3]));
    }
    let dim = |s: &str| s.parse::<usize>().ok().filter(|&v| (1..=4 * SIZE).contains(&v));
    let (Some(width), Some(height)) = (dim(&fields[1]), dim(&fields[2])) else {
        return Err(format!("unexpected image size {} × {}", fields[1], fields[2]));
    };
    let mut pixels = vec![0u8; width * height];
    r.read_exact(&mut pixels).map_err(|e| format!("a page's image ends early: {e}"))?;
    Ok(Page { width, height, pixels })
}

/// One header field: skips white space, reads up to the next white space
/// (which is consumed: after the last field it is the single separator).
fn pgm_field(r: &mut impl BufRead) -> Result<String, String> {
    let mut field = String::new();
    let mut byte = [0u8; 1];
    loop {
        r.read_exact(&mut byte).map_err(|e| format!("a page's image header ends early: {e}"))?;
        let c = byte[0];
        if c.is_ascii_whitespace() {
            if !field.is_empty() {
                return Ok(field);
            }
        } else if field.len() < 16 {
            field.push(c as char);
        } else {
            return Err("a page's image header is malformed".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greymaps_are_read_one_after_another() {
        let mut data = b"P5\n2 1\n255\n\x00\xffP5 1 2 255\n\x10\x20".to_vec();
        data.extend_from_slice(b"P5\n1 1\n255\n");
        let mut r = std::io::Cursor::new(data);
        assert_eq!(read_pgm(&mut r).unwrap(), Page { width: 2, height: 1, pixels: vec![0, 255] });
        assert_eq!(read_pgm(&mut r).unwrap(), Page { width: 1, height: 2, pixels: vec![16, 32] });
        assert!(read_pgm(&mut r).unwrap_err().contains("ends early"));
        let mut huge = std::io::Cursor::new(b"P5\n99999 99999\n255\n".to_vec());
        assert!(read_pgm(&mut huge).unwrap_err().contains("size"));
        let mut other = std::io::Cursor::new(b"P6\n1 1\n255\n\0\0\0".to_vec());
        assert!(read_pgm(&mut other).unwrap_err().contains("header"));
    }

    #[test]
    fn real_pages_are_drawn_and_a_non_pdf_is_an_error() {
        let pdf = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/signed/unsigned.pdf")).unwrap();
        let mut seen = Vec::new();
        let r = side_by_side(&[&pdf, &pdf], 5, Duration::from_secs(30), |n, pages| {
            seen.push((
                n,
                pages.iter().map(|p| p.as_ref().map(|p| (p.width.max(p.height), p.pixels.len()))).collect::<Vec<_>>(),
            ));
            None::<()>
        });
        assert_eq!(r, Ok(None));
        assert!(!seen.is_empty(), "no page drawn");
        let (_, first) = &seen[0];
        assert_eq!(first[0], first[1]);
        assert_eq!(first[0].unwrap().0, SIZE);
        let bad = side_by_side(&[&pdf, b"not a pdf"], 5, Duration::from_secs(30), |_, _| None::<()>);
        assert!(matches!(bad, Err(RenderError::Failed { doc: 1, .. })), "{bad:?}");
    }
}
