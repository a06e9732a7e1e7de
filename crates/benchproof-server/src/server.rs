//! Opening the backends, the router, the background sweep, and the running server.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use tokio::task::JoinHandle;

use crate::blob::files::FileBlobs;
use crate::blob::BlobStore;
use crate::config::{Backend, ServerConfig};
use crate::meta::sqlite::SqliteMeta;
use crate::meta::MetaStore;
use crate::state::AppState;
use crate::{log, pages, receive, tus};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the data directory {path} is unusable: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("cannot listen on {addr}: {source} (is another server running there? choose another --addr)")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("metadata store: {0}")]
    Meta(#[from] crate::meta::MetaError),
    #[error("blob store: {0}")]
    Blob(#[from] crate::blob::BlobError),
}

/// Opens the configured backends.
pub async fn open_backends(
    data_dir: &Path,
    backend: &Backend,
) -> Result<(Arc<dyn MetaStore>, Arc<dyn BlobStore>), StartError> {
    let dir = |source| StartError::DataDir { path: data_dir.display().to_string(), source };
    std::fs::create_dir_all(data_dir).map_err(dir)?;
    Ok(match backend {
        Backend::Embedded => {
            let meta = SqliteMeta::open(&data_dir.join("server.sqlite"))?;
            let blobs = FileBlobs::open(&data_dir.join("blobs"))?;
            (Arc::new(meta), Arc::new(blobs))
        }
        Backend::Scale { postgres, s3 } => {
            let meta = crate::meta::postgres::PgMeta::connect(postgres).await?;
            let blobs = crate::blob::s3::S3Blobs::open(s3)?;
            (Arc::new(meta), Arc::new(blobs))
        }
    })
}

/// The server's routes over `state`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/files/", axum::routing::options(tus::options).post(tus::create))
        .route("/files/{id}", axum::routing::head(tus::head).patch(tus::patch).delete(tus::delete))
        .route("/api/v1/bundles/{sha}/receipt", get(receive::get_receipt))
        .route("/api/v1/log/checkpoint", get(log::checkpoint))
        .route("/api/v1/log/inclusion", get(log::inclusion))
        .route("/api/v1/log/consistency", get(log::consistency))
        .route("/admin", get(pages::bundles))
        .route("/admin/quarantine", get(pages::quarantine))
        .route("/admin/conflicts", get(pages::conflicts))
        .route("/admin/stations", get(pages::stations))
        .route("/admin/log", get(pages::log_head))
        .route("/admin/login", get(pages::login_form).post(pages::login))
        .route("/admin/logout", post(pages::logout))
        .merge(credentials_and_review())
        .merge(events())
        .with_state(state)
}

/// Credentials (issue, status list, exports, did:web) and employer review links.
fn credentials_and_review() -> Router<AppState> {
    use crate::credentials::{api, attempts, did, export, issue, pages as cpages, published, status};
    use crate::oauth;
    use crate::review::{admin as radmin, public as rpublic};
    Router::new()
        .route("/.well-known/did.json", get(did::get_did_json))
        .route("/status/1", get(status::get_list))
        .route("/ims/ob/v3p0/discovery", get(api::get_discovery))
        .route("/ims/ob/v3p0/credentials", get(api::get_credentials))
        .route(oauth::REGISTER_PATH, post(oauth::register::post_register))
        .route(oauth::AUTHORIZE_PATH, get(oauth::authorize::get_authorize).post(oauth::authorize::post_authorize))
        .route(oauth::TOKEN_PATH, post(oauth::token::post_token))
        .route(oauth::REVOKE_PATH, post(oauth::token::post_revoke))
        .route("/evidence/{assessment}/{sha}", get(published::get_evidence))
        .route("/rubrics/{id}/{version}", get(published::get_rubric))
        .route("/admin/bundles/{sha}", get(cpages::get_bundle))
        .route("/admin/bundles/{sha}/issue", post(issue::post_issue))
        .route("/admin/bundles/{sha}/bundle.zip", get(export::get_bundle_zip))
        .route("/admin/bundles/{sha}/review-links", post(radmin::post_create))
        .route("/admin/bundles/{sha}/remediation", post(attempts::post_note))
        .route("/admin/credentials", get(cpages::get_credentials))
        .route("/admin/credentials/{id}/revoke", post(status::post_revoke))
        .route("/admin/credentials/{id}/{format}", get(export::get_credential))
        .route("/admin/{report}", get(export::get_report))
        .route("/admin/reviews", get(radmin::get_list))
        .route("/admin/reviews/{id}/revoke", post(radmin::post_revoke))
        .route("/review/{token}", get(rpublic::get_page).post(rpublic::post_code))
        .route("/review/{token}/media/{sha}", get(rpublic::get_media))
        .route("/review/{token}/receipt.json", get(rpublic::get_receipt))
}

/// Micro-events: the admin's slots and bookings, and each station's schedule and check-ins.
fn events() -> Router<AppState> {
    use crate::events::{admin, pages, station};
    Router::new()
        .route("/admin/events", get(pages::get_page))
        .route("/admin/events.json", get(admin::get_json))
        .route("/admin/events/slots", post(admin::post_slot))
        .route("/admin/events/slots/{id}/cancel", post(admin::post_cancel))
        .route("/admin/events/slots/{id}/bookings", post(admin::post_booking))
        .route("/admin/events/bookings/{id}/move", post(admin::post_move))
        .route("/admin/events/bookings/{id}/no-show", post(admin::post_no_show))
        .route("/api/v1/schedule", get(station::get_schedule))
        .route("/api/v1/schedule/bookings/{id}/check-in", axum::routing::put(station::put_check_in))
}

/// Deletes uploads whose expiry has passed, with their parts. Returns how many.
pub async fn sweep_expired(state: &AppState) -> Result<usize, crate::problem::Problem> {
    let expired = state.meta.expired_uploads(state.clock.now_ms()).await?;
    for id in &expired {
        let lock = state.upload_lock(id);
        let _guard = lock.lock().await;
        tus::discard_upload(state, id).await?;
    }
    Ok(expired.len())
}

/// A server listening in the background; dropping it does not stop it, [`RunningServer::stop`] does.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    state: AppState,
    serve: JoinHandle<std::io::Result<()>>,
    sweep: JoinHandle<()>,
}

impl RunningServer {
    /// The bound address (the real port when the config asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state (backends, clock), e.g. for [`sweep_expired`].
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Waits until the server stops (it runs until the process ends or [`RunningServer::stop`]).
    pub async fn wait(self) -> std::io::Result<()> {
        self.sweep.abort();
        match self.serve.await {
            Ok(r) => r,
            Err(e) if e.is_cancelled() => Ok(()),
            Err(e) => Err(std::io::Error::other(e)),
        }
    }

    /// Stops accepting and aborts requests in flight (as a crash would, which uploads survive).
    pub async fn stop(self) {
        self.serve.abort();
        self.sweep.abort();
        let _ = self.serve.await;
        let _ = self.sweep.await;
    }
}

/// Opens the backends, binds, and serves in the background.
pub async fn serve(config: ServerConfig) -> Result<RunningServer, StartError> {
    let (meta, blobs) = open_backends(&config.data_dir, &config.backend).await?;
    serve_with(config, meta, blobs).await
}

/// Like [`serve`], with backends the caller opened (any mix of metadata and blob store).
pub async fn serve_with(
    config: ServerConfig,
    meta: Arc<dyn MetaStore>,
    blobs: Arc<dyn BlobStore>,
) -> Result<RunningServer, StartError> {
    let spool = config.data_dir.join("spool");
    std::fs::create_dir_all(&spool)
        .map_err(|source| StartError::DataDir { path: spool.display().to_string(), source })?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| StartError::Bind { addr: config.addr, source })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind { addr: config.addr, source })?;
    let state = AppState {
        clock: config.clock.clone(),
        config: Arc::new(config),
        meta,
        blobs,
        spool,
        locks: Default::default(),
        finishing: Arc::new(tokio::sync::Semaphore::new(crate::state::MAX_FINISHING)),
        running: Default::default(),
        verifications: Default::default(),
    };
    let app = router(state.clone());
    let serve =
        tokio::spawn(
            async move { axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await },
        );
    let sweeper = state.clone();
    let sweep = tokio::spawn(async move {
        let mut every = tokio::time::interval(sweeper.config.sweep_every);
        loop {
            every.tick().await;
            // A failed sweep is retried at the next tick; expired uploads are already invisible.
            let _ = sweep_expired(&sweeper).await;
        }
    });
    Ok(RunningServer { addr, state, serve, sweep })
}

/// Runs the server on a new Tokio runtime until it stops: for a blocking caller (the CLI).
/// `on_ready` gets the bound address once the server listens.
pub fn run(config: ServerConfig, on_ready: impl FnOnce(SocketAddr)) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let server = serve(config).await?;
        on_ready(server.addr());
        server.wait().await?;
        Ok(())
    })
}

/// Sets (or replaces) an admin's password in the metadata store of `backend` (under `data_dir`
/// for the embedded one); a running server sees it at the next login.
pub async fn set_admin_password(data_dir: &Path, backend: &Backend, user: &str, password: &str) -> anyhow::Result<()> {
    let (meta, _) = open_backends(data_dir, backend).await?;
    crate::auth::admin::set_password(meta.as_ref(), user, password).await?;
    Ok(())
}
