//! Reading the competence booklet back: poll its edition until typeset,
//! then extract the PDF's text with `pdftotext` (Debian's poppler-utils,
//! installed by `.ci/run`).

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use crate::TestApp;

/// A booklet as a reader gets it.
pub struct Booklet {
    /// The first answer's status: 202 when it had to be typeset, 200 when
    /// it was cached already.
    pub first_status: u16,
    pub etag: String,
    pub content_type: String,
    pub text: String,
}

/// The text of a PDF, in reading order.
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("booklet.pdf");
    std::fs::write(&path, pdf).expect("write the pdf");
    let output = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) is installed");
    assert!(
        output.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 text")
}

impl TestApp {
    /// `GET /api/v1/publications/booklet?{query}`, following a 202's
    /// `Location` until the PDF is there (at most 60 s).
    pub async fn booklet(&self, query: &str) -> Booklet {
        let first = self
            .request(
                Method::GET,
                &format!("/api/v1/publications/booklet?{query}"),
                None,
            )
            .send()
            .await
            .expect("request");
        let first_status = first.status().as_u16();
        let mut response = first;
        for _ in 0..600 {
            match response.status().as_u16() {
                200 => {
                    let header = |name: &str| {
                        response
                            .headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned()
                    };
                    let (etag, content_type) = (header("etag"), header("content-type"));
                    let pdf = response.bytes().await.expect("the pdf");
                    return Booklet {
                        first_status,
                        etag,
                        content_type,
                        text: pdf_text(&pdf),
                    };
                }
                202 => {
                    let location = response
                        .headers()
                        .get("location")
                        .and_then(|v| v.to_str().ok())
                        .expect("a 202 names its Location")
                        .to_owned();
                    let body: Value = response.json().await.expect("a job body");
                    assert_eq!(body["status"], "running");
                    assert_eq!(body["location"], location.as_str());
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    response = self
                        .request(Method::GET, &location, None)
                        .send()
                        .await
                        .expect("poll");
                }
                other => panic!(
                    "booklet {query:?}: unexpected {other}: {}",
                    response.text().await.unwrap_or_default()
                ),
            }
        }
        panic!("booklet {query:?} was not typeset within 60 s");
    }
}
