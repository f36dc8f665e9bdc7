//! Documents: bytes that are (or pretend to be) accepted types, and
//! helpers to upload, attach and download them.

use std::path::PathBuf;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::TestApp;
use crate::server::Reply;

/// A PDF of `len` bytes (at least its signature).
pub fn pdf(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut i = 0u32;
    while bytes.len() < len {
        bytes.push(b'a' + (i % 26) as u8);
        i = i.wrapping_add(7);
    }
    bytes.truncate(len.max(5));
    bytes
}

/// A PNG (its signature and a header chunk): a logo.
pub fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0".to_vec();
    bytes.extend(std::iter::repeat_n(0u8, 64));
    bytes
}

/// The start of a Windows executable.
pub fn exe() -> Vec<u8> {
    let mut bytes = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00".to_vec();
    bytes.extend(std::iter::repeat_n(0u8, 200));
    bytes
}

/// A STEP file (ISO 10303-21), the CAD format drawings come in.
pub fn step() -> Vec<u8> {
    b"ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('vis M2'),'2;1');\nENDSEC;\nDATA;\nENDSEC;\nEND-ISO-10303-21;\n".to_vec()
}

/// `name` as the `X-Filename` header carries it: percent-encoded outside
/// visible ASCII.
pub fn header_name(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_graphic() && b != b'%' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A raw download: the bytes as sent.
pub struct Downloaded {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Downloaded {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

impl TestApp {
    pub async fn upload(&self, token: &str, name: &str, bytes: Vec<u8>) -> Reply {
        let builder = self
            .request(Method::POST, "/api/v1/files", Some(token))
            .header("x-filename", header_name(name))
            .header("content-type", "application/octet-stream")
            .body(bytes);
        self.send(builder).await
    }

    /// Uploads and returns the new file's id.
    pub async fn uploaded(&self, token: &str, name: &str, bytes: Vec<u8>) -> String {
        self.upload(token, name, bytes).await.assert_status(201)["id"]
            .as_str()
            .expect("file id")
            .to_owned()
    }

    pub async fn attach(&self, token: &str, request: &str, file: &str) -> Reply {
        self.post(
            &format!("/api/v1/requests/{request}/files"),
            Some(token),
            json!({ "file_id": file }),
        )
        .await
    }

    /// `GET /api/v1/files/{id}/metadata`.
    pub async fn file_metadata(&self, token: &str, file: &str) -> Reply {
        self.get(&format!("/api/v1/files/{file}/metadata"), Some(token))
            .await
    }

    /// `DELETE /api/v1/files/{id}`.
    pub async fn delete_file(&self, token: &str, file: &str) -> Reply {
        self.send(self.request(
            Method::DELETE,
            &format!("/api/v1/files/{file}"),
            Some(token),
        ))
        .await
    }

    pub async fn download(&self, token: &str, file: &str, headers: &[(&str, &str)]) -> Downloaded {
        let mut builder = self.request(Method::GET, &format!("/api/v1/files/{file}"), Some(token));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let response = builder.send().await.expect("download");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("bytes").to_vec();
        if headers
            .get("content-type")
            .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"))
        {
            let body = serde_json::from_slice(&bytes).unwrap_or_default();
            crate::spec_codes::assert_published(status.as_u16(), &body);
        }
        Downloaded {
            status,
            headers,
            bytes,
        }
    }

    /// The objects of the local file store (`$PMT_DATA_DIR/files`): finished
    /// ones, and the partial files of uploads in progress or interrupted.
    pub fn stored_objects(&self, which: &str) -> Vec<PathBuf> {
        let dir = self.data_dir.path().join("files").join(which);
        std::fs::read_dir(dir)
            .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default()
    }
}
