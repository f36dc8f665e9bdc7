//! The one HTTP client that calls URLs members gave the server (webhook
//! endpoints). Under the strict policy (production) it reaches public
//! addresses only: every address a name resolves to is checked before
//! connecting (a name resolving to loopback is refused like the literal),
//! address literals are checked before the call, redirects are never
//! followed, connecting and the whole exchange are bounded, and at most
//! [`READ_CAP`] bytes of an answer are read.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::outbound::OutboundPolicy;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::error::error_chain;

/// Most bytes of an answer read; the rest is never downloaded.
pub const READ_CAP: usize = 64 * 1024;
/// Most bytes of an answer kept in the delivery log.
pub const EXCERPT: usize = 1024;

#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(5),
            total: Duration::from_secs(10),
        }
    }
}

/// What one call got: the status and the start of the body, or why there
/// was no answer.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: Option<u16>,
    pub excerpt: Option<String>,
    pub error: Option<String>,
    pub latency: Duration,
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

#[derive(Clone)]
pub struct OutboundClient {
    client: reqwest::Client,
    policy: OutboundPolicy,
}

impl OutboundClient {
    pub fn new(policy: OutboundPolicy, timeouts: Timeouts) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.total)
            .dns_resolver(Arc::new(CheckedResolver { policy }))
            .user_agent("PMT-Business-Webhooks/1")
            .build()?;
        Ok(Self { client, policy })
    }

    /// POSTs `body` as JSON with `headers`; never fails, the outcome says
    /// what happened.
    pub async fn post_json(&self, url: &str, headers: &[(&str, String)], body: String) -> Outcome {
        let started = Instant::now();
        let refused = |error: String| Outcome {
            status: None,
            excerpt: None,
            error: Some(error),
            latency: started.elapsed(),
        };
        let parsed = match reqwest::Url::parse(url) {
            Ok(u) => u,
            Err(e) => return refused(format!("invalid URL: {e}")),
        };
        if parsed.scheme() != "https" && !self.policy.allows_http() {
            return refused("only https URLs are called".to_owned());
        }
        // A literal address never goes through the resolver: check it here.
        let literal: Option<IpAddr> = match parsed.host() {
            Some(url::Host::Ipv4(v4)) => Some(v4.into()),
            Some(url::Host::Ipv6(v6)) => Some(v6.into()),
            _ => None,
        };
        if let Some(ip) = literal
            && !self.policy.allows(ip)
        {
            return refused(format!("{ip} is not a public address"));
        }
        let mut request = self
            .client
            .post(parsed)
            .header("content-type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let mut response = match request.body(body).send().await {
            Ok(r) => r,
            Err(e) => return refused(error_chain(&e)),
        };
        let status = response.status().as_u16();
        let mut read = Vec::new();
        let mut error = None;
        while read.len() < READ_CAP {
            match response.chunk().await {
                Ok(Some(chunk)) => read.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(e) => {
                    error = Some(error_chain(&e));
                    break;
                }
            }
        }
        read.truncate(EXCERPT);
        let excerpt = String::from_utf8_lossy(&read).into_owned();
        Outcome {
            status: Some(status),
            excerpt: (!excerpt.is_empty()).then_some(excerpt),
            error,
            latency: started.elapsed(),
        }
    }
}

/// Whether every address `host` resolves to now is one `policy` allows:
/// the first refused address otherwise. A name that does not resolve
/// passes (each delivery resolves it again, and is refused then if need
/// be).
pub async fn first_refused_address(policy: OutboundPolicy, host: &str) -> Option<IpAddr> {
    if policy == OutboundPolicy::Local {
        return None;
    }
    tokio::net::lookup_host((host, 443))
        .await
        .ok()?
        .map(|a| a.ip())
        .find(|ip| !policy.allows(*ip))
}

/// Resolves a name and refuses it when any of its addresses is not one the
/// policy allows (not only the first: a client may try them all).
struct CheckedResolver {
    policy: OutboundPolicy,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addresses: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(refused) = addresses.iter().find(|a| !policy.allows(a.ip())) {
                return Err(format!(
                    "{host} resolves to {}, which is not a public address",
                    refused.ip()
                )
                .into());
            }
            if addresses.is_empty() {
                return Err(format!("{host} resolves to no address").into());
            }
            let addrs: Addrs = Box::new(addresses.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_strict_policy_refuses_internal_targets_before_connecting() {
        let client =
            OutboundClient::new(OutboundPolicy::Strict, Timeouts::default()).expect("client");
        for url in [
            "https://127.0.0.1/",
            "https://10.0.0.1/",
            "https://169.254.169.254/latest/meta-data/",
            "https://[::1]/",
            "https://localhost/",
            "http://example.com/",
        ] {
            let outcome = client.post_json(url, &[], "{}".to_owned()).await;
            assert_eq!(outcome.status, None, "{url}");
            let error = outcome.error.unwrap_or_default();
            assert!(
                error.contains("not a public address") || error.contains("only https"),
                "{url}: {error}"
            );
        }
    }
}
