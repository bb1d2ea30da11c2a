//! The database: SQLite (embedded default) or PostgreSQL, chosen by the URL's scheme.
//!
//! Queries are written once, with `$1` placeholders and portable types (text timestamps in
//! RFC 3339 UTC, text enums, integer flags), and run through sqlx's `Any` driver. Each backend
//! has its own migrations folder with matching names.

use std::path::Path;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

use crate::config::DatabaseUrl;
use crate::error::StartupError;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// Which database engine is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// A connection pool and the engine it talks to.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    engine: Engine,
}

impl Db {
    /// Connects, creating an SQLite file (and its folder) if missing.
    pub async fn connect(url: &DatabaseUrl) -> Result<Db, StartupError> {
        sqlx::any::install_default_drivers();
        let (engine, options) = match url {
            DatabaseUrl::Sqlite { path, url } => {
                prepare_sqlite_file(path)?;
                let with_create = if url.contains("mode=") {
                    url.clone()
                } else if url.contains('?') {
                    format!("{url}&mode=rwc")
                } else {
                    format!("{url}?mode=rwc")
                };
                (Engine::Sqlite, with_create)
            }
            DatabaseUrl::Postgres { url } => (Engine::Postgres, url.clone()),
        };
        let options: AnyConnectOptions = options.parse().map_err(|error| StartupError::Config {
            setting: "ATTEST_DATABASE_URL",
            problem: format!("'{}' is not a valid database URL ({error})", url.redacted()),
            fix: "check its spelling".into(),
        })?;
        let pool = AnyPoolOptions::new()
            .max_connections(match engine {
                Engine::Sqlite => 8,
                Engine::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        // WAL lets readers run beside the writer; the busy timeout makes a second
                        // writer wait instead of failing; NORMAL sync is safe with WAL.
                        conn.execute(
                            "pragma journal_mode = wal; pragma foreign_keys = on; \
                             pragma busy_timeout = 5000; pragma synchronous = normal;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|error| connect_error(url, &error))?;
        Ok(Db { pool, engine })
    }

    /// Applies every pending migration of this engine.
    pub async fn migrate(&self) -> Result<(), StartupError> {
        let migrator = match self.engine {
            Engine::Sqlite => &SQLITE_MIGRATIONS,
            Engine::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&self.pool)
            .await
            .map_err(|error| StartupError::Other(format!("database migration failed: {error}")))
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a transaction that reads before it writes cannot fail halfway
    /// with "database is locked"; PostgreSQL needs nothing special.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let inner = match self.engine {
            Engine::Sqlite => self.pool.begin_with("begin immediate").await?,
            Engine::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx {
            inner,
            engine: self.engine,
        })
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("select 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Closes every connection (at shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A transaction that writes, and the engine it runs on (some statements differ).
pub struct WriteTx {
    inner: sqlx::Transaction<'static, sqlx::Any>,
    engine: Engine,
}

impl WriteTx {
    /// The connection, to run statements on.
    pub fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.inner
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.inner.commit().await
    }
}

/// Makes sure the SQLite file's folder exists and is writable, with a clear message if not.
fn prepare_sqlite_file(path: &str) -> Result<(), StartupError> {
    if path == ":memory:" {
        return Ok(());
    }
    let Some(folder) = Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    else {
        return Ok(());
    };
    let unwritable = |error: std::io::Error| StartupError::Config {
        setting: "ATTEST_DATABASE_URL",
        problem: format!(
            "cannot use the data directory '{}' ({error})",
            folder.display()
        ),
        fix: "point it at a writable location, e.g. sqlite://data/attest.db".into(),
    };
    std::fs::create_dir_all(folder).map_err(unwritable)?;
    let probe = folder.join(".attest-write-test");
    std::fs::write(&probe, b"").map_err(unwritable)?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

fn connect_error(url: &DatabaseUrl, error: &sqlx::Error) -> StartupError {
    StartupError::Config {
        setting: "ATTEST_DATABASE_URL",
        problem: format!(
            "cannot connect to the database at {} ({error})",
            url.redacted()
        ),
        fix: "check the URL and that the database server is running and reachable".into(),
    }
}

/// The current time as stored in the database: RFC 3339, UTC, whole seconds.
pub fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A page of `select … where …` (text binds `$1…` in order) and how many rows match in all:
/// the count and the page that every filtered list needs.
pub async fn page_of<T>(
    conn: &mut sqlx::AnyConnection,
    select_where: &str,
    binds: &[String],
    order_by: &str,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<T>, i64)>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let count_sql = format!("select count(*) from ({select_where}) x");
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
    for value in binds {
        count = count.bind(value);
    }
    let total = count.fetch_one(&mut *conn).await?;
    let list_sql = format!("{select_where} order by {order_by} limit {limit} offset {offset}");
    let mut query = sqlx::query_as::<_, T>(&list_sql);
    for value in binds {
        query = query.bind(value);
    }
    Ok((query.fetch_all(&mut *conn).await?, total))
}
