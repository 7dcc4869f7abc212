//! Console sessions kept in the store (either backend), so every instance knows every session.

use async_trait::async_trait;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};
use tower_sessions::SessionStore;

use super::Store;

fn backend(err: super::StoreError) -> Error {
    Error::Backend(err.to_string())
}

pub(super) fn now_seconds() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> Result<()> {
        let data = serde_json::to_string(record).map_err(|e| Error::Encode(e.to_string()))?;
        // A fresh id until it is free (a collision of 128 random bits will not happen, but is handled).
        while !self.insert_session(&record.id.to_string(), &data, record.expiry_date.unix_timestamp()).await.map_err(backend)? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let data = serde_json::to_string(record).map_err(|e| Error::Encode(e.to_string()))?;
        self.save_session(&record.id.to_string(), &data, record.expiry_date.unix_timestamp()).await.map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        match self.load_session(&id.to_string(), now_seconds()).await.map_err(backend)? {
            Some(data) => Ok(Some(serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string()))?)),
            None => Ok(None),
        }
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.delete_session(&id.to_string()).await.map_err(backend)
    }
}

impl Store {
    /// Deletes expired sessions now and then, so nothing kept in one outlives it for long.
    pub async fn keep_deleting_expired_sessions(self, every: std::time::Duration) {
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            if let Err(err) = self.delete_expired_sessions(now_seconds()).await {
                tracing::warn!(error = %err, "could not delete expired sessions");
            }
        }
    }
}
