//! A real S3-compatible server for the tests: `s3s-fs` (the `s3s` S3 protocol implementation
//! over a directory) on a free loopback port, with SigV4 authentication.

use benchproof_server::S3Config;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;

const ACCESS_KEY: &str = "benchproof-test";
const SECRET_KEY: &str = "benchproof-test-secret";

/// Starts a server storing under `root` with one bucket; returns the config to reach it.
pub async fn start(root: &std::path::Path) -> S3Config {
    let bucket = "bundles";
    std::fs::create_dir_all(root.join(bucket)).unwrap();
    let fs = s3s_fs::FileSystem::new(root).unwrap();
    let mut b = S3ServiceBuilder::new(fs);
    b.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
    let service = b.build().into_shared();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let http = ConnBuilder::new(TokioExecutor::new());
        loop {
            let Ok((socket, _)) = listener.accept().await else { continue };
            let conn = http.serve_connection(TokioIo::new(socket), service.clone()).into_owned();
            tokio::spawn(async move {
                let _ = conn.await;
            });
        }
    });
    S3Config {
        bucket: bucket.into(),
        endpoint: Some(format!("http://{addr}")),
        region: "us-east-1".into(),
        access_key_id: ACCESS_KEY.into(),
        secret_access_key: SECRET_KEY.into(),
        allow_http: true,
    }
}
