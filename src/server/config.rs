use std::net::SocketAddr;

/// Settings read from the environment; see the README's configuration table.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub addr: SocketAddr,
    pub site_root: String,
    pub session_idle_minutes: i64,
    /// Mark cookies `Secure` (serve over https, or behind a proxy that does).
    pub secure_cookies: bool,
    /// How long a write waits for the store's lock before it is answered as busy (503).
    pub lock_wait: std::time::Duration,
    /// A reverse proxy in front names the client in X-Forwarded-For (sign-in throttling counts
    /// per client, not per proxy).
    pub trust_proxy: bool,
    /// Days the provisioning log keeps each SCIM request; 0 turns the log off.
    pub provisioning_log_days: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not valid: {value:?}")]
    Invalid { name: &'static str, value: String },
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(value) => value.trim().parse().map_err(|_| ConfigError::Invalid { name, value }),
    }
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        let addr = match var("CIM_ADDR").or_else(|| var("LEPTOS_SITE_ADDR")) {
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
            Some(value) => value.parse().map_err(|_| ConfigError::Invalid { name: "CIM_ADDR", value })?,
        };
        Ok(Config {
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://data/cim.db".into()),
            addr,
            site_root: var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            session_idle_minutes: parse("CIM_SESSION_IDLE_MINUTES", 30)?,
            secure_cookies: parse("CIM_SECURE_COOKIES", false)?,
            lock_wait: std::time::Duration::from_millis(parse("CIM_LOCK_WAIT_MS", 5000)?),
            trust_proxy: parse("CIM_TRUST_PROXY", false)?,
            provisioning_log_days: i64::from(parse::<u32>("CIM_PROVISIONING_LOG_DAYS", 30)?),
        })
    }
}
