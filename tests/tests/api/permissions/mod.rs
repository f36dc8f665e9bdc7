//! The permission matrix (issue 6): every operation of the served OpenAPI
//! document is called by nine actors on objects that belong to buyer A or
//! supplier S1, and each status must be the one `table.txt` gives. The
//! operations come from the spec, so a new endpoint cannot ship without its
//! row. Every response body is also scanned for what its reader must never
//! see: hashes, internal notes, a confidential buyer's identity, private
//! contacts, a competitor's quote, another buyer's request.

mod calls;
mod world;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::Method;
use serde_json::{Value, json};
use tests::server::Reply;
use tests::sourcing::titanium_request;
use tests::{TestApp, on_both_backends};

use calls::fill;
use world::{World, world};

const TABLE: &str = include_str!("table.txt");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    Anonymous,
    BuyerA,
    BuyerB,
    InvitedSupplier,
    OtherSupplier,
    Expert,
    Admin,
    UnverifiedSupplier,
    SuspendedSupplier,
}

use Actor::{
    Admin, Anonymous, BuyerA, BuyerB, Expert, InvitedSupplier, OtherSupplier, SuspendedSupplier,
    UnverifiedSupplier,
};

/// In the table's column order.
const ACTORS: [Actor; 9] = [
    Anonymous,
    BuyerA,
    BuyerB,
    InvitedSupplier,
    OtherSupplier,
    Expert,
    Admin,
    UnverifiedSupplier,
    SuspendedSupplier,
];

impl Actor {
    fn name(self) -> &'static str {
        match self {
            Anonymous => "anonymous",
            BuyerA => "buyer_a",
            BuyerB => "buyer_b",
            InvitedSupplier => "invited_supplier",
            OtherSupplier => "other_supplier",
            Expert => "expert",
            Admin => "admin",
            UnverifiedSupplier => "unverified_supplier",
            SuspendedSupplier => "suspended_supplier",
        }
    }

    fn index(self) -> usize {
        ACTORS.iter().position(|a| *a == self).unwrap_or_default()
    }
}

/// Rows whose success shows buyer A's identity to S1 (an award, a reveal):
/// they run last, so that S1 never legitimately knows A before.
const REVEAL_THE_BUYER: [&str; 2] = [
    "POST /api/v1/requests/{id}/award",
    "POST /api/v1/requests/{id}/reveal-identity",
];

/// Reads of a request's documents, which an invited supplier makes only
/// after accepting the request's NDA.
const NDA_GATED: [&str; 3] = [
    "GET /api/v1/files/{id}",
    "GET /api/v1/files/{id}/metadata",
    "GET /api/v1/requests/{id}/files",
];

struct Row {
    operation: String,
    method: Method,
    path: String,
    expected: [u16; ACTORS.len()],
}

fn table() -> Vec<Row> {
    TABLE
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|(n, line)| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let malformed = || panic!("permissions/table.txt line {}: {line:?}", n + 1);
            let [method, path, statuses @ ..] = fields.as_slice() else {
                malformed()
            };
            let expected: Vec<u16> = statuses
                .iter()
                .map(|s| s.parse().unwrap_or_else(|_| malformed()))
                .collect();
            let expected: [u16; ACTORS.len()] = expected.try_into().unwrap_or_else(|_| malformed());
            Row {
                operation: format!("{method} {path}"),
                method: method.parse().unwrap_or_else(|_| malformed()),
                path: (*path).to_owned(),
                expected,
            }
        })
        .collect()
}

/// The code a 403 must carry when it is the account's standing, not its
/// role, that refuses: a suspended supplier's every write, and what the
/// unverified supplier would do as an invited one but for its address.
fn refusal_code(row: &Row, actor: Actor) -> Option<&'static str> {
    let invited_may = (200..300).contains(&row.expected[InvitedSupplier.index()]);
    match actor {
        // S1 accepted the request's NDA; S3, invited too, has not.
        UnverifiedSupplier if NDA_GATED.contains(&row.operation.as_str()) => Some("nda_required"),
        SuspendedSupplier if !row.method.is_safe() => Some("organisation_suspended"),
        UnverifiedSupplier if invited_may => Some("email_unverified"),
        _ => None,
    }
}

/// What the spec says of one operation.
struct SpecOperation {
    takes_body: bool,
    documented: BTreeSet<u16>,
}

/// Every operation of the spec, by `METHOD /path`.
fn spec_operations(spec: &Value) -> BTreeMap<String, SpecOperation> {
    let mut operations = BTreeMap::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if let Some(operation) = item.get(method) {
                let op = format!("{} {path}", method.to_uppercase());
                let documented = operation["responses"]
                    .as_object()
                    .map(|r| r.keys().filter_map(|s| s.parse().ok()).collect())
                    .unwrap_or_default();
                let takes_body = operation.get("requestBody").is_some();
                operations.insert(
                    op,
                    SpecOperation {
                        takes_body,
                        documented,
                    },
                );
            }
        }
    }
    operations
}

/// One response, kept for the leak scan.
struct Seen {
    actor: Actor,
    operation: String,
    body: String,
}

/// The run: the world, every response seen, and the cells that differ from
/// the table.
struct Matrix<'a> {
    app: &'a TestApp,
    w: World,
    next: AtomicU32,
    seen: Vec<Seen>,
    failures: Vec<String>,
}

impl Matrix<'_> {
    fn token(&self, actor: Actor) -> Option<&str> {
        self.w.tokens[actor.index()].as_deref()
    }

    fn unique(&self) -> u32 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    fn a_request(&self) -> Value {
        let mut body = titanium_request();
        body["title"] = json!(self.w.secrets.a_request_title);
        body
    }

    async fn post_as(&self, actor: Actor, path: &str, body: Value) -> Reply {
        self.app.post(path, self.token(actor), body).await
    }

    async fn run_row(&mut self, row: &Row, takes_body: bool) {
        // Refusals first, on one set of objects; then every allowed actor on
        // objects of its own, so no success changes what another cell sees.
        let mut order: Vec<Actor> = ACTORS.to_vec();
        order.sort_by_key(|a| (200..300).contains(&row.expected[a.index()]));
        let mut call = self.prepare(&row.operation).await;
        let mut used = false;
        for actor in order {
            let expected = row.expected[actor.index()];
            if (200..300).contains(&expected) {
                if used {
                    call = self.prepare(&row.operation).await;
                }
                used = true;
            }
            let path = fill(&row.operation, &row.path, &call.params);
            let mut builder = self
                .app
                .request(row.method.clone(), &path, self.token(actor));
            if !call.query.is_empty() {
                builder = builder.query(&call.query);
            }
            if let Some(version) = &call.if_match {
                builder = builder.header("if-match", version);
            }
            match (&call.body, takes_body) {
                _ if call.upload.is_some() => {
                    builder = builder
                        .header("x-filename", "plan-matrice.pdf")
                        .body(call.upload.clone().unwrap_or_default());
                }
                (Some(body), _) => builder = builder.json(body),
                (None, true) => builder = builder.json(&json!({})),
                (None, false) => {}
            }
            let reply = self.app.send(builder).await;
            let status = reply.status.as_u16();
            if status != expected {
                self.failures.push(format!(
                    "{} as {}: expected {expected}, got {status}: {}",
                    row.operation,
                    actor.name(),
                    reply.body
                ));
            } else if status >= 400
                && (reply.content_type() != "application/problem+json"
                    || reply.body["status"] != status)
            {
                self.failures.push(format!(
                    "{} as {}: {status} is not a problem document: {}",
                    row.operation,
                    actor.name(),
                    reply.body
                ));
            }
            if let Some(code) = refusal_code(row, actor)
                && status == 403
                && reply.body["code"] != code
            {
                self.failures.push(format!(
                    "{} as {}: 403 without the code `{code}`: {}",
                    row.operation,
                    actor.name(),
                    reply.body
                ));
            }
            self.seen.push(Seen {
                actor,
                operation: row.operation.clone(),
                body: reply.body.to_string(),
            });
        }
    }

    /// What must never reach whom, checked on every response of the run.
    fn leaks(&self) -> Vec<String> {
        let s = &self.w.secrets;
        let rules: [(&str, Vec<String>, &[Actor]); 6] = [
            ("a password or token hash", s.hashes.clone(), &[]),
            (
                "an expert's internal note",
                vec![s.internal_note.clone()],
                &[Expert, Admin],
            ),
            // Confidential and never awarded or revealed before the last rows.
            (
                "buyer A's identity",
                s.a_identity.clone(),
                &[BuyerA, Expert, Admin],
            ),
            (
                "buyer A's request",
                vec![s.a_request_title.clone()],
                &[
                    BuyerA,
                    InvitedSupplier,
                    Expert,
                    Admin,
                    UnverifiedSupplier,
                    SuspendedSupplier,
                ],
            ),
            (
                "S1's private contacts",
                vec![s.s1_private_contact.clone()],
                &[InvitedSupplier, Expert, Admin],
            ),
            (
                "S1's quote",
                vec![s.s1_quote.clone()],
                &[BuyerA, InvitedSupplier, Expert, Admin],
            ),
        ];
        let mut leaks = Vec::new();
        for (what, needles, readers) in &rules {
            for needle in needles {
                let mut shown = false;
                for seen in self
                    .seen
                    .iter()
                    .filter(|seen| seen.body.contains(needle.as_str()))
                {
                    if readers.contains(&seen.actor) {
                        shown = true;
                    } else {
                        leaks.push(format!(
                            "{} as {} shows {what} ({needle}): {}",
                            seen.operation,
                            seen.actor.name(),
                            seen.body
                        ));
                    }
                }
                // A secret nobody ever reads would make its rule prove nothing.
                if !shown && !readers.is_empty() {
                    leaks.push(format!("{what} ({needle}) never reached even its readers: the scan for it proves nothing"));
                }
            }
        }
        leaks
    }
}

async fn every_operation_answers_each_actor_as_the_permission_table_says_and_leaks_nothing(
    app: &TestApp,
) {
    let spec = app.get("/openapi.json", None).await;
    let operations = spec_operations(spec.assert_status(200));
    let rows = table();
    let listed: BTreeSet<&str> = rows.iter().map(|r| r.operation.as_str()).collect();
    assert_eq!(
        listed.len(),
        rows.len(),
        "an operation has two rows in permissions/table.txt"
    );
    let missing: Vec<&String> = operations
        .keys()
        .filter(|op| !listed.contains(op.as_str()))
        .collect();
    let unknown: Vec<&&str> = listed
        .iter()
        .filter(|op| !operations.contains_key(**op))
        .collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "tests/tests/api/permissions/table.txt is out of date.\n  operations of the spec without a row: {missing:#?}\n  rows naming no operation of the spec: {unknown:#?}"
    );
    // A client reading the spec must be able to expect every answer.
    let undocumented: Vec<String> = rows
        .iter()
        .flat_map(|row| {
            ACTORS
                .iter()
                .map(move |a| (row, *a, row.expected[a.index()]))
        })
        .filter(|(row, _, status)| !operations[&row.operation].documented.contains(status))
        .map(|(row, actor, status)| format!("{} as {}: {status}", row.operation, actor.name()))
        .collect();
    assert!(
        undocumented.is_empty(),
        "statuses of permissions/table.txt that the spec does not document: {undocumented:#?}"
    );

    let mut matrix = world(app).await;
    let (last, first): (Vec<&Row>, Vec<&Row>) = rows
        .iter()
        .partition(|r| REVEAL_THE_BUYER.contains(&r.operation.as_str()));
    for row in first.into_iter().chain(last) {
        matrix
            .run_row(row, operations[&row.operation].takes_body)
            .await;
    }
    assert_eq!(
        matrix.seen.len(),
        ACTORS.len() * rows.len(),
        "every cell was called"
    );
    matrix.mixed_paths().await;
    let failures = matrix.failures.join("\n");
    assert!(
        failures.is_empty(),
        "cells differing from permissions/table.txt:\n{failures}"
    );
    let leaks = matrix.leaks().join("\n");
    assert!(
        leaks.is_empty(),
        "responses showing what their reader must not see:\n{leaks}"
    );
}

on_both_backends!(
    every_operation_answers_each_actor_as_the_permission_table_says_and_leaks_nothing
);
