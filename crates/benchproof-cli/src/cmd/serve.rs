//! `benchproof serve`: the department server (tus uploads, verify on receipt, append-only
//! archive, transparency log, admin pages), and `benchproof admin-password`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use benchproof_bundle::Trust;
use benchproof_server::{Backend, S3Config, ServerConfig};
use benchproof_station::trust::DepartmentKey;
use clap::Args;

use crate::cmd::keys;
use crate::exit::{CliResult, Failure, USAGE};
use crate::Context;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where to listen (put a TLS reverse proxy in front; see docs/server.md)
    #[arg(long, default_value = "127.0.0.1:8440")]
    addr: SocketAddr,
    #[command(flatten)]
    department: DepartmentArgs,
    #[command(flatten)]
    backend: BackendArgs,
    /// The URL stations use when a reverse proxy is in front, e.g. https://bench.example.edu
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// The transparency log's name in its checkpoints, e.g. bench.example.edu/log
    #[arg(long, default_value = "benchproof/log")]
    log_origin: String,
    /// Issue credentials as did:web:DOMAIN and publish /.well-known/did.json (serve it at
    /// https://DOMAIN/) [default: issue as the department's did:key]
    #[arg(long, value_name = "DOMAIN")]
    did_web: Option<String>,
    /// The department's web page, named in credentials as the issuer's url [default: the
    /// server's public URL]
    #[arg(long, value_name = "URL")]
    department_url: Option<String>,
}

/// The department whose server this is.
#[derive(Debug, Args)]
pub struct DepartmentArgs {
    /// The department folder made by `benchproof dept init` [default: DATA_DIR/department]
    #[arg(long, value_name = "DIR")]
    dept_dir: Option<PathBuf>,
    /// A file whose first line is the department passphrase [default: $BENCHPROOF_DEPT_PASSPHRASE]
    #[arg(long, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
}

/// Where metadata and bundles live.
#[derive(Debug, Args)]
pub struct BackendArgs {
    /// `sqlite+files` (embedded, under --data-dir) or a postgres:// URL (needs --s3-bucket)
    #[arg(long, default_value = "sqlite+files", value_name = "URL")]
    metadata: String,
    /// The S3 bucket for bundles (with a postgres:// --metadata)
    #[arg(long)]
    s3_bucket: Option<String>,
    /// An S3-compatible endpoint, e.g. http://127.0.0.1:9000 [default: AWS]
    #[arg(long)]
    s3_endpoint: Option<String>,
    #[arg(long, default_value = "us-east-1")]
    s3_region: String,
}

impl BackendArgs {
    fn backend(&self) -> anyhow::Result<Backend> {
        let s3 = self.s3_bucket.as_ref().map(|bucket| S3Config {
            bucket: bucket.clone(),
            endpoint: self.s3_endpoint.clone(),
            region: self.s3_region.clone(),
            access_key_id: std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_default(),
            secret_access_key: std::env::var("AWS_SECRET_ACCESS_KEY").unwrap_or_default(),
            allow_http: self.s3_endpoint.as_deref().is_some_and(|e| e.starts_with("http://")),
        });
        Backend::parse(&self.metadata, s3).map_err(|e| anyhow::anyhow!("--metadata: {e}"))
    }
}

/// The server's configuration for a department folder, unlocked with its passphrase.
pub fn config(
    ctx: &Context,
    department: &DepartmentArgs,
    addr: SocketAddr,
    backend: Backend,
) -> anyhow::Result<ServerConfig> {
    let dir = keys::dept_dir(department.dept_dir.clone(), &ctx.data_dir);
    let passphrase = keys::required(
        keys::passphrase(department.passphrase_file.as_deref(), keys::DEPT_ENV)?,
        "--passphrase-file",
        keys::DEPT_ENV,
    )?;
    let dept = DepartmentKey::open(&dir, Some(&passphrase))?;
    let trust = Trust { department: dept.info.did.clone(), revocations: dept.revocations()? };
    let name = dept.info.name.clone();
    let mut config = ServerConfig::embedded(server_dir(&ctx.data_dir), addr, dept.into_signing_key(), trust);
    config.backend = backend;
    config.issuer.name = name;
    Ok(config)
}

pub fn run(ctx: &Context, args: ServeArgs) -> CliResult {
    let backend = args.backend.backend().map_err(|e| Failure::new(USAGE, e))?;
    let mut config = config(ctx, &args.department, args.addr, backend)?;
    config.public_url = args.public_url;
    config.log_origin = args.log_origin;
    if let Some(domain) = &args.did_web {
        // Refuse a domain that cannot name a did:web before anything starts.
        benchproof_credential::IssuerDid::web(domain, *config.department_key.did_key().public_key())
            .map_err(|e| Failure::new(USAGE, anyhow::anyhow!("--did-web: {e}")))?;
    }
    config.issuer.did_web = args.did_web;
    config.issuer.url = args.department_url;
    let json = ctx.json;
    benchproof_server::run(config, move |addr| {
        if json {
            println!("{}", serde_json::json!({ "listening": addr.to_string() }));
        } else {
            println!("benchproof department server listening on http://{addr}");
            println!("  uploads  http://{addr}/files/   admin  http://{addr}/admin   log  http://{addr}/api/v1/log/checkpoint");
        }
    })
    .map_err(|e| Failure::new(crate::exit::DATA_DIR, e))
}

/// `benchproof admin-password USER`: sets who may log in to the server's admin pages.
#[derive(Debug, Args)]
pub struct AdminPasswordArgs {
    /// The admin's user name
    user: String,
    /// A file whose first line is the new password (at least 12 characters)
    /// [default: $BENCHPROOF_ADMIN_PASSWORD]
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    #[command(flatten)]
    backend: BackendArgs,
}

pub const ADMIN_PASSWORD_ENV: &str = "BENCHPROOF_ADMIN_PASSWORD";

pub fn admin_password(ctx: &Context, args: AdminPasswordArgs) -> CliResult {
    let backend = args.backend.backend().map_err(|e| Failure::new(USAGE, e))?;
    let password = keys::passphrase(args.password_file.as_deref(), ADMIN_PASSWORD_ENV)
        .and_then(|p| {
            p.ok_or_else(|| {
                anyhow::anyhow!("a password is needed: pass --password-file FILE or set {ADMIN_PASSWORD_ENV}")
            })
        })
        .map_err(|e| Failure::new(USAGE, e))?;
    let dir = server_dir(&ctx.data_dir);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(anyhow::Error::from)?;
    rt.block_on(benchproof_server::set_admin_password(&dir, &backend, &args.user, &password)).map_err(|e| {
        let code = if e.is::<benchproof_server::auth::admin::PasswordError>() { USAGE } else { crate::exit::DATA_DIR };
        Failure::new(code, e)
    })?;
    if ctx.json {
        println!("{}", serde_json::json!({ "admin": args.user, "password": "set" }));
    } else {
        println!("admin {} can now log in at /admin/login", args.user);
    }
    Ok(())
}

/// The server's own folder under a data directory.
fn server_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("server")
}
