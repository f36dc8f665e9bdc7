//! Typed settings from the environment. A wrong value stops the start with
//! a message naming the variable.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use domain::notification::RetryPolicy;
use domain::outbound::OutboundPolicy;
use persistence::DatabaseUrl;

use crate::email::links::FrontendLinks;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// Argon2id cost. `Fast` exists for test suites only and is refused in
/// production.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordHashCost {
    Standard,
    Fast,
}

/// A secret that never appears in logs or `Debug` output.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct MeiliSettings {
    pub url: String,
    pub master_key: Option<Secret>,
    pub index_prefix: String,
}

/// Where documents' bytes are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageSettings {
    /// A directory (`$PMT_DATA_DIR/files`): one instance, nothing to set up.
    Local(PathBuf),
    /// `STORAGE_URL=s3://bucket/prefix`, shared by every instance; the
    /// endpoint, region and credentials come from the `AWS_*` variables.
    S3(storage::s3::S3Location),
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub environment: Environment,
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: DatabaseUrl,
    pub database_pool_size: u32,
    pub jwt_secret: Secret,
    /// When set, `GET /metrics` requires `Authorization: Bearer <token>`.
    pub metrics_token: Option<Secret>,
    pub jwt_issuer: String,
    pub access_token_ttl_seconds: i64,
    pub refresh_token_ttl_days: i64,
    /// How long a rotated refresh token still answers with its successor
    /// instead of ending the session (two tabs refreshing at once).
    pub refresh_reuse_grace: chrono::TimeDelta,
    /// The browser mode: the refresh token in an `HttpOnly` cookie rather
    /// than in JSON (see `auth::cookie`).
    pub auth_cookie: bool,
    pub password_hash_cost: PasswordHashCost,
    pub meili: Option<MeiliSettings>,
    pub smtp_url: Option<Secret>,
    /// Per-command SMTP timeout; a whole send is bounded by a few of them.
    pub smtp_timeout: Duration,
    pub mail_from: String,
    /// Backoff base and attempt budget of email deliveries.
    pub notify_retry: RetryPolicy,
    /// How often periodic reminders (expiring certificates) are looked for.
    pub reminder_interval: Duration,
    /// Development only: the server's clock runs this far ahead (or behind),
    /// to exercise deadlines and expiries without waiting.
    pub clock_offset: chrono::TimeDelta,
    /// The API's own public address (HSTS, the spec's examples).
    pub public_base_url: String,
    /// Where emails' links point: the frontend, by default the API's address.
    pub frontend: FrontendLinks,
    pub cors_allowed_origins: Vec<String>,
    pub json_logs: bool,
    pub body_limit_bytes: usize,
    /// Attempts per minute and IP address on the endpoints that check a
    /// password or an emailed token.
    pub auth_attempts_per_minute: std::num::NonZeroU32,
    /// Requests per minute and IP address on any route.
    pub client_requests_per_minute: std::num::NonZeroU32,
    /// How often open requests are checked against their deadline.
    pub deadline_check_interval: std::time::Duration,
    /// What the server may call when it fetches a member's URL (webhooks):
    /// `strict` (public https only, the production rule) or `local`
    /// (development: http and local addresses, for a receiver on one's
    /// machine).
    pub outbound_policy: OutboundPolicy,
    /// How often the webhook delivery worker looks for due deliveries when
    /// idle.
    pub webhook_poll: Duration,
    /// How long a claimed webhook delivery is the claiming worker's: a
    /// killed instance's delivery is sent again once it ends. Longer than
    /// a call (10 s at most) plus recording its outcome, so that a live
    /// worker's delivery is not sent twice.
    pub webhook_lease: chrono::TimeDelta,
    pub storage: StorageSettings,
    /// Largest document accepted by `POST /api/v1/files`.
    pub upload_limit_bytes: u64,
    /// Bytes of documents an organisation may keep.
    pub org_storage_quota_bytes: u64,
    /// How often unattached files and pending object removals are looked at.
    pub files_check_interval: Duration,
}

/// Where each setting comes from; kept apart so tests can feed a map.
pub trait Source {
    fn get(&self, name: &str) -> Option<String>;
}

pub struct ProcessEnv;

impl Source for ProcessEnv {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl Settings {
    pub fn from_env() -> anyhow::Result<Self> {
        Self::load(&ProcessEnv)
    }

    pub fn load(env: &dyn Source) -> anyhow::Result<Self> {
        let environment = match env.get("PMT_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => bail!("PMT_ENV must be `development` or `production`, got {other:?}"),
        };
        let data_dir = PathBuf::from(
            env.get("PMT_DATA_DIR")
                .unwrap_or_else(|| "./data".to_owned()),
        );
        let bind = parse(env, "PMT_BIND", "127.0.0.1:8080")?;
        let database_url = match env.get("DATABASE_URL") {
            Some(raw) => {
                DatabaseUrl::parse(&raw).map_err(|e| anyhow::anyhow!("DATABASE_URL: {e}"))?
            }
            None => DatabaseUrl::Sqlite(data_dir.join("pmt.db")),
        };
        let jwt_secret = match (env.get("JWT_SECRET"), environment) {
            (Some(secret), _) => {
                strong_secret(&secret).map_err(|e| anyhow::anyhow!("JWT_SECRET {e}"))?;
                Secret(secret)
            }
            (None, Environment::Production) => {
                bail!("JWT_SECRET is required when PMT_ENV=production")
            }
            (None, Environment::Development) => Secret(development_secret(&data_dir)?),
        };
        let metrics_token = env
            .get("METRICS_TOKEN")
            .map(|token| -> anyhow::Result<Secret> {
                strong_secret(&token).map_err(|e| anyhow::anyhow!("METRICS_TOKEN {e}"))?;
                Ok(Secret(token))
            })
            .transpose()?;
        let password_hash_cost = match env.get("PASSWORD_HASH_COST").as_deref() {
            None | Some("standard") => PasswordHashCost::Standard,
            Some("fast") if environment == Environment::Development => PasswordHashCost::Fast,
            Some("fast") => bail!("PASSWORD_HASH_COST=fast is refused when PMT_ENV=production"),
            Some(other) => bail!("PASSWORD_HASH_COST must be `standard` or `fast`, got {other:?}"),
        };
        let meili = env
            .get("MEILI_URL")
            .map(|url| -> anyhow::Result<MeiliSettings> {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    bail!("MEILI_URL must be an http(s) URL, got {url:?}");
                }
                Ok(MeiliSettings {
                    url,
                    master_key: env.get("MEILI_MASTER_KEY").map(Secret),
                    index_prefix: env
                        .get("MEILI_INDEX_PREFIX")
                        .unwrap_or_else(|| "pmt_".to_owned()),
                })
            });
        let smtp_url = env.get("SMTP_URL").map(|url| -> anyhow::Result<Secret> {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                bail!("SMTP_URL must start with smtp:// or smtps://");
            }
            Ok(Secret(url))
        });
        let public_base_url = env
            .get("PUBLIC_BASE_URL")
            .unwrap_or_else(|| format!("http://{bind}"));
        if !(public_base_url.starts_with("http://") || public_base_url.starts_with("https://")) {
            bail!("PUBLIC_BASE_URL must be an http(s) URL, got {public_base_url:?}");
        }
        let frontend_base_url = env
            .get("FRONTEND_BASE_URL")
            .unwrap_or_else(|| public_base_url.clone());
        if !(frontend_base_url.starts_with("http://") || frontend_base_url.starts_with("https://"))
        {
            bail!("FRONTEND_BASE_URL must be an http(s) URL, got {frontend_base_url:?}");
        }
        let cors_allowed_origins = env
            .get("CORS_ALLOWED_ORIGINS")
            .map(|raw| {
                raw.split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_owned())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let storage = match env.get("STORAGE_URL") {
            None => StorageSettings::Local(data_dir.join("files")),
            Some(url) => StorageSettings::S3(
                storage::s3::S3Location::parse(&url)
                    .map_err(|e| anyhow::anyhow!("STORAGE_URL {e}"))?,
            ),
        };
        let json_logs = match env.get("LOG_FORMAT").as_deref() {
            None => environment == Environment::Production,
            Some("json") => true,
            Some("pretty") => false,
            Some(other) => bail!("LOG_FORMAT must be `json` or `pretty`, got {other:?}"),
        };
        let outbound_policy = match (env.get("OUTBOUND_POLICY").as_deref(), environment) {
            (None, Environment::Production) | (Some("strict"), _) => OutboundPolicy::Strict,
            (None, Environment::Development) | (Some("local"), Environment::Development) => {
                OutboundPolicy::Local
            }
            (Some("local"), Environment::Production) => {
                bail!("OUTBOUND_POLICY=local is refused when PMT_ENV=production")
            }
            (Some(other), _) => bail!("OUTBOUND_POLICY must be `strict` or `local`, got {other:?}"),
        };
        Ok(Self {
            outbound_policy,
            webhook_poll: Duration::from_millis(bounded(env, "WEBHOOK_POLL_MS", 200, 10..=60_000)?),
            webhook_lease: chrono::TimeDelta::seconds(
                bounded(env, "WEBHOOK_LEASE_SECONDS", 60, 1..=3600)?
                    .try_into()
                    .unwrap_or(60),
            ),
            environment,
            bind,
            database_pool_size: parse(env, "DATABASE_POOL_SIZE", "8")?,
            database_url,
            jwt_secret,
            metrics_token,
            jwt_issuer: env
                .get("JWT_ISSUER")
                .unwrap_or_else(|| "pmt-business".to_owned()),
            access_token_ttl_seconds: parse(env, "ACCESS_TOKEN_TTL_SECONDS", "900")?,
            refresh_token_ttl_days: parse(env, "REFRESH_TOKEN_TTL_DAYS", "30")?,
            auth_cookie: parse(env, "AUTH_COOKIE", "false")?,
            refresh_reuse_grace: chrono::TimeDelta::seconds(
                bounded(env, "REFRESH_REUSE_GRACE_SECONDS", 30, 0..=300)?.cast_signed(),
            ),
            password_hash_cost,
            meili: meili.transpose()?,
            smtp_url: smtp_url.transpose()?,
            smtp_timeout: Duration::from_secs(bounded(env, "SMTP_TIMEOUT_SECONDS", 10, 1..=120)?),
            notify_retry: RetryPolicy {
                base: chrono::TimeDelta::seconds(
                    bounded(env, "NOTIFY_RETRY_BASE_SECONDS", 30, 1..=3600)?.cast_signed(),
                ),
                max_attempts: i32::try_from(bounded(env, "NOTIFY_MAX_ATTEMPTS", 8, 1..=50)?)?,
            },
            reminder_interval: Duration::from_secs(bounded(
                env,
                "REMINDER_INTERVAL_SECONDS",
                3600,
                1..=7 * 86_400,
            )?),
            clock_offset: clock_offset(env, environment)?,
            mail_from: env
                .get("MAIL_FROM")
                .unwrap_or_else(|| "PMT Business <no-reply@pmt-business.example>".to_owned()),
            public_base_url: public_base_url.trim_end_matches('/').to_owned(),
            frontend: FrontendLinks::new(&frontend_base_url),
            cors_allowed_origins,
            json_logs,
            body_limit_bytes: parse(env, "BODY_LIMIT_BYTES", "262144")?,
            auth_attempts_per_minute: parse(env, "AUTH_RATE_LIMIT_PER_MINUTE", "20")?,
            client_requests_per_minute: parse(env, "RATE_LIMIT_PER_MINUTE", "1200")?,
            deadline_check_interval: std::time::Duration::from_secs(parse(
                env,
                "DEADLINE_CHECK_INTERVAL_SECONDS",
                "60",
            )?),
            storage,
            upload_limit_bytes: bounded(
                env,
                "UPLOAD_LIMIT_BYTES",
                25 * 1024 * 1024,
                1..=(1 << 40),
            )?,
            org_storage_quota_bytes: bounded(
                env,
                "ORG_STORAGE_QUOTA_BYTES",
                1 << 30,
                0..=(1 << 50),
            )?,
            files_check_interval: Duration::from_secs(bounded(
                env,
                "FILES_CHECK_INTERVAL_SECONDS",
                60,
                1..=86_400,
            )?),
            data_dir,
        })
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }
}

fn parse<T>(env: &dyn Source, name: &str, default: &str) -> anyhow::Result<T>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let raw = env.get(name).unwrap_or_else(|| default.to_owned());
    raw.trim()
        .parse()
        .map_err(|e| anyhow::anyhow!("{name}: cannot parse {raw:?}: {e}"))
}

/// A whole number of `name` within `range`, or `default` when unset.
/// `PMT_CLOCK_OFFSET_SECONDS`, within ten years, refused in production.
fn clock_offset(env: &dyn Source, environment: Environment) -> anyhow::Result<chrono::TimeDelta> {
    const NAME: &str = "PMT_CLOCK_OFFSET_SECONDS";
    let Some(raw) = env.get(NAME) else {
        return Ok(chrono::TimeDelta::zero());
    };
    if environment == Environment::Production {
        bail!("{NAME} is refused when PMT_ENV=production");
    }
    let seconds: i64 = raw
        .trim()
        .parse()
        .with_context(|| format!("{NAME} must be a whole number of seconds, got {raw:?}"))?;
    const TEN_YEARS: i64 = 10 * 366 * 86_400;
    if !(-TEN_YEARS..=TEN_YEARS).contains(&seconds) {
        bail!("{NAME} must be within ten years ({TEN_YEARS} seconds), got {seconds}");
    }
    Ok(chrono::TimeDelta::seconds(seconds))
}

fn bounded(
    env: &dyn Source,
    name: &str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> anyhow::Result<u64> {
    let value: u64 = parse(env, name, &default.to_string())?;
    if !range.contains(&value) {
        bail!(
            "{name} must be between {} and {}, got {value}",
            range.start(),
            range.end()
        );
    }
    Ok(value)
}

/// Fewest characters, and fewest bits of estimated entropy, of a secret.
const SECRET_MIN_CHARS: usize = 32;
const SECRET_MIN_BITS: f64 = 128.0;

/// Refuses a secret that is short or visibly not random: its estimated
/// entropy (Shannon entropy of its characters times its length) must reach
/// 128 bits, which 32 identical characters or a short repeated word do not
/// and 32 random hexadecimal digits do.
fn strong_secret(secret: &str) -> anyhow::Result<()> {
    let chars = secret.chars().count();
    if chars < SECRET_MIN_CHARS {
        bail!("must be at least {SECRET_MIN_CHARS} characters");
    }
    let mut counts = std::collections::HashMap::new();
    for c in secret.chars() {
        *counts.entry(c).or_insert(0u32) += 1;
    }
    #[expect(clippy::cast_precision_loss, reason = "lengths far below 2^52")]
    let total = chars as f64;
    let bits_per_char: f64 = counts
        .values()
        .map(|&n| {
            let p = f64::from(n) / total;
            -p * p.log2()
        })
        .sum();
    if bits_per_char * total < SECRET_MIN_BITS {
        bail!(
            "is not random enough (about {:.0} bits, at least {SECRET_MIN_BITS:.0} needed): \
             generate one, e.g. `openssl rand -base64 48`",
            bits_per_char * total
        );
    }
    Ok(())
}

/// In development a signing secret is generated once and kept under the
/// data directory (readable by its owner only), so tokens survive restarts
/// without configuration. A file that is empty or weak is refused, never
/// used: whoever could write it could sign tokens.
fn development_secret(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join("jwt-secret");
    match std::fs::read_to_string(&path) {
        Ok(secret) => {
            let secret = secret.trim().to_owned();
            strong_secret(&secret).map_err(|e| {
                anyhow::anyhow!(
                    "JWT_SECRET unset and the development secret {} {e}; delete it to generate a new one",
                    path.display()
                )
            })?;
            owner_only(&path)?;
            return Ok(secret);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("PMT_DATA_DIR: cannot create {}", data_dir.display()))?;
    let secret = crate::auth::tokens::random_token();
    write_owner_only(&path, &secret).with_context(|| format!("cannot write {}", path.display()))?;
    tracing::warn!(path = %path.display(), "JWT_SECRET not set: generated a development secret; set JWT_SECRET in production");
    Ok(secret)
}

/// Writes a new file readable and writable by its owner only (0600), whole
/// or not at all.
fn write_owner_only(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp)?;
    file.write_all(content.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// Narrows an existing secret file (e.g. one written world-readable by an
/// older version) to its owner.
fn owner_only(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .with_context(|| format!("cannot restrict {} to its owner", path.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    struct Map(HashMap<&'static str, &'static str>);

    impl Source for Map {
        fn get(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|v| (*v).to_owned())
        }
    }

    fn load(vars: &[(&'static str, &'static str)]) -> anyhow::Result<Settings> {
        let dir = std::env::temp_dir().join(format!("pmt-config-{}", uuid::Uuid::new_v4()));
        let mut map: HashMap<_, _> = vars.iter().copied().collect();
        map.entry("PMT_DATA_DIR").or_insert(Box::leak(
            dir.to_string_lossy().into_owned().into_boxed_str(),
        ));
        Settings::load(&Map(map))
    }

    #[test]
    fn defaults_work_on_a_bare_machine() {
        let settings = load(&[]).expect("defaults load");
        assert_eq!(settings.bind.to_string(), "127.0.0.1:8080");
        assert!(matches!(settings.database_url, DatabaseUrl::Sqlite(_)));
        assert!(settings.meili.is_none() && settings.smtp_url.is_none());
        assert_eq!(settings.notify_retry, RetryPolicy::default());
        assert_eq!(settings.smtp_timeout, Duration::from_secs(10));
        assert_eq!(settings.reminder_interval, Duration::from_secs(3600));
        assert_eq!(
            settings.storage,
            StorageSettings::Local(settings.data_dir.join("files"))
        );
        assert_eq!(settings.upload_limit_bytes, 25 * 1024 * 1024);
        assert_eq!(settings.org_storage_quota_bytes, 1024 * 1024 * 1024);
    }

    #[test]
    fn documents_go_to_s3_when_a_bucket_is_named() {
        let settings = load(&[("STORAGE_URL", "s3://pmt-docs/prod")]).expect("loads");
        assert_eq!(
            settings.storage,
            StorageSettings::S3(storage::s3::S3Location {
                bucket: "pmt-docs".into(),
                prefix: "prod".into()
            })
        );
    }

    #[test]
    fn email_links_point_at_the_api_unless_a_frontend_is_named() {
        let settings = load(&[("PUBLIC_BASE_URL", "https://api.example/")]).expect("loads");
        assert_eq!(settings.frontend, FrontendLinks::new("https://api.example"));
        let settings = load(&[
            ("PUBLIC_BASE_URL", "https://api.example"),
            ("FRONTEND_BASE_URL", "https://app.example/"),
        ])
        .expect("loads");
        assert_eq!(settings.public_base_url, "https://api.example");
        assert_eq!(settings.frontend, FrontendLinks::new("https://app.example"));
    }

    #[test]
    fn delivery_retries_and_reminders_are_tunable() {
        let settings = load(&[
            (
                "SMTP_URL",
                "smtp://mailer:s3cret@mail.example:587?tls=required",
            ),
            ("SMTP_TIMEOUT_SECONDS", "5"),
            ("NOTIFY_RETRY_BASE_SECONDS", "1"),
            ("NOTIFY_MAX_ATTEMPTS", "2"),
            ("REMINDER_INTERVAL_SECONDS", "1"),
        ])
        .expect("loads");
        assert_eq!(settings.smtp_timeout, Duration::from_secs(5));
        assert_eq!(settings.notify_retry.base, chrono::TimeDelta::seconds(1));
        assert_eq!(settings.notify_retry.max_attempts, 2);
        assert_eq!(settings.reminder_interval, Duration::from_secs(1));
        assert!(!format!("{settings:?}").contains("s3cret"));
    }

    #[test]
    fn a_wrong_value_names_its_variable() {
        for (vars, name) in [
            (vec![("PMT_BIND", "nowhere")], "PMT_BIND"),
            (vec![("DATABASE_URL", "mysql://x")], "DATABASE_URL"),
            (vec![("MEILI_URL", "localhost:7700")], "MEILI_URL"),
            (vec![("PMT_ENV", "production")], "JWT_SECRET"),
            (vec![("JWT_SECRET", "short")], "JWT_SECRET"),
            (
                vec![("ACCESS_TOKEN_TTL_SECONDS", "soon")],
                "ACCESS_TOKEN_TTL_SECONDS",
            ),
            (
                vec![("AUTH_RATE_LIMIT_PER_MINUTE", "0")],
                "AUTH_RATE_LIMIT_PER_MINUTE",
            ),
            (vec![("SMTP_URL", "mail.example:25")], "SMTP_URL"),
            (vec![("STORAGE_URL", "/srv/files")], "STORAGE_URL"),
            (vec![("UPLOAD_LIMIT_BYTES", "0")], "UPLOAD_LIMIT_BYTES"),
            (
                vec![("ORG_STORAGE_QUOTA_BYTES", "lots")],
                "ORG_STORAGE_QUOTA_BYTES",
            ),
            (
                vec![("FRONTEND_BASE_URL", "app.example")],
                "FRONTEND_BASE_URL",
            ),
            (vec![("SMTP_TIMEOUT_SECONDS", "0")], "SMTP_TIMEOUT_SECONDS"),
            (
                vec![("NOTIFY_RETRY_BASE_SECONDS", "-1")],
                "NOTIFY_RETRY_BASE_SECONDS",
            ),
            (
                vec![("NOTIFY_RETRY_BASE_SECONDS", "7200")],
                "NOTIFY_RETRY_BASE_SECONDS",
            ),
            (vec![("NOTIFY_MAX_ATTEMPTS", "0")], "NOTIFY_MAX_ATTEMPTS"),
            (
                vec![("REMINDER_INTERVAL_SECONDS", "hourly")],
                "REMINDER_INTERVAL_SECONDS",
            ),
            (
                vec![("PMT_CLOCK_OFFSET_SECONDS", "two weeks")],
                "PMT_CLOCK_OFFSET_SECONDS",
            ),
            (
                vec![("PMT_CLOCK_OFFSET_SECONDS", "99999999999")],
                "PMT_CLOCK_OFFSET_SECONDS",
            ),
        ] {
            let error = load(&vars).expect_err("must fail").to_string();
            assert!(error.contains(name), "{error:?} should name {name}");
        }
    }

    #[test]
    fn weak_secrets_are_refused() {
        for weak in [
            "a".repeat(32),
            "abababababababababababababababab".to_owned(),
            "passwordpasswordpasswordpassword".to_owned(),
        ] {
            for name in ["JWT_SECRET", "METRICS_TOKEN"] {
                let env = [(name, &*Box::leak(weak.clone().into_boxed_str()))];
                let error = load(&env).expect_err("weak secret").to_string();
                assert!(error.contains(name), "{error}");
                let production = [env[0], ("PMT_ENV", "production")];
                assert!(load(&production).is_err(), "{weak} accepted in production");
            }
        }
        let random = crate::auth::tokens::random_token();
        let random: &'static str = Box::leak(random.into_boxed_str());
        load(&[("JWT_SECRET", random), ("PMT_ENV", "production")]).expect("a random secret loads");
        load(&[("METRICS_TOKEN", "0123456789abcdef0123456789abcdef")]).expect("32 hex digits load");
    }

    #[test]
    fn the_development_secret_is_owner_only_and_never_empty() {
        let dir = tempfile_dir();
        let settings = Settings::load(&Map(HashMap::from([("PMT_DATA_DIR", dir)]))).expect("loads");
        let path = Path::new(dir).join("jwt-secret");
        assert!(strong_secret(settings.jwt_secret.expose()).is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("file").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        for weak in ["", "\n", "short", &"x".repeat(64)] {
            std::fs::write(&path, weak).expect("write");
            let error = Settings::load(&Map(HashMap::from([("PMT_DATA_DIR", dir)])))
                .expect_err("a weak development secret is refused")
                .to_string();
            assert!(error.contains("jwt-secret"), "{error}");
        }
    }

    fn tempfile_dir() -> &'static str {
        let dir = std::env::temp_dir().join(format!("pmt-config-{}", uuid::Uuid::new_v4()));
        Box::leak(dir.to_string_lossy().into_owned().into_boxed_str())
    }

    #[test]
    fn secrets_never_print() {
        let settings = load(&[("JWT_SECRET", "0123456789abcdef0123456789abcdef")]).expect("loads");
        assert!(!format!("{settings:?}").contains("0123456789abcdef"));
    }
}
