//! A small SMTP server on 127.0.0.1 for the email tests: it accepts mail,
//! can refuse chosen recipients with a permanent error, can be stopped and
//! started again on the same port (the mail server "down for a while"), and
//! can speak STARTTLS or implicit TLS (rustls, with a certificate made for
//! the test) and require a login (AUTH PLAIN or LOGIN).

use base64::Engine;
use std::io::{Read, Write};
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
    /// The session was encrypted.
    pub tls: bool,
    /// Who logged in, if anyone.
    pub user: Option<String>,
}

impl Received {
    /// The text the recipient reads: the message's text part, decoded
    /// (7bit, quoted-printable or base64), lines ending in `\n`.
    pub fn text(&self) -> String {
        let data = self.data.replace("\r\n", "\n");
        let start = data.find("Content-Type: text/plain").unwrap_or(0);
        let part = &data[start..];
        let (head, body) = part.split_once("\n\n").unwrap_or((part, ""));
        let multipart = self.header("Content-Type").is_some_and(|c| c.contains("multipart"));
        let body = match body.find("\n--") {
            Some(end) if multipart => &body[..end],
            _ => body,
        };
        let encoding = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Transfer-Encoding:"))
            .map(|e| e.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let bytes = match encoding.as_str() {
            "quoted-printable" => {
                quoted_printable::decode(body, quoted_printable::ParseMode::Robust).expect("quoted-printable")
            }
            "base64" => base64::engine::general_purpose::STANDARD
                .decode(body.split_whitespace().collect::<String>())
                .expect("base64"),
            _ => body.as_bytes().to_vec(),
        };
        String::from_utf8(bytes).expect("UTF-8 text").replace("\r\n", "\n")
    }

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

/// How the server protects its sessions.
#[derive(Clone)]
pub enum Security {
    Plain,
    StartTls(Arc<rustls::ServerConfig>),
    Implicit(Arc<rustls::ServerConfig>),
}

#[derive(Clone)]
struct Options {
    refuse: Arc<Vec<String>>,
    security: Security,
    login: Option<(String, String)>,
}

pub struct Smtp {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    options: Options,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Smtp {
    /// Starts on `port` (0: any free port), refusing `refuse` at RCPT TO.
    pub fn start(port: u16, refuse: &[&str]) -> Smtp {
        let options = Options {
            refuse: Arc::new(refuse.iter().map(|s| s.to_ascii_lowercase()).collect()),
            security: Security::Plain,
            login: None,
        };
        Self::listen(port, options, Arc::new(Mutex::new(Vec::new())))
    }

    /// Starts with TLS and a required login.
    pub fn secure(security: Security, user: &str, password: &str) -> Smtp {
        let options =
            Options { refuse: Arc::new(vec![]), security, login: Some((user.to_string(), password.to_string())) };
        Self::listen(0, options, Arc::new(Mutex::new(Vec::new())))
    }

    fn listen(port: u16, options: Options, received: Arc<Mutex<Vec<Received>>>) -> Smtp {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let (r, s, o) = (received.clone(), stop.clone(), options.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((conn, _)) => {
                        let (r, o) = (r.clone(), o.clone());
                        std::thread::spawn(move || serve(conn, r, o));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Smtp { port, received, options, stop, thread: Some(thread) }
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
        let mut again = Smtp::listen(self.port, self.options.clone(), self.received.clone());
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

enum Conn {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ServerConnection, TcpStream>>),
}

impl Conn {
    fn tls(tcp: TcpStream, config: &Arc<rustls::ServerConfig>) -> Conn {
        let server = rustls::ServerConnection::new(config.clone()).unwrap();
        Conn::Tls(Box::new(rustls::StreamOwned::new(server, tcp)))
    }

    fn line(&mut self) -> Option<String> {
        let mut out = Vec::new();
        let mut byte = [0u8; 1];
        loop {
            let n = match self {
                Conn::Plain(s) => s.read(&mut byte),
                Conn::Tls(s) => s.read(&mut byte),
            }
            .ok()?;
            if n == 0 {
                return None;
            }
            out.push(byte[0]);
            if byte[0] == b'\n' {
                return Some(String::from_utf8_lossy(&out).into_owned());
            }
        }
    }

    fn send(&mut self, b: &[u8]) -> bool {
        match self {
            Conn::Plain(s) => s.write_all(b).and_then(|_| s.flush()).is_ok(),
            Conn::Tls(s) => s.write_all(b).and_then(|_| s.flush()).is_ok(),
        }
    }
}

fn serve(tcp: TcpStream, received: Arc<Mutex<Vec<Received>>>, o: Options) {
    tcp.set_nonblocking(false).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut conn = match &o.security {
        Security::Implicit(cfg) => Conn::tls(tcp, cfg),
        _ => Conn::Plain(tcp),
    };
    if !conn.send(b"220 sink ESMTP\r\n") {
        return;
    }
    let (mut from, mut rcpt, mut user) = (String::new(), Vec::new(), None::<String>);
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.decode(s.trim()).unwrap_or_default();
    loop {
        let Some(line) = conn.line() else { return };
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        let secure = matches!(conn, Conn::Tls(_));
        let reply: Vec<u8> = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            let mut r = String::from("250-sink\r\n250-8BITMIME\r\n");
            if matches!(o.security, Security::StartTls(_)) && !secure {
                r.push_str("250-STARTTLS\r\n");
            }
            if o.login.is_some() && secure {
                r.push_str("250-AUTH PLAIN LOGIN\r\n");
            }
            r.push_str("250 SMTPUTF8\r\n");
            r.into_bytes()
        } else if upper == "STARTTLS" {
            let Security::StartTls(cfg) = &o.security else { return };
            if !conn.send(b"220 go ahead\r\n") {
                return;
            }
            let Conn::Plain(tcp) = conn else { return };
            conn = Conn::tls(tcp, cfg);
            continue;
        } else if upper.starts_with("AUTH PLAIN") {
            let arg = cmd[10..].trim().to_string();
            let arg = if arg.is_empty() {
                conn.send(b"334 \r\n");
                conn.line().unwrap_or_default()
            } else {
                arg
            };
            let parts: Vec<String> =
                b64(&arg).split(|c| *c == 0).map(|p| String::from_utf8_lossy(p).into_owned()).collect();
            match (&o.login, parts.as_slice()) {
                (Some((u, p)), [_, user_in, pass_in]) if u == user_in && p == pass_in => {
                    user = Some(u.clone());
                    b"235 2.7.0 ok\r\n".to_vec()
                }
                _ => b"535 5.7.8 bad credentials\r\n".to_vec(),
            }
        } else if upper.starts_with("AUTH LOGIN") {
            conn.send(b"334 VXNlcm5hbWU6\r\n");
            let u = String::from_utf8_lossy(&b64(&conn.line().unwrap_or_default())).into_owned();
            conn.send(b"334 UGFzc3dvcmQ6\r\n");
            let p = String::from_utf8_lossy(&b64(&conn.line().unwrap_or_default())).into_owned();
            match &o.login {
                Some((lu, lp)) if *lu == u && *lp == p => {
                    user = Some(u);
                    b"235 2.7.0 ok\r\n".to_vec()
                }
                _ => b"535 5.7.8 bad credentials\r\n".to_vec(),
            }
        } else if upper.starts_with("MAIL FROM:") {
            if o.login.is_some() && user.is_none() {
                b"530 5.7.0 authentication required\r\n".to_vec()
            } else {
                from = addr(&cmd[10..]);
                rcpt.clear();
                b"250 OK\r\n".to_vec()
            }
        } else if upper.starts_with("RCPT TO:") {
            let a = addr(&cmd[8..]);
            if o.refuse.contains(&a.to_ascii_lowercase()) {
                b"550 5.1.1 mailbox unavailable\r\n".to_vec()
            } else {
                rcpt.push(a);
                b"250 OK\r\n".to_vec()
            }
        } else if upper == "DATA" {
            conn.send(b"354 go ahead\r\n");
            let mut data = String::new();
            loop {
                let Some(l) = conn.line() else { return };
                if l == ".\r\n" || l == ".\n" {
                    break;
                }
                data.push_str(l.strip_prefix('.').filter(|_| l.starts_with("..")).unwrap_or(&l));
            }
            received.lock().unwrap().push(Received {
                from: from.clone(),
                rcpt: rcpt.clone(),
                data,
                tls: secure,
                user: user.clone(),
            });
            b"250 OK queued\r\n".to_vec()
        } else if upper == "QUIT" {
            conn.send(b"221 bye\r\n");
            return;
        } else {
            b"250 OK\r\n".to_vec()
        };
        if !conn.send(&reply) {
            return;
        }
    }
}

fn addr(s: &str) -> String {
    let s = s.trim();
    let s = s.split_whitespace().next().unwrap_or("");
    s.trim_start_matches('<').trim_end_matches('>').to_string()
}

/// A CA and a server certificate for 127.0.0.1, made for this test: the
/// CA's PEM (for suratd's `smtp.ca_file`) and the server's TLS config.
pub fn test_tls() -> (String, Arc<rustls::ServerConfig>) {
    use openssl::asn1::Asn1Time;
    use openssl::hash::MessageDigest;
    use openssl::pkey::PKey;
    use openssl::rsa::Rsa;
    use openssl::x509::extension::{BasicConstraints, SubjectAlternativeName};
    use openssl::x509::{X509, X509NameBuilder};
    let name = |cn: &str| {
        let mut n = X509NameBuilder::new().unwrap();
        n.append_entry_by_text("CN", cn).unwrap();
        n.build()
    };
    let ca_key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let mut b = X509::builder().unwrap();
    b.set_version(2).unwrap();
    b.set_subject_name(&name("Test Mail CA")).unwrap();
    b.set_issuer_name(&name("Test Mail CA")).unwrap();
    b.set_pubkey(&ca_key).unwrap();
    b.set_not_before(&Asn1Time::days_from_now(0).unwrap()).unwrap();
    b.set_not_after(&Asn1Time::days_from_now(365).unwrap()).unwrap();
    b.append_extension(BasicConstraints::new().critical().ca().build().unwrap()).unwrap();
    b.sign(&ca_key, MessageDigest::sha256()).unwrap();
    let ca = b.build();
    let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let mut b = X509::builder().unwrap();
    b.set_version(2).unwrap();
    let serial = openssl::bn::BigNum::from_u32(2).unwrap().to_asn1_integer().unwrap();
    b.set_serial_number(&serial).unwrap();
    b.set_subject_name(&name("127.0.0.1")).unwrap();
    b.set_issuer_name(ca.subject_name()).unwrap();
    b.set_pubkey(&key).unwrap();
    b.set_not_before(&Asn1Time::days_from_now(0).unwrap()).unwrap();
    b.set_not_after(&Asn1Time::days_from_now(365).unwrap()).unwrap();
    let san = SubjectAlternativeName::new()
        .ip("127.0.0.1")
        .dns("localhost")
        .build(&b.x509v3_context(Some(&ca), None))
        .unwrap();
    b.append_extension(san).unwrap();
    b.sign(&ca_key, MessageDigest::sha256()).unwrap();
    let cert = b.build();
    let chain = vec![rustls::pki_types::CertificateDer::from(cert.to_der().unwrap())];
    let der_key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.private_key_to_pkcs8().unwrap().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, der_key)
        .unwrap();
    (String::from_utf8(ca.to_pem().unwrap()).unwrap(), Arc::new(config))
}
