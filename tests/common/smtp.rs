//! A small SMTP server on 127.0.0.1 for the email tests: it accepts mail,
//! can refuse chosen recipients with a permanent error, and can be stopped
//! and started again on the same port (the mail server "down for a while").

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub rcpt: Vec<String>,
    pub data: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let prefix = format!("{}:", name.to_ascii_lowercase());
        let mut out: Option<String> = None;
        for line in head.split("\r\n") {
            if line.to_ascii_lowercase().starts_with(&prefix) {
                out = Some(line[prefix.len()..].trim().to_string());
            } else if (line.starts_with(' ') || line.starts_with('\t')) && out.is_some() {
                out.as_mut().unwrap().push_str(line.trim_start());
            } else if out.is_some() {
                break;
            }
        }
        out
    }
}

pub struct Smtp {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    refuse: Arc<Vec<String>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Smtp {
    /// Starts on `port` (0: any free port), refusing `refuse` at RCPT TO.
    pub fn start(port: u16, refuse: &[&str]) -> Smtp {
        Self::start_with(port, refuse, Arc::new(Mutex::new(Vec::new())))
    }

    fn start_with(port: u16, refuse: &[&str], received: Arc<Mutex<Vec<Received>>>) -> Smtp {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let refuse: Arc<Vec<String>> = Arc::new(refuse.iter().map(|s| s.to_ascii_lowercase()).collect());
        let (r, s, f) = (received.clone(), stop.clone(), refuse.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((conn, _)) => {
                        let (r, f) = (r.clone(), f.clone());
                        std::thread::spawn(move || serve(conn, r, f));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Smtp { port, received, refuse, stop, thread: Some(thread) }
    }

    /// Stops listening (connections already open finish).
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }

    /// Starts again on the same port, keeping what was received.
    pub fn restart(&mut self) {
        self.stop();
        let refuse: Vec<&str> = self.refuse.iter().map(String::as_str).collect();
        let mut again = Smtp::start_with(self.port, &refuse, self.received.clone());
        // Take over its listener; the emptied one drops without stopping it.
        std::mem::swap(&mut self.stop, &mut again.stop);
        self.thread = again.thread.take();
        again.stop = Arc::new(AtomicBool::new(true));
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        self.stop();
    }
}

fn serve(conn: TcpStream, received: Arc<Mutex<Vec<Received>>>, refuse: Arc<Vec<String>>) {
    conn.set_nonblocking(false).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut w = conn.try_clone().unwrap();
    let mut r = BufReader::new(conn);
    let _ = w.write_all(b"220 sink ESMTP\r\n");
    let (mut from, mut rcpt) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if upper.starts_with("HELO") {
            b"250 sink\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = addr(&cmd[10..]);
            rcpt.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            let a = addr(&cmd[8..]);
            if refuse.contains(&a.to_ascii_lowercase()) {
                b"550 5.1.1 mailbox unavailable\r\n"
            } else {
                rcpt.push(a);
                b"250 OK\r\n"
            }
        } else if upper == "DATA" {
            let _ = w.write_all(b"354 go ahead\r\n");
            let mut data = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').filter(|_| line.starts_with("..")).unwrap_or(&line));
            }
            received.lock().unwrap().push(Received { from: from.clone(), rcpt: rcpt.clone(), data });
            b"250 OK queued\r\n"
        } else if upper == "QUIT" {
            let _ = w.write_all(b"221 bye\r\n");
            return;
        } else {
            b"250 OK\r\n"
        };
        if w.write_all(reply).is_err() {
            return;
        }
    }
}

fn addr(s: &str) -> String {
    let s = s.trim();
    let s = s.split_whitespace().next().unwrap_or("");
    s.trim_start_matches('<').trim_end_matches('>').to_string()
}
