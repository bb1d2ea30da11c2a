//! Batched multi-row INSERTs for the scale seed: rows are buffered per table and written as
//! `insert … values (…), (…), …` with as many rows per statement as the engine's bind-parameter
//! limit allows, inside the seed's one transaction.
//!
//! Ids are given by the seed rather than by the database, so that children can point at their
//! parents without reading anything back; on PostgreSQL the identity sequences are moved past
//! them at the end.

use std::collections::HashMap;

use crate::db::{Db, Engine, WriteTx};

/// One value of a row, typed so that a NULL is sent with its column's type (PostgreSQL checks).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Val {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(Some(v))
    }
}

impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::Int(v)
    }
}

impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Val::Int(Some(i64::from(v)))
    }
}

impl From<f64> for Val {
    fn from(v: f64) -> Self {
        Val::Real(Some(v))
    }
}

impl From<Option<f64>> for Val {
    fn from(v: Option<f64>) -> Self {
        Val::Real(v)
    }
}

impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(Some(v))
    }
}

impl From<&String> for Val {
    fn from(v: &String) -> Self {
        Val::Text(Some(v.clone()))
    }
}

impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(Some(v.to_string()))
    }
}

impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::Text(v)
    }
}

impl From<Option<&str>> for Val {
    fn from(v: Option<&str>) -> Self {
        Val::Text(v.map(str::to_string))
    }
}

/// A row: `row![a, b, c]` turns each value into a [`Val`].
macro_rules! row {
    ($($value:expr),* $(,)?) => {
        vec![$($crate::seed::scale::batch::Val::from($value)),*]
    };
}
pub(super) use row;

/// The tables the scale seed fills, parents before children: writing a table first writes
/// whatever is waiting for every table before it, so a foreign key never points at a row still
/// in a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Table {
    Regions,
    Countries,
    Sites,
    SiteServices,
    SiteLabTests,
    SiteProgrammes,
    Users,
    Signatures,
    Documents,
    DocumentVersions,
    DocumentReviews,
    Acknowledgements,
    Audits,
    AuditTeam,
    AuditAnswers,
    Findings,
    PtSchemes,
    PtSchemeSites,
    PtEvents,
    PtChallenges,
    PtResults,
    PtEventScores,
    RadiologyQcReads,
    CapaCounters,
    Capas,
    CapaActions,
    CapaChecks,
    AuditTrail,
}

impl Table {
    pub(super) const ALL: [Table; 28] = [
        Table::Regions,
        Table::Countries,
        Table::Sites,
        Table::SiteServices,
        Table::SiteLabTests,
        Table::SiteProgrammes,
        Table::Users,
        Table::Signatures,
        Table::Documents,
        Table::DocumentVersions,
        Table::DocumentReviews,
        Table::Acknowledgements,
        Table::Audits,
        Table::AuditTeam,
        Table::AuditAnswers,
        Table::Findings,
        Table::PtSchemes,
        Table::PtSchemeSites,
        Table::PtEvents,
        Table::PtChallenges,
        Table::PtResults,
        Table::PtEventScores,
        Table::RadiologyQcReads,
        Table::CapaCounters,
        Table::Capas,
        Table::CapaActions,
        Table::CapaChecks,
        Table::AuditTrail,
    ];

    fn index(self) -> usize {
        Table::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Table::Regions => "regions",
            Table::Countries => "countries",
            Table::Sites => "sites",
            Table::SiteServices => "site_services",
            Table::SiteLabTests => "site_lab_tests",
            Table::SiteProgrammes => "site_programmes",
            Table::Users => "users",
            Table::Signatures => "signatures",
            Table::Documents => "documents",
            Table::DocumentVersions => "document_versions",
            Table::DocumentReviews => "document_reviews",
            Table::Acknowledgements => "acknowledgements",
            Table::Audits => "audits",
            Table::AuditTeam => "audit_team",
            Table::AuditAnswers => "audit_answers",
            Table::Findings => "findings",
            Table::PtSchemes => "pt_schemes",
            Table::PtSchemeSites => "pt_scheme_sites",
            Table::PtEvents => "pt_events",
            Table::PtChallenges => "pt_challenges",
            Table::PtResults => "pt_results",
            Table::PtEventScores => "pt_event_scores",
            Table::RadiologyQcReads => "radiology_qc_reads",
            Table::CapaCounters => "capa_counters",
            Table::Capas => "capas",
            Table::CapaActions => "capa_actions",
            Table::CapaChecks => "capa_checks",
            Table::AuditTrail => "audit_trail",
        }
    }

    /// The columns a row gives, in order. Tables whose rows others point at start with `id`.
    pub(super) fn columns(self) -> &'static [&'static str] {
        match self {
            Table::Regions => &["code", "name", "created_at", "updated_at"],
            Table::Countries => &["code", "name", "region_code", "created_at", "updated_at"],
            Table::Sites => &[
                "id",
                "code",
                "name",
                "city",
                "country_code",
                "timezone",
                "created_at",
                "updated_at",
            ],
            Table::SiteServices => &["site_id", "service"],
            Table::SiteLabTests => &["site_id", "test"],
            Table::SiteProgrammes => &["site_id", "programme"],
            Table::Users => &[
                "id",
                "email",
                "name",
                "role",
                "region_code",
                "site_id",
                "password_hash",
                "created_at",
                "updated_at",
            ],
            Table::Signatures => &[
                "id",
                "signer_id",
                "signed_at",
                "meaning",
                "entity_type",
                "entity_id",
                "content_sha256",
            ],
            Table::Documents => &[
                "id",
                "code",
                "title",
                "category",
                "site_id",
                "parent_id",
                "owner_id",
                "approver_id",
                "review_interval_months",
                "retention_years",
                "tags",
                "status",
                "effective_version_id",
                "review_base_date",
                "next_review_due",
                "last_reviewed_at",
                "withdrawn_at",
                "withdrawn_reason",
                "created_at",
                "updated_at",
            ],
            Table::DocumentVersions => &[
                "id",
                "document_id",
                "number",
                "state",
                "content",
                "change_summary",
                "author_id",
                "submitted_at",
                "approved_by",
                "approved_at",
                "approval_signature_id",
                "effective_date",
                "superseded_at",
                "created_at",
                "updated_at",
            ],
            Table::DocumentReviews => &[
                "document_id",
                "version_id",
                "reviewer_id",
                "reviewed_at",
                "outcome",
                "notes",
                "signature_id",
            ],
            Table::Acknowledgements => &[
                "document_id",
                "version_id",
                "user_id",
                "site_id",
                "due_date",
                "status",
                "acknowledged_at",
                "created_at",
            ],
            Table::Audits => &[
                "id",
                "site_id",
                "template_id",
                "audit_type",
                "planned_start",
                "planned_end",
                "lead_auditor_id",
                "scope",
                "state",
                "started_at",
                "submitted_at",
                "report_issued_at",
                "closed_at",
                "cancelled_at",
                "cancel_reason",
                "score_points",
                "score_applicable",
                "created_by",
                "created_at",
                "updated_at",
            ],
            Table::AuditTeam => &["audit_id", "user_id"],
            Table::AuditAnswers => &[
                "audit_id",
                "item_id",
                "answer",
                "notes",
                "revision",
                "answered_by",
                "answered_at",
            ],
            Table::Findings => &[
                "id",
                "audit_id",
                "number",
                "item_id",
                "severity",
                "clause",
                "description",
                "evidence",
                "created_by",
                "created_at",
                "updated_at",
            ],
            Table::PtSchemes => &[
                "id",
                "code",
                "name",
                "provider",
                "discipline",
                "result_type",
                "events_per_year",
                "created_by",
                "created_at",
                "updated_at",
            ],
            Table::PtSchemeSites => &["scheme_id", "site_id"],
            Table::PtEvents => &[
                "id",
                "scheme_id",
                "code",
                "dispatch_date",
                "deadline",
                "status",
                "scored_at",
                "created_by",
                "created_at",
                "updated_at",
            ],
            Table::PtChallenges => &[
                "id",
                "event_id",
                "position",
                "code",
                "analyte",
                "unit",
                "method",
                "assigned_value",
                "sigma_pt",
                "u_assigned",
                "consensus",
                "consensus_value",
                "consensus_sigma",
                "consensus_count",
                "expected",
            ],
            Table::PtResults => &[
                "id",
                "event_id",
                "challenge_id",
                "site_id",
                "value",
                "numeric_value",
                "unit",
                "late",
                "late_reason",
                "submitted_by",
                "submitted_at",
                "updated_at",
                "score_kind",
                "score",
                "verdict",
                "grading",
                "note",
                "scored_at",
            ],
            Table::PtEventScores => &[
                "event_id",
                "site_id",
                "acceptable",
                "total",
                "score_percent",
                "verdict",
                "unsuccessful",
                "detail",
                "scored_at",
            ],
            Table::RadiologyQcReads => &[
                "site_id",
                "exam_id",
                "reader",
                "qc_reader",
                "primary_class",
                "qc_class",
                "peer_score",
                "image_quality",
                "read_on",
                "created_by",
                "created_at",
            ],
            Table::CapaCounters => &["year", "last"],
            Table::Capas => &[
                "id",
                "year",
                "seq",
                "number",
                "site_id",
                "title",
                "description",
                "source",
                "source_ref",
                "source_key",
                "finding_id",
                "severity",
                "owner_id",
                "state",
                "opened_on",
                "due_date",
                "containment",
                "containment_at",
                "root_cause_json",
                "root_cause_at",
                "plan_submitted_at",
                "plan_approved_by",
                "plan_approved_at",
                "implementation_started_at",
                "implemented_on",
                "effectiveness_due",
                "reopened",
                "reopened_at",
                "ended_on",
                "end_reason",
                "closed_at",
                "closure_signature_id",
                "created_by",
                "created_at",
                "updated_at",
            ],
            Table::CapaActions => &[
                "capa_id",
                "number",
                "description",
                "owner_id",
                "due_date",
                "status",
                "completed_at",
                "created_by",
                "created_at",
                "updated_at",
            ],
            Table::CapaChecks => &["capa_id", "verdict", "evidence", "checked_by", "checked_at"],
            Table::AuditTrail => &[
                "id",
                "at",
                "actor_id",
                "actor_email",
                "action",
                "entity_type",
                "entity_id",
                "site_code",
                "region_code",
                "before_json",
                "after_json",
                "ip",
                "user_agent",
                "prev_hash",
                "hash",
            ],
        }
    }

    fn has_id(self) -> bool {
        self.columns().first() == Some(&"id")
    }
}

/// The most bind parameters one statement may carry: SQLite's default
/// `SQLITE_MAX_VARIABLE_NUMBER`, PostgreSQL's protocol limit.
fn max_params(engine: Engine) -> usize {
    match engine {
        Engine::Sqlite => 32_766,
        Engine::Postgres => 65_535,
    }
}

/// How many rows of `columns` columns fit in one statement.
pub(super) fn rows_per_statement(engine: Engine, columns: usize) -> usize {
    (max_params(engine) / columns.max(1)).max(1)
}

/// `insert into t (a, b) values ($1, $2), ($3, $4), …` for `rows` rows; on SQLite with
/// anonymous `?` placeholders instead. SQLite looks every named (`$7`) or numbered (`?7`)
/// parameter up in a list of those seen so far, when parsing and again when sqlx binds it by
/// name: quadratic in the parameters of a statement, 3.5 s for one statement of 28,000 in a
/// debug build. Anonymous ones are numbered in order, so the cost stays linear.
pub(super) fn insert_sql(engine: Engine, table: Table, rows: usize) -> String {
    let columns = table.columns();
    // Explicit ids into a `generated always` identity column need PostgreSQL's say-so.
    let overriding = if engine == Engine::Postgres && table.has_id() {
        " overriding system value"
    } else {
        ""
    };
    let mut sql = format!(
        "insert into {} ({}){overriding} values ",
        table.name(),
        columns.join(", ")
    );
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..columns.len() {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            match engine {
                Engine::Sqlite => sql.push('?'),
                Engine::Postgres => {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                }
            }
        }
        sql.push(')');
    }
    sql
}

/// The seed's transaction with a buffer per table and the next id of each.
pub(super) struct Writer {
    tx: WriteTx,
    engine: Engine,
    buffers: Vec<Vec<Val>>,
    next_ids: HashMap<Table, i64>,
    full_sql: HashMap<Table, String>,
}

impl Writer {
    /// Starts the write transaction and reads where each table's ids continue.
    pub(super) async fn begin(db: &Db) -> Result<Writer, sqlx::Error> {
        let mut tx = db.begin_write().await?;
        let mut next_ids = HashMap::new();
        for table in Table::ALL.into_iter().filter(|t| t.has_id()) {
            let max: i64 = sqlx::query_scalar(&format!(
                "select cast(coalesce(max(id), 0) as bigint) from {}",
                table.name()
            ))
            .fetch_one(tx.conn())
            .await?;
            next_ids.insert(table, max + 1);
        }
        Ok(Writer {
            engine: tx.engine(),
            tx,
            buffers: vec![Vec::new(); Table::ALL.len()],
            next_ids,
            full_sql: HashMap::new(),
        })
    }

    /// The transaction, for the few statements that are not batched. Everything buffered is
    /// written first, so such statements see it.
    pub(super) async fn tx(&mut self) -> Result<&mut WriteTx, sqlx::Error> {
        self.flush_all().await?;
        Ok(&mut self.tx)
    }

    /// The id the next row of `table` gets.
    pub(super) fn next_id(&mut self, table: Table) -> i64 {
        let next = self.next_ids.entry(table).or_insert(1);
        let id = *next;
        *next += 1;
        id
    }

    /// Buffers a row, writing the table (and every table before it) when a statement is full.
    pub(super) async fn push(&mut self, table: Table, row: Vec<Val>) -> Result<(), sqlx::Error> {
        let columns = table.columns().len();
        debug_assert_eq!(row.len(), columns, "a row of {}", table.name());
        let buffer = &mut self.buffers[table.index()];
        buffer.extend(row);
        if buffer.len() / columns >= rows_per_statement(self.engine, columns) {
            self.flush_through(table).await?;
        }
        Ok(())
    }

    /// Writes every buffered row.
    pub(super) async fn flush_all(&mut self) -> Result<(), sqlx::Error> {
        for table in Table::ALL {
            self.flush(table).await?;
        }
        Ok(())
    }

    async fn flush_through(&mut self, last: Table) -> Result<(), sqlx::Error> {
        for table in Table::ALL.into_iter().take(last.index() + 1) {
            self.flush(table).await?;
        }
        Ok(())
    }

    async fn flush(&mut self, table: Table) -> Result<(), sqlx::Error> {
        let columns = table.columns().len();
        let per_statement = rows_per_statement(self.engine, columns);
        let values = std::mem::take(&mut self.buffers[table.index()]);
        let mut values = values.into_iter().peekable();
        while values.peek().is_some() {
            let chunk: Vec<Val> = values.by_ref().take(per_statement * columns).collect();
            let rows = chunk.len() / columns;
            let partial;
            let sql = if rows == per_statement {
                self.full_sql
                    .entry(table)
                    .or_insert_with(|| insert_sql(self.engine, table, rows))
                    .as_str()
            } else {
                partial = insert_sql(self.engine, table, rows);
                partial.as_str()
            };
            // Not kept prepared: each statement is large and, with NULL floats, PostgreSQL
            // must see each execution's own parameter types (see `pt::repo`).
            let mut query = sqlx::query(sql).persistent(false);
            for value in chunk {
                query = match value {
                    Val::Int(v) => query.bind(v),
                    Val::Real(v) => query.bind(v),
                    Val::Text(v) => query.bind(v),
                };
            }
            query.execute(self.tx.conn()).await?;
        }
        Ok(())
    }

    /// Writes what is left, moves PostgreSQL's identity sequences past the given ids, and
    /// commits.
    pub(super) async fn commit(mut self) -> Result<(), sqlx::Error> {
        self.flush_all().await?;
        if self.engine == Engine::Postgres {
            for table in Table::ALL.into_iter().filter(|t| t.has_id()) {
                let name = table.name();
                sqlx::query(&format!(
                    "select setval(pg_get_serial_sequence('{name}', 'id'), max(id)) from {name} having max(id) is not null"
                ))
                .execute(self.tx.conn())
                .await?;
            }
        }
        self.tx.commit().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_numbers_its_parameters_row_after_row() {
        assert_eq!(
            insert_sql(Engine::Postgres, Table::SiteServices, 2),
            "insert into site_services (site_id, service) values ($1, $2), ($3, $4)"
        );
        assert_eq!(
            insert_sql(Engine::Sqlite, Table::SiteServices, 2),
            "insert into site_services (site_id, service) values (?, ?), (?, ?)"
        );
    }

    #[test]
    fn explicit_ids_override_the_identity_on_postgres_only() {
        let pg = insert_sql(Engine::Postgres, Table::Sites, 1);
        assert!(pg.contains(") overriding system value values ("), "{pg}");
        assert!(!insert_sql(Engine::Sqlite, Table::Sites, 1).contains("overriding"));
        // A table without an id column has no identity to override.
        assert!(!insert_sql(Engine::Postgres, Table::AuditAnswers, 1).contains("overriding"));
    }

    #[test]
    fn statements_stay_below_each_engines_parameter_limit() {
        for table in Table::ALL {
            let columns = table.columns().len();
            let sqlite = rows_per_statement(Engine::Sqlite, columns);
            assert!(sqlite * columns <= 32_766, "{}", table.name());
            assert!(rows_per_statement(Engine::Postgres, columns) * columns <= 65_535);
            assert!(sqlite >= 100, "{} batches at least 100 rows", table.name());
        }
    }

    #[test]
    fn parents_come_before_the_tables_that_point_at_them() {
        let before = |a: Table, b: Table| a.index() < b.index();
        assert!(before(Table::Sites, Table::Users));
        assert!(before(Table::Signatures, Table::DocumentVersions));
        assert!(before(Table::Findings, Table::Capas));
        assert!(before(Table::Signatures, Table::Capas));
        assert!(before(Table::PtResults, Table::Capas));
        assert!(before(Table::Capas, Table::CapaChecks));
    }
}
