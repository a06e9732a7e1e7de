//! Blobs in an S3-compatible bucket (`object_store`), shareable by several server processes.
//!
//! A file is streamed up with a multipart upload (the object appears only when the upload
//! completes, so never a prefix). Write-once keys are uploaded to a temporary key and then
//! copied into place only if the key is still absent; since archive keys are content addresses,
//! two processes racing to store one bundle store the same bytes.

use std::path::Path;
use std::sync::Arc;

use futures_util::StreamExt as _;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as Key;
use object_store::{ObjectStore, PutPayload, WriteMultipart};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::{check_key, deletable, BlobError, BlobStore, BoxFut, Put};
use crate::config::S3Config;

/// Below this size a file is sent in one PUT.
const SINGLE_PUT: usize = 8 << 20;

/// An S3-compatible bucket.
#[derive(Debug, Clone)]
pub struct S3Blobs {
    store: Arc<dyn ObjectStore>,
}

fn store_err(e: object_store::Error) -> BlobError {
    BlobError::Store(e.to_string())
}

impl S3Blobs {
    /// Connects to the bucket (no request is made until the first operation).
    pub fn open(cfg: &S3Config) -> Result<S3Blobs, BlobError> {
        let mut b = AmazonS3Builder::new()
            .with_bucket_name(&cfg.bucket)
            .with_region(&cfg.region)
            .with_access_key_id(&cfg.access_key_id)
            .with_secret_access_key(&cfg.secret_access_key)
            .with_allow_http(cfg.allow_http);
        if let Some(endpoint) = &cfg.endpoint {
            b = b.with_endpoint(endpoint).with_virtual_hosted_style_request(false);
        }
        Ok(S3Blobs { store: Arc::new(b.build().map_err(store_err)?) })
    }

    /// Wraps any object store (tests use this with other implementations).
    pub fn from_store(store: Arc<dyn ObjectStore>) -> S3Blobs {
        S3Blobs { store }
    }

    async fn upload(&self, key: &Key, source: &Path) -> Result<(), BlobError> {
        let io = |e| BlobError::Io(format!("cannot read {}", source.display()), e);
        let mut file = tokio::fs::File::open(source).await.map_err(io)?;
        let len = file.metadata().await.map_err(io)?.len();
        if len <= SINGLE_PUT as u64 {
            let mut buf = Vec::with_capacity(len as usize);
            file.read_to_end(&mut buf).await.map_err(io)?;
            self.store.put(key, PutPayload::from(buf)).await.map_err(store_err)?;
            return Ok(());
        }
        let mut w = WriteMultipart::new(self.store.put_multipart(key).await.map_err(store_err)?);
        let mut buf = vec![0u8; SINGLE_PUT];
        loop {
            let n = file.read(&mut buf).await.map_err(io)?;
            if n == 0 {
                break;
            }
            w.wait_for_capacity(4).await.map_err(store_err)?;
            w.write(&buf[..n]);
        }
        w.finish().await.map_err(store_err)?;
        Ok(())
    }

    async fn exists_key(&self, key: &Key) -> Result<bool, BlobError> {
        match self.store.head(key).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(store_err(e)),
        }
    }
}

impl BlobStore for S3Blobs {
    fn put(&self, key: &str, source: &Path, mode: Put) -> BoxFut<'_, ()> {
        let (key, source) = (key.to_owned(), source.to_owned());
        Box::pin(async move {
            check_key(&key)?;
            let target = Key::from(key.as_str());
            match mode {
                Put::Replace => self.upload(&target, &source).await?,
                Put::CreateOnly => {
                    if !self.exists_key(&target).await? {
                        let tmp = Key::from(format!("tmp/{}", uuid::Uuid::now_v7().simple()));
                        self.upload(&tmp, &source).await?;
                        let copied = match self.store.copy_if_not_exists(&tmp, &target).await {
                            Ok(()) | Err(object_store::Error::AlreadyExists { .. }) => Ok(()),
                            // Stores without conditional copy: the key is a content address, so
                            // a plain copy can only write the same bytes.
                            Err(object_store::Error::NotSupported { .. })
                            | Err(object_store::Error::NotImplemented) => {
                                self.store.copy(&tmp, &target).await.map_err(store_err)
                            }
                            Err(e) => Err(store_err(e)),
                        };
                        let _ = self.store.delete(&tmp).await;
                        copied?;
                    }
                }
            }
            tokio::fs::remove_file(&source)
                .await
                .map_err(|e| BlobError::Io(format!("cannot remove {}", source.display()), e))
        })
    }

    fn append_to(&self, key: &str, dest: &Path) -> BoxFut<'_, ()> {
        let (key, dest) = (key.to_owned(), dest.to_owned());
        Box::pin(async move {
            check_key(&key)?;
            let got = match self.store.get(&Key::from(key.as_str())).await {
                Ok(g) => g,
                Err(object_store::Error::NotFound { .. }) => return Err(BlobError::Missing(key)),
                Err(e) => return Err(store_err(e)),
            };
            let io = |e| BlobError::Io(format!("cannot write {}", dest.display()), e);
            let mut out = tokio::fs::OpenOptions::new().append(true).create(true).open(&dest).await.map_err(io)?;
            let mut stream = got.into_stream();
            while let Some(chunk) = stream.next().await {
                out.write_all(&chunk.map_err(store_err)?).await.map_err(io)?;
            }
            out.flush().await.map_err(io)
        })
    }

    fn exists(&self, key: &str) -> BoxFut<'_, bool> {
        let key = key.to_owned();
        Box::pin(async move {
            check_key(&key)?;
            self.exists_key(&Key::from(key.as_str())).await
        })
    }

    fn delete(&self, key: &str) -> BoxFut<'_, ()> {
        let key = key.to_owned();
        Box::pin(async move {
            deletable(&key)?;
            check_key(&key)?;
            match self.store.delete(&Key::from(key.as_str())).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(store_err(e)),
            }
        })
    }
}
