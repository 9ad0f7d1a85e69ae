//! Object storage through `object_store`: a local folder (the embedded default) or any
//! S3-compatible service. Its I/O runs on a small runtime of its own: actix runs one
//! single-threaded runtime per worker, and the S3 client's pooled connections must live on
//! a runtime that outlives any one request. Blocking callers (workers, the CLI) use
//! [`BlobStore::block_on`].

use std::future::Future;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ClientOptions, GetOptions, ObjectStore, ObjectStoreExt, PutPayload};

use super::config::{BlobConfig, StoreKind};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("blob store configuration: {0}")]
    Config(String),
    #[error("blob store: {0}")]
    Io(#[from] object_store::Error),
    #[error("blob store task failed: {0}")]
    Task(String),
}

/// The runtime the store's I/O runs on. Dropped without waiting: it may be dropped from
/// inside another runtime (the last `AppState` clone going away in an actix worker).
struct IoRuntime(Option<tokio::runtime::Runtime>);

impl Drop for IoRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

pub struct BlobStore {
    objects: Arc<dyn ObjectStore>,
    _runtime: IoRuntime,
    handle: tokio::runtime::Handle,
    describe: String,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe)
    }
}

impl BlobStore {
    pub fn open(config: &BlobConfig, data_dir: &Path) -> Result<Self, StoreError> {
        let (objects, describe): (Arc<dyn ObjectStore>, String) = match config.store {
            StoreKind::Local => {
                let dir = config.local_dir(data_dir);
                std::fs::create_dir_all(&dir)
                    .map_err(|e| StoreError::Config(format!("creating {}: {e}", dir.display())))?;
                let fs = LocalFileSystem::new_with_prefix(&dir)?.with_automatic_cleanup(true);
                (Arc::new(fs), format!("local folder {}", dir.display()))
            }
            StoreKind::S3 => {
                if config.bucket.is_empty() {
                    return Err(StoreError::Config("blobs.bucket is required for s3".into()));
                }
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(&config.bucket)
                    .with_region(&config.region)
                    .with_access_key_id(&config.access_key_id)
                    .with_secret_access_key(&config.secret_access_key)
                    .with_virtual_hosted_style_request(config.virtual_hosted_style)
                    .with_allow_http(config.allow_http)
                    .with_client_options(
                        ClientOptions::new()
                            .with_allow_http(config.allow_http)
                            .with_connect_timeout(Duration::from_secs(10))
                            .with_timeout(Duration::from_secs(120)),
                    );
                if !config.endpoint.is_empty() {
                    builder = builder.with_endpoint(&config.endpoint);
                }
                let describe = format!("S3 bucket {} at {}", config.bucket, config.endpoint);
                (Arc::new(builder.build()?), describe)
            }
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("casesync-blob-io")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Config(format!("blob I/O runtime: {e}")))?;
        let handle = runtime.handle().clone();
        Ok(Self {
            objects,
            _runtime: IoRuntime(Some(runtime)),
            handle,
            describe,
        })
    }

    /// Runs store I/O on the store's runtime, from any async context.
    async fn on_io<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, object_store::Error>> + Send + 'static,
    {
        match self.handle.spawn(work).await {
            Ok(result) => Ok(result?),
            Err(e) => Err(StoreError::Task(e.to_string())),
        }
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StoreError> {
        let objects = self.objects.clone();
        let path = ObjectPath::from(key);
        self.on_io(async move {
            objects
                .put(&path, PutPayload::from(bytes))
                .await
                .map(|_| ())
        })
        .await
    }

    pub async fn get(&self, key: &str) -> Result<Bytes, StoreError> {
        let objects = self.objects.clone();
        let path = ObjectPath::from(key);
        self.on_io(async move { objects.get(&path).await?.bytes().await })
            .await
    }

    pub async fn get_range(&self, key: &str, range: Range<u64>) -> Result<Bytes, StoreError> {
        let objects = self.objects.clone();
        let path = ObjectPath::from(key);
        self.on_io(async move { objects.get_range(&path, range).await })
            .await
    }

    /// Streams the object bytes `range` in one request. The transfer runs on the store's
    /// runtime and hands chunks over a small channel, so a slow reader holds back the fetch
    /// instead of buffering the object.
    pub fn stream_range(
        &self,
        key: &str,
        range: Range<u64>,
    ) -> tokio::sync::mpsc::Receiver<Result<Bytes, StoreError>> {
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let objects = self.objects.clone();
        let path = ObjectPath::from(key);
        self.handle.spawn(async move {
            let options = GetOptions {
                range: Some(range.into()),
                ..GetOptions::default()
            };
            let mut chunks = match objects.get_opts(&path, options).await {
                Ok(result) => result.into_stream(),
                Err(e) => {
                    let _ = tx.send(Err(e.into())).await;
                    return;
                }
            };
            while let Some(chunk) = chunks.next().await {
                let failed = chunk.is_err();
                if tx.send(chunk.map_err(StoreError::from)).await.is_err() || failed {
                    return;
                }
            }
        });
        rx
    }

    /// Deletes an object; one already gone is fine (deletions are retried).
    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let objects = self.objects.clone();
        let path = ObjectPath::from(key);
        self.on_io(async move {
            match objects.delete(&path).await {
                Err(object_store::Error::NotFound { .. }) => Ok(()),
                other => other,
            }
        })
        .await
    }

    /// Runs store I/O from a thread that may block (a worker's blocking task, the CLI, a
    /// test), whatever runtime it is or is not inside.
    pub fn run_blocking<T: Send + 'static>(
        &self,
        work: impl Future<Output = T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.handle.spawn(async move {
            let _ = tx.send(work.await);
        });
        rx.recv()
            .map_err(|_| StoreError::Task("blob I/O runtime stopped".into()))
    }

    /// [`Self::put`] for blocking callers.
    pub fn put_blocking(&self, key: &str, bytes: Bytes) -> Result<(), StoreError> {
        let objects = self.objects.clone();
        let path = ObjectPath::from(key);
        self.run_blocking(async move { objects.put(&path, PutPayload::from(bytes)).await })??;
        Ok(())
    }

    /// [`Self::get`] for blocking callers; `None` when there is no such object.
    pub fn get_blocking(&self, key: &str) -> Result<Option<Bytes>, StoreError> {
        let objects = self.objects.clone();
        let path = ObjectPath::from(key);
        let got = self.run_blocking(async move {
            match objects.get(&path).await {
                Ok(found) => found.bytes().await.map(Some),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        })??;
        Ok(got)
    }

    /// [`Self::delete`] for blocking callers.
    pub fn delete_blocking(&self, key: &str) -> Result<(), StoreError> {
        let objects = self.objects.clone();
        let path = ObjectPath::from(key);
        self.run_blocking(async move {
            match objects.delete(&path).await {
                Err(object_store::Error::NotFound { .. }) => Ok(()),
                other => other,
            }
        })??;
        Ok(())
    }

    /// Deletes every object under `prefix` (a folder-like key prefix). Blocking.
    pub fn delete_prefix_blocking(&self, prefix: &str) -> Result<usize, StoreError> {
        let objects = self.objects.clone();
        let prefix = ObjectPath::from(prefix);
        self.run_blocking(async move {
            let listed: Vec<_> = objects.list(Some(&prefix)).try_collect().await?;
            for meta in &listed {
                match objects.delete(&meta.location).await {
                    Err(object_store::Error::NotFound { .. }) | Ok(()) => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(listed.len())
        })?
        .map_err(StoreError::from)
    }

    /// Every key in the store (backups). Blocking.
    pub fn list_blocking(&self) -> Result<Vec<String>, StoreError> {
        self.list_prefix_blocking(None)
    }

    /// The keys under `prefix` (a folder-like key prefix), or every key. Blocking.
    pub fn list_prefix_blocking(&self, prefix: Option<&str>) -> Result<Vec<String>, StoreError> {
        let objects = self.objects.clone();
        let prefix = prefix.map(ObjectPath::from);
        let listed: Vec<object_store::ObjectMeta> =
            self.run_blocking(async move { objects.list(prefix.as_ref()).try_collect().await })??;
        Ok(listed.into_iter().map(|m| m.location.to_string()).collect())
    }

    pub fn describe(&self) -> &str {
        &self.describe
    }
}
