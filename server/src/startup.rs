//! Building and running the server: used by `attest serve` and by the integration tests.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::db::Db;
use crate::error::StartupError;
use crate::http::{self, ClientBundle};
use crate::jobs::scheduler::Scheduler;
use crate::jobs::Jobs;
use crate::notifications::mail::Mailer;
use crate::notifications::Outbox;
use crate::reports::identity::SigningIdentity;

/// How long in-flight requests get to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// A server that is connected to its database and listening, ready to run.
pub struct Application {
    listener: TcpListener,
    router: Router,
    db: Db,
    jobs: Jobs,
    mail_poll: Duration,
}

impl Application {
    /// Connects to the database, applies migrations and binds the address (port 0 picks a
    /// free one; see [`Application::local_addr`]).
    pub async fn build(config: &Config) -> Result<Self, StartupError> {
        let db = Db::connect(&config.database_url).await?;
        db.migrate().await?;
        let listener =
            TcpListener::bind(config.addr)
                .await
                .map_err(|error| StartupError::Config {
                    setting: "ATTEST_ADDR",
                    problem: format!("cannot listen on {} ({error})", config.addr),
                    fix: "choose a free address, e.g. ATTEST_ADDR=127.0.0.1:3001".into(),
                })?;
        let bundle = ClientBundle::locate(&config.site_root);
        let identity = SigningIdentity::load_or_create(&config.signing)?;
        tracing::info!(subject = %identity.subject, "reports are signed with this certificate");
        let jobs = Jobs::new(
            db.clone(),
            Arc::new(identity),
            config.jobs.clone(),
            outbox(config)?,
        );
        let router = http::router(db.clone(), config.auth.clone(), jobs.clone(), &bundle);
        Ok(Application {
            listener,
            router,
            db,
            jobs,
            mail_poll: config.mail_poll,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The database the server uses (tests inspect it directly).
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The jobs of this server (tests run them directly).
    pub fn jobs(&self) -> &Jobs {
        &self.jobs
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish (up to a grace
    /// period) and closes the database pool. The scheduled jobs and the e-mail outbox run
    /// alongside and stop with the server.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        if let Err(error) = self.jobs.close_abandoned_runs().await {
            tracing::error!(%error, "cannot close the job runs a stopped server left running");
        }
        let scheduler = Scheduler::start(&self.jobs);
        let outbox = tokio::spawn(
            self.jobs
                .outbox()
                .clone()
                .run(self.db.clone(), self.mail_poll),
        );
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let graceful = async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        };
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let server = axum::serve(self.listener, service).with_graceful_shutdown(graceful);
        let mut stopped = stop_rx.clone();
        let deadline = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        };
        tokio::select! {
            result = server => result?,
            () = deadline => tracing::warn!("shutdown grace period over; closing open connections"),
        }
        scheduler.stop();
        outbox.abort();
        self.db.close().await;
        Ok(())
    }
}

/// The e-mail outbox: with a mailer when SMTP is configured, else one that only stores.
pub fn outbox(config: &Config) -> Result<Outbox, StartupError> {
    match &config.smtp {
        Some(smtp) => {
            tracing::info!(host = %smtp.host, port = smtp.port, "notifications are e-mailed through SMTP");
            Ok(Outbox::new(Some(Mailer::new(smtp)?)))
        }
        None => {
            tracing::info!(
                "SMTP is not configured (ATTEST_SMTP_HOST): notifications are not e-mailed"
            );
            Ok(Outbox::new(None))
        }
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received");
}
