//! Typed methods of [`Api`], one per REST endpoint, grouped by domain as the server's routes
//! are: each takes the path parameters as typed arguments and the request body as its
//! `expo_schema` type, and decodes the answer into its `expo_schema` type (files, CSV, SVG
//! and calendars come back as bytes or text).
//!
//! The generic `get`/`post`/`put`/`delete` helpers stay for requests that no type can
//! describe: the tests' deliberately malformed or hostile bodies.

use crate::{decode, error_of, Api, ClientError, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;

mod auth;
mod booths;
mod chat;
mod matching;
mod meetings;
mod monitor;
mod stage;

pub use expo_schema::api::{BoothQuery, RangeQuery, UploadQuery, UserFilter};
pub use stage::PublishAnswer;

impl Api {
    /// A GET with query parameters (`None` fields are left out).
    async fn get_query<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &impl Serialize,
    ) -> Result<T> {
        let response = self
            .request(reqwest::Method::GET, path)
            .query(query)
            .send()
            .await?;
        decode(response).await
    }

    /// A GET of text (CSV, SVG, a calendar), with optional query parameters.
    async fn get_text(&self, path: &str, query: &impl Serialize) -> Result<String> {
        let response = self
            .request(reqwest::Method::GET, path)
            .query(query)
            .send()
            .await?;
        let status = response.status();
        if status.is_success() {
            // Decoded here rather than by reqwest, so the text is the bytes as sent (a CSV's
            // byte-order mark included).
            let bytes = response.bytes().await?.to_vec();
            String::from_utf8(bytes)
                .map_err(|e| ClientError::Http(status.as_u16(), format!("not UTF-8: {e}")))
        } else {
            Err(error_of(response).await)
        }
    }

    /// A POST without a body whose answer is JSON.
    async fn post_nothing<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let response = self.request(reqwest::Method::POST, path).send().await?;
        decode(response).await
    }

    /// A DELETE whose answer is JSON.
    async fn delete_json<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let response = self.request(reqwest::Method::DELETE, path).send().await?;
        decode(response).await
    }

    /// A POST whose body is a file, with query parameters.
    async fn post_file<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &impl Serialize,
        bytes: Vec<u8>,
    ) -> Result<T> {
        let response = self
            .request(reqwest::Method::POST, path)
            .query(query)
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .await?;
        decode(response).await
    }
}

/// No query parameters.
#[derive(Serialize)]
struct NoQuery {}
