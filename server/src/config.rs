//! Command-line flags (each also a `SLUICE_*` environment variable).

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

/// Largest request body any route takes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

#[derive(Debug, Parser)]
#[command(name = "sluice-server", version, about = "The Sluice admin console's backend")]
pub struct Cli {
    #[command(flatten)]
    pub serve: ServeArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Manage tenants without the browser.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Write `.br` (brotli 11) and `.gz` beside each file of the built console, once per build,
    /// so the server sends the smallest form without compressing on every request.
    Precompress {
        #[arg(long, env = "SLUICE_DIST_DIR", default_value = "dist")]
        dist_dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant and its admin; reads the admin's password from stdin and prints
    /// `apiKey=<key>` (first line) and `tenantId=<id>`.
    Create {
        #[arg(long, env = "SLUICE_DATA_DIR", default_value = "data")]
        data_dir: PathBuf,
        #[arg(long)]
        name: String,
        #[arg(long)]
        admin_email: String,
    },
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SLUICE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Where the SQLite database and keys live.
    #[arg(long, env = "SLUICE_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// The tenant's Public API window (API keys), as `<count>/<seconds>`.
    #[arg(long, env = "SLUICE_RATE_LIMIT", default_value = "500/600")]
    pub rate_limit: RateLimitSpec,
    /// Each console session's own window, as `<count>/<seconds>`: API-key traffic never spends it.
    #[arg(long, env = "SLUICE_CONSOLE_RATE_LIMIT", default_value = "300/60")]
    pub console_rate_limit: RateLimitSpec,
    /// Allow webhook and feed URLs that resolve to loopback, private or link-local addresses.
    #[arg(long, env = "SLUICE_ALLOW_PRIVATE_TARGETS")]
    pub allow_private_targets: bool,
    /// Seed a demo tenant on first start and print how to log in.
    #[arg(long, env = "SLUICE_DEMO")]
    pub demo: bool,
    /// The built console (trunk's output) to serve at `/`.
    #[arg(long, env = "SLUICE_DIST_DIR", default_value = "dist")]
    pub dist_dir: PathBuf,
    /// Reverse proxies (CIDR, comma-separated) whose `X-Forwarded-For`/`Forwarded` and
    /// `X-Forwarded-Proto` are believed; from any other peer those headers are ignored.
    #[arg(long, env = "SLUICE_TRUSTED_PROXY", value_delimiter = ',')]
    pub trusted_proxy: Vec<ipnet::IpNet>,
    /// The address users reach the console at; `https://…` makes the session cookie `Secure`.
    #[arg(long, env = "SLUICE_PUBLIC_URL")]
    pub public_url: Option<String>,
}

/// `500/600`: 500 requests per 600 seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSpec {
    pub count: u64,
    pub window_secs: u64,
}

impl Default for RateLimitSpec {
    fn default() -> Self {
        RateLimitSpec { count: 500, window_secs: 600 }
    }
}

impl RateLimitSpec {
    /// A console session's window unless `--console-rate-limit` says otherwise.
    pub const CONSOLE_DEFAULT: RateLimitSpec = RateLimitSpec { count: 300, window_secs: 60 };
}

impl FromStr for RateLimitSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wrong = || format!("expected <count>/<seconds> such as 500/600, got {s:?}");
        let (count, secs) = s.trim().split_once('/').ok_or_else(wrong)?;
        let count: u64 = count.trim().parse().map_err(|_| wrong())?;
        let window_secs: u64 = secs.trim().parse().map_err(|_| wrong())?;
        if count == 0 || window_secs == 0 {
            return Err(format!("both the count and the seconds must be above zero, got {s:?}"));
        }
        Ok(RateLimitSpec { count, window_secs })
    }
}

impl ServeArgs {
    /// Defaults for tests: a given data dir, everything else as shipped.
    pub fn for_data_dir(data_dir: PathBuf) -> Self {
        ServeArgs {
            listen: "127.0.0.1:0".parse().expect("valid address"),
            data_dir,
            rate_limit: RateLimitSpec::default(),
            console_rate_limit: RateLimitSpec::CONSOLE_DEFAULT,
            allow_private_targets: false,
            demo: false,
            dist_dir: PathBuf::from("dist"),
            trusted_proxy: Vec::new(),
            public_url: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_parses_and_refuses_nonsense() {
        assert_eq!("20/30".parse::<RateLimitSpec>(), Ok(RateLimitSpec { count: 20, window_secs: 30 }));
        assert!("500".parse::<RateLimitSpec>().unwrap_err().contains("<count>/<seconds>"));
        assert!("0/10".parse::<RateLimitSpec>().unwrap_err().contains("above zero"));
        assert!("a/b".parse::<RateLimitSpec>().is_err());
    }

    #[test]
    fn trusted_proxies_are_a_list_of_cidrs() {
        let cli = Cli::try_parse_from(["sluice-server", "--trusted-proxy", "10.0.0.0/8,::1/128"]).unwrap();
        assert_eq!(cli.serve.trusted_proxy.len(), 2);
        assert!(cli.serve.trusted_proxy[0].contains(&"10.1.2.3".parse::<std::net::IpAddr>().unwrap()));
        assert!(Cli::try_parse_from(["sluice-server", "--trusted-proxy", "10.0.0.0/33"]).is_err());
    }
}
