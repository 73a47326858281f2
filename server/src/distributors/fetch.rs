//! Opening a feed: resolve and vet the address (SSRF guard), then stream the file over HTTP(S)
//! or FTP. Errors are the exact failure an admin can act on ("530 Login incorrect.",
//! "404 on /prices.csv"). Blocking I/O: runs on the sync's blocking thread.

use super::settings::Settings;
use sluice_contract::distributors::FeedKind;
use std::io::Read;
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// No byte for this long ends the transfer; a whole file may take much longer.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// An open feed file: its bytes, and its size when the server said.
pub struct Source {
    pub reader: Box<dyn Read + Send>,
    pub total: Option<u64>,
    /// FTP: reads the transfer's completion reply after the last byte.
    finish: Option<Box<dyn FnOnce() -> Result<(), String> + Send>>,
}

/// What is left to do once the last byte was read.
pub struct Finish(Option<Box<dyn FnOnce() -> Result<(), String> + Send>>);

impl Finish {
    /// Confirms the transfer ended well (FTP `226`); HTTP has nothing more to say.
    pub fn finish(self) -> Result<(), String> {
        self.0.map_or(Ok(()), |f| f())
    }
}

impl Source {
    pub fn split(self) -> (Box<dyn Read + Send>, Finish) {
        (self.reader, Finish(self.finish))
    }
}

pub fn open(settings: &Settings, password: Option<&str>, allow_private: bool) -> Result<Source, String> {
    match settings.kind {
        FeedKind::Http => http(settings.url.as_deref().unwrap_or_default(), allow_private),
        FeedKind::Ftp => ftp(settings, password.unwrap_or_default(), allow_private),
    }
}

/// Loopback, private, link-local, CGNAT, unspecified and multicast: never reachable from a
/// tenant's feed settings unless the operator allowed private targets.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// Resolves `host:port` and refuses private addresses; the answer is what to connect to, so a
/// second lookup (DNS rebinding) cannot change it.
pub fn resolve(host: &str, port: u16, allow_private: bool) -> Result<Vec<SocketAddr>, String> {
    let addrs: Vec<SocketAddr> =
        (host, port).to_socket_addrs().map_err(|e| format!("Cannot resolve {host}: {e}"))?.collect();
    if addrs.is_empty() {
        return Err(format!("Cannot resolve {host}: no addresses"));
    }
    if !allow_private && !addrs.iter().all(is_demo_target) {
        if let Some(bad) = addrs.iter().find(|a| is_private(a.ip())) {
            return Err(format!(
                "{host} resolves to {}, a private or loopback address; feeds must be on the public internet.",
                bad.ip()
            ));
        }
    }
    Ok(addrs)
}

/// The `--demo` feed servers: loopback addresses allowed for the demo only.
static DEMO_TARGETS: std::sync::Mutex<Vec<SocketAddr>> = std::sync::Mutex::new(Vec::new());

pub fn allow_demo_target(addr: SocketAddr) {
    DEMO_TARGETS.lock().unwrap_or_else(|p| p.into_inner()).push(addr);
}

fn is_demo_target(addr: &SocketAddr) -> bool {
    DEMO_TARGETS.lock().unwrap_or_else(|p| p.into_inner()).contains(addr)
}

fn http(url: &str, allow_private: bool) -> Result<Source, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("The URL is not valid: {e}"))?;
    let host = parsed.host_str().ok_or("The URL has no host.")?.trim_matches(['[', ']']).to_string();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let addrs = resolve(&host, port, allow_private)?;
    let client = reqwest::blocking::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(None)
        // Redirects could lead past the guard; the admin sees where it points instead.
        .redirect(reqwest::redirect::Policy::none())
        .resolve_to_addrs(&host, &addrs)
        .user_agent(concat!("Sluice/", env!("CARGO_PKG_VERSION"), " (price feed)"))
        .build()
        .map_err(|e| e.to_string())?;
    let response = client.get(parsed.clone()).send().map_err(|e| describe_reqwest(&e))?;
    let status = response.status();
    if status.is_redirection() {
        let to = response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("?");
        return Err(format!("{} on {}: redirected to {to}; enter that URL instead", status.as_u16(), parsed.path()));
    }
    if !status.is_success() {
        return Err(format!("{} on {}", status.as_u16(), parsed.path()));
    }
    let total = response.content_length();
    Ok(Source { reader: Box::new(response), total, finish: None })
}

/// The innermost cause reads best ("certificate expired", "Connection refused").
fn describe_reqwest(e: &reqwest::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message = s.to_string();
        source = s.source();
    }
    if e.is_timeout() {
        format!("Timed out: {message}")
    } else {
        format!("Cannot reach the server: {message}")
    }
}

fn ftp(settings: &Settings, password: &str, allow_private: bool) -> Result<Source, String> {
    let host = settings.host.as_deref().unwrap_or_default();
    let port = settings.port.unwrap_or(21);
    let path = settings.path.as_deref().unwrap_or_default().to_string();
    let addrs = resolve(host, port, allow_private)?;
    let tcp = TcpStream::connect_timeout(&addrs[0], CONNECT_TIMEOUT)
        .map_err(|e| format!("Cannot reach {host}:{port}: {e}"))?;
    let _ = tcp.set_read_timeout(Some(READ_TIMEOUT));
    let mut ftp = suppaftp::FtpStream::connect_with_stream(tcp).map_err(ftp_error)?;
    // PASV may name another host; connect back to the server we vetted instead.
    ftp.set_passive_nat_workaround(true);
    ftp.login(settings.username.as_deref().unwrap_or_default(), password).map_err(ftp_error)?;
    ftp.transfer_type(suppaftp::types::FileType::Binary).map_err(ftp_error)?;
    // Some servers answer RETR of a directory with an empty transfer: ask first.
    if ftp.cwd(&path).is_ok() {
        let _ = ftp.quit();
        return Err(format!("{path} is a directory, not a file: enter the price file's path."));
    }
    let total = ftp.size(&path).ok().map(|n| n as u64);
    let stream = ftp.retr_as_stream(&path).map_err(|e| on_path(ftp_error(e), &path))?;
    let (reader, done) = split_transfer(stream, |s| s.finish());
    // Some servers start a transfer of a missing file and say 550 only at its end.
    let finish = move || {
        let result = done().map_err(|e| on_path(ftp_error(e), &path));
        let _ = ftp.quit();
        result
    };
    Ok(Source { reader: Box::new(reader), total, finish: Some(Box::new(finish)) })
}

/// A reader over the transfer that hands it back to `finish` (the `226` reply) at the end.
fn split_transfer<S: Read + Send + 'static>(
    stream: S,
    finish: impl FnOnce(S) -> suppaftp::FtpResult<()> + Send,
) -> (SharedTransfer<S>, impl FnOnce() -> suppaftp::FtpResult<()> + Send) {
    let shared = std::sync::Arc::new(std::sync::Mutex::new(Some(stream)));
    let reader = SharedTransfer(shared.clone());
    let done = move || match shared.lock().unwrap_or_else(|p| p.into_inner()).take() {
        Some(stream) => finish(stream),
        None => Ok(()),
    };
    (reader, done)
}

struct SharedTransfer<S>(std::sync::Arc<std::sync::Mutex<Option<S>>>);

impl<S: Read> Read for SharedTransfer<S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.0.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
            Some(stream) => stream.read(buf),
            None => Ok(0),
        }
    }
}

/// `530 Login incorrect.` — the server's own words, with its code.
fn ftp_error(e: suppaftp::FtpError) -> String {
    match e {
        suppaftp::FtpError::UnexpectedResponse(r) => {
            let code = r.status.code().to_string();
            let text = String::from_utf8_lossy(&r.body).trim().to_string();
            if text.starts_with(&code) {
                text
            } else {
                format!("{code} {text}")
            }
        }
        suppaftp::FtpError::ConnectionError(io) => format!("FTP connection failed: {io}"),
        other => format!("FTP error: {other}"),
    }
}

fn on_path(error: String, path: &str) -> String {
    if error.starts_with("550") {
        format!("{error} ({path} is missing or is a directory)")
    } else {
        error
    }
}
