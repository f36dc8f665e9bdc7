//! The "bare" baseline of `make bench`: actix-web and diesel, nothing else,
//! reading one sourcing request by primary key from the same PostgreSQL
//! database as the benchmarked server, on the blocking pool as `pmt` does.
//! No authentication, no access rules, no view model: what is left of a
//! `GET /api/v1/requests/{id}` when the product is removed.
//!
//! `BASELINE_DATABASE_URL=postgres://... baseline_server`; prints
//! `listening on http://ADDR` like `pmt serve`.

use actix_web::{App, HttpResponse, HttpServer, web};
use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, Pool};
use diesel::sql_types::Text;
use diesel::{QueryableByName, RunQueryDsl};
use serde::Serialize;

type DbPool = Pool<ConnectionManager<PgConnection>>;

#[derive(QueryableByName, Serialize)]
struct Row {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    content: String,
}

async fn one(pool: web::Data<DbPool>, id: web::Path<String>) -> HttpResponse {
    let id = id.into_inner();
    let found = web::block(move || -> Result<Option<Row>, String> {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        let mut rows: Vec<Row> = diesel::sql_query(
            "SELECT id, status, title, content FROM sourcing_requests WHERE id = $1",
        )
        .bind::<Text, _>(id)
        .load(&mut conn)
        .map_err(|e| e.to_string())?;
        Ok(rows.pop())
    })
    .await;
    match found {
        Ok(Ok(Some(row))) => HttpResponse::Ok().json(row),
        Ok(Ok(None)) => HttpResponse::NotFound().finish(),
        _ => HttpResponse::InternalServerError().finish(),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let url = std::env::var("BASELINE_DATABASE_URL")
        .map_err(|_| std::io::Error::other("BASELINE_DATABASE_URL is not set"))?;
    let pool_size = std::env::var("DATABASE_POOL_SIZE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8);
    let pool = Pool::builder()
        .max_size(pool_size)
        .build(ConnectionManager::<PgConnection>::new(url))
        .map_err(std::io::Error::other)?;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(pool.clone()))
            .route("/requests/{id}", web::get().to(one))
    })
    .bind("127.0.0.1:0")?;
    for address in server.addrs() {
        println!("listening on http://{address}");
    }
    server.run().await
}
