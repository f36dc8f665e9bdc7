//! Documents stored for real: uploads streamed to the file store, typed
//! from their bytes, attached to requests, downloaded under the request's
//! rules and its NDA; refusals of bad uploads; the lifecycle.

use std::io::{Read as _, Write as _};

use serde_json::json;
use sha2::{Digest as _, Sha256};
use tests::documents::{exe, pdf, step};
use tests::on_both_backends;
use tests::sourcing::{World, titanium_request};
use tests::{Backend, TestApp};

fn hex_sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

async fn a_requests_documents_reach_its_readers_after_the_nda(app: &TestApp) {
    let w: World = app.sourcing_world().await;
    let drawing = pdf(300_000);
    let id = app.draft_request(&w).await;

    // The buyer uploads: typed from the bytes, hashed, named for display.
    let uploaded = app
        .upload(
            &w.buyer,
            "../plans/Plan vis M2 – révision B.pdf",
            drawing.clone(),
        )
        .await;
    let file = uploaded.assert_status(201).clone();
    assert_eq!(file["media_type"], "application/pdf");
    assert_eq!(file["name"], "Plan vis M2 – révision B.pdf");
    assert_eq!(file["size_bytes"], 300_000);
    assert_eq!(file["sha256"], hex_sha256(&drawing));
    assert!(file["attached_to"].is_null());
    let file_id = file["id"].as_str().expect("id").to_owned();
    let cad = app.uploaded(&w.buyer, "vis.step", step()).await;

    // Attached while the request is a draft; a file attaches once.
    let attached = app.attach(&w.buyer, &id, &file_id).await;
    assert_eq!(
        attached.assert_status(200)["attached_to"],
        json!({ "kind": "request", "id": id })
    );
    app.attach(&w.buyer, &id, &file_id)
        .await
        .assert_problem(409, "file_attached");
    app.attach(&w.buyer, &id, &cad).await.assert_status(200);
    // Another organisation's file is not the buyer's to attach.
    let foreign = app
        .uploaded(&w.certified[0].token, "offre.pdf", pdf(1000))
        .await;
    app.attach(&w.buyer, &id, &foreign)
        .await
        .assert_problem(404, "not_found");

    app.open_drafted(&w, &id).await;
    // Past the draft, nothing more is attached.
    let late = app.uploaded(&w.buyer, "annexe.pdf", pdf(2000)).await;
    app.attach(&w.buyer, &id, &late)
        .await
        .assert_problem(409, "request_open");

    // The request requires an NDA: an invited supplier reads its documents
    // only once it accepted.
    let supplier = &w.certified[0];
    let closed = app.download(&supplier.token, &file_id, &[]).await;
    assert_eq!(closed.status.as_u16(), 403);
    assert!(String::from_utf8_lossy(&closed.bytes).contains("nda_required"));
    app.get(
        &format!("/api/v1/requests/{id}/files"),
        Some(&supplier.token),
    )
    .await
    .assert_problem(403, "nda_required");
    let accepted = app
        .post(
            &format!("/api/v1/requests/{id}/nda"),
            Some(&supplier.token),
            json!(null),
        )
        .await;
    assert_eq!(
        accepted.assert_status(200)[0]["organisation_id"],
        supplier.org.as_str()
    );
    let listed = app
        .get(
            &format!("/api/v1/requests/{id}/files"),
            Some(&supplier.token),
        )
        .await;
    assert_eq!(
        listed.assert_status(200)["items"].as_array().map(Vec::len),
        Some(2)
    );

    // The buyer sees who accepted, in the history and the list.
    let history = app
        .get(&format!("/api/v1/requests/{id}/history"), Some(&w.buyer))
        .await;
    let entries = history.assert_status(200)["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        entries.iter().any(|e| e["action"] == "request.nda_accepted"
            && e["actor_id"].is_string()
            && e["note"].as_str().is_some_and(|n| !n.is_empty())),
        "{entries:?}"
    );
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == "request.document_attached"),
        "{entries:?}"
    );
    let acceptances = app
        .get(&format!("/api/v1/requests/{id}/nda"), Some(&w.buyer))
        .await;
    assert_eq!(
        acceptances.assert_status(200)["items"][0]["organisation_id"],
        supplier.org.as_str()
    );

    // The download: whole, safe to hand to a browser.
    let got = app.download(&supplier.token, &file_id, &[]).await;
    assert_eq!(got.status.as_u16(), 200);
    assert!(got.bytes == drawing, "the bytes read back differ");
    assert_eq!(got.header("content-type"), "application/pdf");
    assert_eq!(got.header("x-content-type-options"), "nosniff");
    assert!(got.header("content-security-policy").contains("sandbox"));
    assert!(
        got.header("content-disposition").starts_with("attachment; filename=\"Plan vis M2 _ r_vision B.pdf\"; filename*=UTF-8''Plan%20vis%20M2%20%E2%80%93%20r%C3%A9vision%20B.pdf"),
        "{}",
        got.header("content-disposition")
    );
    let etag = got.header("etag").to_owned();
    assert_eq!(etag, format!("\"{}\"", hex_sha256(&drawing)));
    // A range, and a revalidation.
    let part = app
        .download(&supplier.token, &file_id, &[("range", "bytes=1000-1999")])
        .await;
    assert_eq!(part.status.as_u16(), 206);
    assert_eq!(part.bytes, &drawing[1000..2000]);
    assert_eq!(part.header("content-range"), "bytes 1000-1999/300000");
    let tail = app
        .download(&w.buyer, &file_id, &[("range", "bytes=-10")])
        .await;
    assert_eq!(tail.bytes, &drawing[299_990..]);
    let beyond = app
        .download(&w.buyer, &file_id, &[("range", "bytes=300000-")])
        .await;
    assert_eq!(beyond.status.as_u16(), 416);
    let unchanged = app
        .download(&w.buyer, &file_id, &[("if-none-match", &etag)])
        .await;
    assert_eq!(unchanged.status.as_u16(), 304);
    assert!(unchanged.bytes.is_empty());

    // The experts read it; an uninvited supplier and another buyer are told
    // it does not exist; so are they about the unattached upload.
    assert_eq!(
        app.download(&w.expert, &cad, &[]).await.status.as_u16(),
        200
    );
    for outsider in [&w.uncertified.token, &w.unrelated.token] {
        let refused = app.download(outsider, &file_id, &[]).await;
        assert_eq!(refused.status.as_u16(), 404);
        assert_eq!(
            app.download(outsider, &late, &[]).await.status.as_u16(),
            404
        );
    }
    // An NDA on a request that requires none is a conflict.
    let mut plain = titanium_request();
    plain["nda_required"] = json!(false);
    let open = app.open_request_of(&w, plain).await;
    app.post(
        &format!("/api/v1/requests/{open}/nda"),
        Some(&supplier.token),
        json!(null),
    )
    .await
    .assert_problem(409, "nda_not_required");
}

async fn bad_uploads_are_refused_and_names_made_harmless(app: &TestApp) {
    let (buyer, _) = app
        .signed_up(
            "buyer",
            "achats@orthobfc.example",
            &tests::server::siret(200),
        )
        .await;
    // A Windows executable named like a PDF, sent as one.
    app.upload(&buyer, "devis.pdf", exe())
        .await
        .assert_problem(415, "unsupported_file_type");
    let html = b"<!DOCTYPE html><script>alert(document.cookie)</script>".to_vec();
    app.upload(&buyer, "plan.pdf", html)
        .await
        .assert_problem(415, "unsupported_file_type");
    // Zero bytes.
    let empty = app.upload(&buyer, "vide.pdf", Vec::new()).await;
    empty.assert_problem(422, "validation_failed");
    assert_eq!(empty.body["errors"][0]["field"], "body");
    // No name.
    let nameless = app
        .request(reqwest::Method::POST, "/api/v1/files", Some(&buyer))
        .body(pdf(100));
    app.send(nameless)
        .await
        .assert_problem(400, "invalid_header");
    // Nothing of the refused uploads stays, finished or partial.
    assert!(app.stored_objects("objects").is_empty());
    assert!(app.stored_objects("partial").is_empty());

    // Names: no path, no device name, no direction override, bounded.
    let long = format!("{}.pdf", "x".repeat(300));
    for (raw, shown) in [
        ("../../etc/passwd", "passwd".to_owned()),
        ("CON", "_CON".to_owned()),
        ("facture\u{202E}fdp.exe", "facturefdp.exe".to_owned()),
        (long.as_str(), format!("{}.pdf", "x".repeat(196))),
    ] {
        let reply = app.upload(&buyer, raw, pdf(500)).await;
        assert_eq!(reply.assert_status(201)["name"], shown.as_str(), "{raw}");
    }

    // A body cut short (the client dies mid-upload): no file.
    let before = app.stored_objects("objects").len();
    let address = app.base_url.trim_start_matches("http://").to_owned();
    let buyer_token = buyer.clone();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).expect("connect");
        write!(
            stream,
            "POST /api/v1/files HTTP/1.1\r\nHost: pmt\r\nAuthorization: Bearer {buyer_token}\r\n\
             X-Filename: coupe.pdf\r\nContent-Length: 100000\r\n\r\n%PDF-1.7 only the start"
        )
        .expect("send");
        stream
            .shutdown(std::net::Shutdown::Write)
            .expect("shutdown");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 400"),
            "{answer}"
        );
    })
    .await
    .expect("truncated upload");
    tests::eventually(10, "the cut upload's partial file removed", async || {
        app.stored_objects("partial").is_empty().then_some(())
    })
    .await;
    assert_eq!(app.stored_objects("objects").len(), before);

    // The back office uploads nothing: documents belong to organisations.
    let expert = app.back_office("expert", "expert@pmt.example").await;
    app.upload(&expert, "note.pdf", pdf(100))
        .await
        .assert_problem(403, "forbidden");
}

async fn the_size_limit_and_the_quota_are_enforced(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        &[
            ("UPLOAD_LIMIT_BYTES", "1024"),
            ("ORG_STORAGE_QUOTA_BYTES", "2500"),
        ],
    )
    .await;
    let (buyer, _) = app
        .signed_up(
            "buyer",
            "achats@orthobfc.example",
            &tests::server::siret(201),
        )
        .await;
    // One byte over: refused from its Content-Length, and counted when
    // the body comes chunked without one.
    app.upload(&buyer, "gros.pdf", pdf(1025))
        .await
        .assert_problem(413, "payload_too_large");
    let address = app.base_url.trim_start_matches("http://").to_owned();
    let token = buyer.clone();
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).expect("connect");
        write!(
            stream,
            "POST /api/v1/files HTTP/1.1\r\nHost: pmt\r\nAuthorization: Bearer {token}\r\n\
             X-Filename: gros.pdf\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        )
        .expect("headers");
        for chunk in pdf(1025).chunks(100) {
            // The server may answer and close before the last chunks.
            if write!(stream, "{:x}\r\n", chunk.len()).is_err()
                || stream.write_all(chunk).is_err()
                || stream.write_all(b"\r\n").is_err()
            {
                break;
            }
        }
        let _ = stream.write_all(b"0\r\n\r\n");
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .expect("chunked upload");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("payload_too_large"), "{answer}");
    // Exactly the limit is fine, twice; a third would pass the quota.
    app.uploaded(&buyer, "a.pdf", pdf(1024)).await;
    app.uploaded(&buyer, "b.pdf", pdf(1024)).await;
    let full = app.upload(&buyer, "c.pdf", pdf(1024)).await;
    full.assert_problem(422, "storage_quota_exceeded");
    assert_eq!(app.stored_objects("objects").len(), 2);
    // Another organisation has its own quota.
    let (other, _) = app
        .signed_up("buyer", "achats@cardio.example", &tests::server::siret(202))
        .await;
    app.uploaded(&other, "c.pdf", pdf(1024)).await;
}

async fn unattached_files_and_cancelled_drafts_leave_nothing_behind(app: &TestApp) {
    let w: World = app.sourcing_world().await;
    let draft = app.draft_request(&w).await;
    let attached = app.uploaded(&w.buyer, "plan.pdf", pdf(5000)).await;
    app.attach(&w.buyer, &draft, &attached)
        .await
        .assert_status(200);
    let loose = app.uploaded(&w.buyer, "brouillon.pdf", pdf(4000)).await;
    assert_eq!(app.stored_objects("objects").len(), 2);

    // The draft is cancelled: its documents go, row then object.
    app.step(&w.buyer, &draft, "cancel", json!({}))
        .await
        .assert_status(200);
    assert_eq!(
        app.download(&w.buyer, &attached, &[]).await.status.as_u16(),
        404
    );
    tests::eventually(10, "the cancelled draft's object removed", async || {
        (app.stored_objects("objects").len() == 1).then_some(())
    })
    .await;
    // The unattached one is still there within its day...
    assert_eq!(
        app.download(&w.buyer, &loose, &[]).await.status.as_u16(),
        200
    );

    // ...and gone after it: another instance whose clock is a day ahead
    // runs the job.
    let (mut later, _) = app
        .spawn_sibling(&[
            ("PMT_CLOCK_OFFSET_SECONDS", "90000"),
            ("FILES_CHECK_INTERVAL_SECONDS", "1"),
        ])
        .await;
    tests::eventually(20, "the unattached file removed", async || {
        app.stored_objects("objects").is_empty().then_some(())
    })
    .await;
    assert_eq!(
        app.download(&w.buyer, &loose, &[]).await.status.as_u16(),
        404
    );
    let _ = later.kill().await;
}

/// With `STORAGE_URL=s3://...`: the same uploads and downloads through a
/// real S3-protocol server (moto, on a free port), nothing on local disk,
/// and a store that goes away answers 503.
async fn documents_live_in_s3_when_a_bucket_is_named(backend: Backend) {
    let moto = storage::contract::MotoServer::start();
    moto.create_bucket("pmt-e2e");
    let mut env: Vec<(&str, String)> = moto.env();
    env.push(("STORAGE_URL", "s3://pmt-e2e/instance-1".to_owned()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::spawn_with(backend, &env).await;
    let (buyer, _) = app
        .signed_up(
            "buyer",
            "achats@orthobfc.example",
            &tests::server::siret(203),
        )
        .await;
    // Larger than one multipart part (5 MiB).
    let drawing = pdf(6 * 1024 * 1024 + 123);
    let file = app.uploaded(&buyer, "plan.pdf", drawing.clone()).await;
    assert!(
        app.stored_objects("objects").is_empty(),
        "nothing on local disk"
    );
    let got = app.download(&buyer, &file, &[]).await;
    assert_eq!(got.status.as_u16(), 200);
    assert!(got.bytes == drawing, "the bytes read back from S3 differ");
    let part = app
        .download(&buyer, &file, &[("range", "bytes=5242870-5242889")])
        .await;
    assert_eq!(part.status.as_u16(), 206);
    assert_eq!(part.bytes, &drawing[5_242_870..5_242_890]);

    // The store goes away: an upload answers 503 and leaves no file.
    drop(moto);
    app.upload(&buyer, "plan-b.pdf", pdf(10_000))
        .await
        .assert_problem(503, "service_unavailable");
    let got = app.download(&buyer, &file, &[]).await;
    assert_eq!(
        got.status.as_u16(),
        503,
        "a download from a store that is gone"
    );
}

/// The server is killed in the middle of an upload: no row, and the
/// partial object goes with the removal the upload queued first.
async fn a_server_killed_mid_upload_leaves_no_file(backend: Backend) {
    let mut app = TestApp::spawn(backend).await;
    let (buyer, _) = app
        .signed_up(
            "buyer",
            "achats@orthobfc.example",
            &tests::server::siret(204),
        )
        .await;
    let address = app.base_url.trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    write!(
        stream,
        "POST /api/v1/files HTTP/1.1\r\nHost: pmt\r\nAuthorization: Bearer {buyer}\r\n\
         X-Filename: long.pdf\r\nContent-Length: 10000000\r\n\r\n"
    )
    .expect("headers");
    stream.write_all(&pdf(200_000)).expect("first bytes");
    tests::eventually(10, "the upload under way", async || {
        (!app.stored_objects("partial").is_empty()).then_some(())
    })
    .await;
    app.crash_and_restart().await;
    drop(stream);
    assert!(app.stored_objects("objects").is_empty());
    assert_eq!(
        app.stored_objects("partial").len(),
        1,
        "the partial file stays, for now"
    );
    // A day later (another instance's clock), the queued removal cleans it.
    let (mut later, _) = app
        .spawn_sibling(&[
            ("PMT_CLOCK_OFFSET_SECONDS", "90000"),
            ("FILES_CHECK_INTERVAL_SECONDS", "1"),
        ])
        .await;
    tests::eventually(20, "the partial upload removed", async || {
        app.stored_objects("partial").is_empty().then_some(())
    })
    .await;
    let _ = later.kill().await;
}

mod s3_backend {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::documents_live_in_s3_when_a_bucket_is_named(tests::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::documents_live_in_s3_when_a_bucket_is_named(tests::Backend::Postgres).await;
    }
}

mod killed_mid_upload {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::a_server_killed_mid_upload_leaves_no_file(tests::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::a_server_killed_mid_upload_leaves_no_file(tests::Backend::Postgres).await;
    }
}

mod size_limit_and_quota {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::the_size_limit_and_the_quota_are_enforced(tests::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::the_size_limit_and_the_quota_are_enforced(tests::Backend::Postgres).await;
    }
}

on_both_backends!(
    a_requests_documents_reach_its_readers_after_the_nda,
    bad_uploads_are_refused_and_names_made_harmless,
    unattached_files_and_cancelled_drafts_leave_nothing_behind
);
