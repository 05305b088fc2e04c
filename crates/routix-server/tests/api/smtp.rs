//! A small real SMTP server for the mail tests: plain SMTP on 127.0.0.1, it accepts every
//! mail and keeps it, and reads back what a test needs (headers, the text and HTML parts,
//! the link in them).

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use base64::{engine::general_purpose::STANDARD, Engine};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
    sync::Notify,
    task::JoinHandle,
};

/// One mail as the sink received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent after DATA, dot-unstuffed, with CRLF line ends.
    pub data: String,
}

pub struct SmtpSink {
    pub addr: SocketAddr,
    inbox: Arc<Mutex<Vec<Received>>>,
    arrived: Arc<Notify>,
    task: JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        SmtpSink::on(0).await
    }

    /// A sink on a given port (to bring a "down" mail server back).
    pub async fn on(port: u16) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("SMTP sink binds");
        let addr = listener.local_addr().unwrap();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let arrived = Arc::new(Notify::new());
        let (keep, wake) = (inbox.clone(), arrived.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (keep, wake) = (keep.clone(), wake.clone());
                tokio::spawn(async move {
                    let _ = session(stream, keep, wake).await;
                });
            }
        });
        SmtpSink {
            addr,
            inbox,
            arrived,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Every mail to `to` so far, oldest first.
    pub fn mails_to(&self, to: &str) -> Vec<Received> {
        self.inbox
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.to.iter().any(|r| r == to))
            .cloned()
            .collect()
    }

    /// Waits (at most 20 s) until `count` mails to `to` have arrived; answers them all.
    pub async fn wait_for(&self, to: &str, count: usize) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let arrived = self.arrived.notified();
            let mails = self.mails_to(to);
            if mails.len() >= count {
                return mails;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                panic!(
                    "{count} mail(s) to {to} expected, {} arrived",
                    self.mails_to(to).len()
                );
            }
        }
    }
}

async fn session(
    stream: TcpStream,
    inbox: Arc<Mutex<Vec<Received>>>,
    arrived: Arc<Notify>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if read.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            "HELO" => b"250 sink.test\r\n",
            "MAIL" => {
                from = address(&command);
                to.clear();
                b"250 OK\r\n"
            }
            "RCPT" => {
                to.push(address(&command));
                b"250 OK\r\n"
            }
            "DATA" => {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if read.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                inbox.lock().unwrap().push(Received {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data,
                });
                arrived.notify_waiters();
                b"250 OK queued\r\n"
            }
            "RSET" => {
                from.clear();
                to.clear();
                b"250 OK\r\n"
            }
            "NOOP" => b"250 OK\r\n",
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 command not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// The address in `MAIL FROM:<a@b>` or `RCPT TO:<a@b>`.
fn address(command: &str) -> String {
    let start = command.find('<').map_or(0, |i| i + 1);
    let end = command[start..]
        .find('>')
        .map_or(command.len(), |i| start + i);
    command[start..end].to_string()
}

impl Received {
    /// A top-level header, unfolded, with RFC 2047 encoded words decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| decode_words(v.trim()))
        })
    }

    /// The decoded body of the part whose content type starts with `kind`.
    pub fn part(&self, kind: &str) -> String {
        let content_type = self.header("Content-Type").expect("Content-Type");
        let boundary = content_type
            .split("boundary=")
            .nth(1)
            .expect("a multipart mail")
            .trim_matches('"')
            .to_string();
        for part in self.data.split(&format!("--{boundary}")).skip(1) {
            let Some((head, body)) = part.split_once("\r\n\r\n") else {
                continue;
            };
            let head = head.to_ascii_lowercase();
            if !head.contains(&format!("content-type: {kind}")) {
                continue;
            }
            assert!(
                head.contains("content-transfer-encoding: base64"),
                "parts are base64: {head}"
            );
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            let bytes = STANDARD.decode(compact).expect("base64 body");
            return String::from_utf8(bytes).expect("UTF-8 body");
        }
        panic!("no {kind} part in {}", self.data);
    }

    pub fn text(&self) -> String {
        self.part("text/plain")
    }

    pub fn html(&self) -> String {
        self.part("text/html")
    }

    /// The token of the first `{base}/{page}?token=…` link in the text part.
    pub fn token(&self, base: &str, page: &str) -> String {
        token_in(&self.text(), base, page)
    }
}

/// The token of the first `{base}/{page}?token=…` link in `body`.
pub fn token_in(body: &str, base: &str, page: &str) -> String {
    let prefix = format!("{base}/{page}?token=");
    let start = body
        .find(&prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in {body}"))
        + prefix.len();
    body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// Decodes `=?utf-8?b?…?=` words (what the mail builder writes for non-ASCII headers).
fn decode_words(value: &str) -> String {
    let mut out = Vec::new();
    let mut plain = String::new();
    for word in value.split_whitespace() {
        let inner = word
            .strip_prefix("=?")
            .and_then(|w| w.strip_suffix("?="))
            .and_then(|w| {
                let mut it = w.splitn(3, '?');
                let (_charset, enc, data) = (it.next()?, it.next()?, it.next()?);
                enc.eq_ignore_ascii_case("b")
                    .then(|| STANDARD.decode(data).ok())?
            });
        match inner {
            Some(bytes) => out.extend(bytes),
            None => {
                if !out.is_empty() {
                    plain.push_str(&String::from_utf8_lossy(&std::mem::take(&mut out)));
                }
                if !plain.is_empty() {
                    plain.push(' ');
                }
                plain.push_str(word);
            }
        }
    }
    plain.push_str(&String::from_utf8_lossy(&out));
    plain
}
