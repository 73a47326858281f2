//! The real `sluice-server` binary as a process of its own: for the tests that kill it with
//! SIGKILL mid-work and start it again on the same data directory.

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_sluice-server");

/// `sluice-server tenant create` in `dir`: the tenant "Acme"; returns its API key.
pub fn create_tenant(dir: &Path) -> String {
    let mut create = Command::new(BIN)
        .args(["tenant", "create", "--name", "Acme", "--admin-email", "admin@acme.test", "--data-dir"])
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run sluice-server tenant create");
    create.stdin.take().unwrap().write_all(format!("{}\n", super::PASSWORD).as_bytes()).unwrap();
    let out = create.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).lines().next().unwrap().trim_start_matches("apiKey=").to_string()
}

/// Starts the server on a free loopback port over `dir`; returns it once `/api/health` answers.
pub async fn start(dir: &Path) -> (Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(BIN)
        .args(["--listen", &format!("127.0.0.1:{port}"), "--allow-private-targets", "--dist-dir", "no-dist"])
        .arg("--data-dir")
        .arg(dir)
        .env("RUST_LOG", "sluice_server=warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sluice-server");
    let base = format!("http://127.0.0.1:{port}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while reqwest::get(format!("{base}/api/health")).await.is_err() {
        assert!(tokio::time::Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (child, base)
}
