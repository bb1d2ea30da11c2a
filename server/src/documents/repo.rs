//! SQL for controlled documents: documents, versions, files, reviews and acknowledgements.

use app::model::documents::{
    Acknowledgement, Category, DocumentStatus, DocumentSummary, FileInfo, Person, Review,
    SiteCompletion, VersionState, VersionSummary,
};
use sqlx::{AnyConnection, FromRow};

use crate::auth::policy::ScopeFilter;

/// A document row with the names it refers to.
#[derive(Debug, Clone, FromRow)]
pub struct DocRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub category: String,
    pub site_id: Option<i64>,
    pub site_code: Option<String>,
    pub site_name: Option<String>,
    pub region_code: Option<String>,
    pub parent_id: Option<i64>,
    pub parent_code: Option<String>,
    pub owner_id: i64,
    pub owner_name: String,
    pub approver_id: i64,
    pub approver_name: String,
    pub review_interval_months: i64,
    pub retention_years: i64,
    pub tags: String,
    pub ack_roles: String,
    pub self_approval_allowed: i64,
    pub status: String,
    pub effective_version_id: Option<i64>,
    pub effective_number: Option<i64>,
    pub effective_date: Option<String>,
    pub next_review_due: Option<String>,
    pub last_reviewed_at: Option<String>,
    pub withdrawn_at: Option<String>,
    pub withdrawn_reason: Option<String>,
    pub created_at: String,
    pub revision_state: Option<String>,
}

impl DocRow {
    /// The site and region of a site variant.
    pub fn site(&self) -> Option<(&str, &str)> {
        match (&self.site_code, &self.region_code) {
            (Some(site), Some(region)) => Some((site.as_str(), region.as_str())),
            _ => None,
        }
    }

    pub fn summary(&self, review_in_days: Option<i64>) -> DocumentSummary {
        DocumentSummary {
            id: self.id,
            code: self.code.clone(),
            title: self.title.clone(),
            category: Category::parse(&self.category).unwrap_or(Category::Administration),
            site_code: self.site_code.clone(),
            parent_code: self.parent_code.clone(),
            status: DocumentStatus::parse(&self.status).unwrap_or(DocumentStatus::Draft),
            effective_version: self.effective_number,
            effective_date: self.effective_date.clone(),
            next_review_due: self.next_review_due.clone(),
            review_in_days,
            revision: self.revision_state.as_deref().and_then(VersionState::parse),
            owner: Person {
                id: self.owner_id,
                name: self.owner_name.clone(),
            },
        }
    }
}

const SELECT_DOCS: &str = "
    select d.id, d.code, d.title, d.category, d.site_id, s.code as site_code, s.name as site_name,
           c.region_code as region_code, d.parent_id, p.code as parent_code,
           d.owner_id, o.name as owner_name, d.approver_id, a.name as approver_name,
           d.review_interval_months, d.retention_years, d.tags, d.ack_roles,
           d.self_approval_allowed, d.status, d.effective_version_id,
           ev.number as effective_number, ev.effective_date as effective_date,
           d.next_review_due, d.last_reviewed_at, d.withdrawn_at, d.withdrawn_reason, d.created_at,
           (select pv.state from document_versions pv
             where pv.document_id = d.id and pv.state in ('draft', 'in_review', 'approved')) as revision_state
      from documents d
      left join sites s on s.id = d.site_id
      left join countries c on c.code = s.country_code
      left join documents p on p.id = d.parent_id
      join users o on o.id = d.owner_id
      join users a on a.id = d.approver_id
      left join document_versions ev on ev.id = d.effective_version_id";

/// The register's filters, already checked, as SQL text values.
#[derive(Debug, Default)]
pub struct ListFilter {
    pub scope: Option<ScopeFilter>,
    pub effective_only: bool,
    pub q: Option<String>,
    pub category: Option<String>,
    /// `global`, or a site code.
    pub site: Option<String>,
    pub status: Option<String>,
    /// `(from, to)` bounds on the next review date, either open.
    pub review_from: Option<String>,
    pub review_to: Option<String>,
    pub parent_id: Option<i64>,
    pub order_by: &'static str,
}

/// A page of documents matching the filter, and how many match in all.
pub async fn list(
    conn: &mut AnyConnection,
    filter: &ListFilter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<DocRow>, i64)> {
    let mut conditions: Vec<String> = Vec::new();
    let mut binds: Vec<String> = Vec::new();
    let next = |value: String, binds: &mut Vec<String>| {
        binds.push(value);
        binds.len()
    };
    if let Some(scope) = &filter.scope {
        let k = next(scope.kind.to_string(), &mut binds);
        next(scope.code.clone(), &mut binds);
        conditions.push(format!(
            "(d.site_id is null or {})",
            ScopeFilter::sql("c.region_code", "s.code", k)
        ));
    }
    if filter.effective_only {
        conditions.push("(d.effective_version_id is not null and d.withdrawn_at is null)".into());
    }
    if let Some(q) = &filter.q {
        // The search text is matched literally: its own % and _ are escaped (with !).
        let escaped = q
            .to_lowercase()
            .replace('!', "!!")
            .replace('%', "!%")
            .replace('_', "!_");
        let k = next(format!("%{escaped}%"), &mut binds);
        conditions.push(format!(
            "(lower(d.code) like ${k} escape '!' or lower(d.title) like ${k} escape '!' \
              or lower(d.tags) like ${k} escape '!' \
              or lower(coalesce(ev.content, '')) like ${k} escape '!')"
        ));
    }
    if let Some(category) = &filter.category {
        let k = next(category.clone(), &mut binds);
        conditions.push(format!("d.category = ${k}"));
    }
    match filter.site.as_deref() {
        None => {}
        Some("global") => conditions.push("d.site_id is null".into()),
        Some(code) => {
            let k = next(code.to_string(), &mut binds);
            conditions.push(format!("s.code = ${k}"));
        }
    }
    if let Some(status) = &filter.status {
        let k = next(status.clone(), &mut binds);
        conditions.push(format!("d.status = ${k}"));
    }
    if let Some(from) = &filter.review_from {
        let k = next(from.clone(), &mut binds);
        conditions.push(format!("d.next_review_due >= ${k}"));
    }
    if let Some(to) = &filter.review_to {
        let k = next(to.clone(), &mut binds);
        conditions.push(format!("d.next_review_due < ${k}"));
    }
    if let Some(parent) = filter.parent_id {
        let k = next(parent.to_string(), &mut binds);
        // Compared as text so every bind stays a string on both databases.
        conditions.push(format!("cast(d.parent_id as text) = ${k}"));
    }
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!(" where {}", conditions.join(" and "))
    };
    let order_by = format!("{}, d.code", filter.order_by);
    crate::db::page_of(
        conn,
        &format!("{SELECT_DOCS}{where_clause}"),
        &binds,
        &order_by,
        limit,
        offset,
    )
    .await
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> sqlx::Result<Option<DocRow>> {
    sqlx::query_as(&format!("{SELECT_DOCS} where d.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn find_by_code(conn: &mut AnyConnection, code: &str) -> sqlx::Result<Option<DocRow>> {
    sqlx::query_as(&format!("{SELECT_DOCS} where d.code = $1"))
        .bind(code)
        .fetch_optional(conn)
        .await
}

/// A new document's stored fields.
pub struct NewDocRow<'a> {
    pub code: &'a str,
    pub title: &'a str,
    pub category: &'a str,
    pub site_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub owner_id: i64,
    pub approver_id: i64,
    pub review_interval_months: i64,
    pub retention_years: i64,
    pub tags: &'a str,
    pub ack_roles: &'a str,
    pub self_approval_allowed: bool,
    pub created_at: &'a str,
}

pub async fn insert(conn: &mut AnyConnection, doc: &NewDocRow<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into documents (code, title, category, site_id, parent_id, owner_id, approver_id,
             review_interval_months, retention_years, tags, ack_roles, self_approval_allowed,
             status, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'draft', $13, $13)
         returning id",
    )
    .bind(doc.code)
    .bind(doc.title)
    .bind(doc.category)
    .bind(doc.site_id)
    .bind(doc.parent_id)
    .bind(doc.owner_id)
    .bind(doc.approver_id)
    .bind(doc.review_interval_months)
    .bind(doc.retention_years)
    .bind(doc.tags)
    .bind(doc.ack_roles)
    .bind(i64::from(doc.self_approval_allowed))
    .bind(doc.created_at)
    .fetch_one(conn)
    .await
}

/// Sets the document's status (and `updated_at`).
pub async fn set_status(
    conn: &mut AnyConnection,
    id: i64,
    status: DocumentStatus,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query("update documents set status = $1, updated_at = $2 where id = $3")
        .bind(status.as_str())
        .bind(now)
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Puts a version in force on the document and restarts the review clock from `base_date`.
pub async fn set_in_force(
    conn: &mut AnyConnection,
    id: i64,
    version_id: i64,
    base_date: &str,
    next_review_due: &str,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "update documents set status = 'effective', effective_version_id = $1, review_base_date = $2,
             next_review_due = $3, updated_at = $4 where id = $5",
    )
    .bind(version_id)
    .bind(base_date)
    .bind(next_review_due)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Records a confirming review: the clock restarts from `base_date`.
pub async fn set_reviewed(
    conn: &mut AnyConnection,
    id: i64,
    base_date: &str,
    next_review_due: &str,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "update documents set review_base_date = $1, next_review_due = $2, last_reviewed_at = $3,
             updated_at = $3 where id = $4",
    )
    .bind(base_date)
    .bind(next_review_due)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn set_withdrawn(
    conn: &mut AnyConnection,
    id: i64,
    reason: &str,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "update documents set status = 'withdrawn', withdrawn_at = $1, withdrawn_reason = $2,
             next_review_due = null, updated_at = $1 where id = $3",
    )
    .bind(now)
    .bind(reason)
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ())
}

/// A version row with the names it refers to (without its content).
#[derive(Debug, Clone, FromRow)]
pub struct VersionRow {
    pub id: i64,
    pub document_id: i64,
    pub number: i64,
    pub state: String,
    pub change_summary: String,
    pub author_id: i64,
    pub author_name: String,
    pub created_at: String,
    pub submitted_at: Option<String>,
    pub returned_reason: Option<String>,
    pub approved_by: Option<i64>,
    pub approved_by_name: Option<String>,
    pub approved_at: Option<String>,
    pub effective_date: Option<String>,
    pub superseded_at: Option<String>,
    pub file_name: Option<String>,
    pub file_media_type: Option<String>,
    pub file_size: Option<i64>,
    pub file_sha256: Option<String>,
    pub last_edited_by: Option<i64>,
}

impl VersionRow {
    pub fn state(&self) -> VersionState {
        VersionState::parse(&self.state).unwrap_or(VersionState::Draft)
    }

    pub fn summary(&self) -> VersionSummary {
        VersionSummary {
            id: self.id,
            number: self.number,
            state: self.state(),
            change_summary: self.change_summary.clone(),
            author: Person {
                id: self.author_id,
                name: self.author_name.clone(),
            },
            created_at: self.created_at.clone(),
            submitted_at: self.submitted_at.clone(),
            approved_by: self
                .approved_by
                .zip(self.approved_by_name.clone())
                .map(|(id, name)| Person { id, name }),
            approved_at: self.approved_at.clone(),
            effective_date: self.effective_date.clone(),
            superseded_at: self.superseded_at.clone(),
            returned_reason: self.returned_reason.clone(),
            file: match (
                &self.file_name,
                &self.file_media_type,
                self.file_size,
                &self.file_sha256,
            ) {
                (Some(name), Some(media_type), Some(size), Some(sha256)) => Some(FileInfo {
                    name: name.clone(),
                    media_type: media_type.clone(),
                    size,
                    sha256: sha256.clone(),
                }),
                _ => None,
            },
        }
    }
}

const SELECT_VERSIONS: &str = "
    select v.id, v.document_id, v.number, v.state, v.change_summary, v.author_id,
           au.name as author_name, v.created_at, v.submitted_at, v.returned_reason, v.approved_by,
           ap.name as approved_by_name, v.approved_at, v.effective_date, v.superseded_at,
           v.file_name, v.file_media_type, v.file_size, v.file_sha256, v.last_edited_by
      from document_versions v
      join users au on au.id = v.author_id
      left join users ap on ap.id = v.approved_by";

/// A document's versions, newest first.
pub async fn versions(conn: &mut AnyConnection, document_id: i64) -> sqlx::Result<Vec<VersionRow>> {
    sqlx::query_as(&format!(
        "{SELECT_VERSIONS} where v.document_id = $1 order by v.number desc"
    ))
    .bind(document_id)
    .fetch_all(conn)
    .await
}

pub async fn find_version(conn: &mut AnyConnection, id: i64) -> sqlx::Result<Option<VersionRow>> {
    sqlx::query_as(&format!("{SELECT_VERSIONS} where v.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The document's version currently being prepared (draft, in review or approved), if any.
pub async fn version_in_progress(
    conn: &mut AnyConnection,
    document_id: i64,
) -> sqlx::Result<Option<VersionRow>> {
    sqlx::query_as(&format!(
        "{SELECT_VERSIONS} where v.document_id = $1 and v.state in ('draft', 'in_review', 'approved')"
    ))
    .bind(document_id)
    .fetch_optional(conn)
    .await
}

pub async fn version_content(conn: &mut AnyConnection, id: i64) -> sqlx::Result<String> {
    sqlx::query_scalar("select content from document_versions where id = $1")
        .bind(id)
        .fetch_one(conn)
        .await
}

/// Adds a draft version numbered after the document's last one; returns its id.
pub async fn insert_draft(
    conn: &mut AnyConnection,
    document_id: i64,
    author_id: i64,
    content: &str,
    change_summary: &str,
    now: &str,
) -> sqlx::Result<i64> {
    let number: i64 = sqlx::query_scalar(
        "select cast(coalesce(max(number), 0) + 1 as bigint) from document_versions where document_id = $1",
    )
    .bind(document_id)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query_scalar(
        "insert into document_versions (document_id, number, state, content, change_summary,
             author_id, created_at, updated_at)
         values ($1, $2, 'draft', $3, $4, $5, $6, $6) returning id",
    )
    .bind(document_id)
    .bind(number)
    .bind(content)
    .bind(change_summary)
    .bind(author_id)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Saves a draft's text; false when the version is no longer a draft.
pub async fn update_draft(
    conn: &mut AnyConnection,
    id: i64,
    editor_id: i64,
    content: &str,
    change_summary: &str,
    now: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update document_versions set content = $1, change_summary = $2, updated_at = $3,
             last_edited_by = $4 where id = $5 and state = 'draft'",
    )
    .bind(content)
    .bind(change_summary)
    .bind(now)
    .bind(editor_id)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Locks a document row until the transaction ends, so concurrent changes to one document run
/// one after the other (SQLite's write transactions are already serialised).
pub async fn lock(tx: &mut crate::db::WriteTx, id: i64) -> sqlx::Result<()> {
    if tx.engine() == crate::db::Engine::Postgres {
        sqlx::query("select id from documents where id = $1 for update")
            .bind(id)
            .fetch_optional(tx.conn())
            .await?;
    }
    Ok(())
}

/// Moves a version to `to` only if it is still in `from`; false when someone else moved it first.
pub async fn move_version(
    conn: &mut AnyConnection,
    id: i64,
    from: VersionState,
    to: VersionState,
    now: &str,
) -> sqlx::Result<bool> {
    let stamp = match to {
        VersionState::InReview => ", submitted_at = $1",
        VersionState::Superseded => ", superseded_at = $1",
        _ => "",
    };
    let done = sqlx::query(&format!(
        "update document_versions set state = $2, updated_at = $1{stamp} where id = $3 and state = $4"
    ))
    .bind(now)
    .bind(to.as_str())
    .bind(id)
    .bind(from.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records why a version went back to draft and forgets its approval (the signature and the
/// audit trail keep the history).
pub async fn set_returned(conn: &mut AnyConnection, id: i64, reason: &str) -> sqlx::Result<()> {
    sqlx::query(
        "update document_versions set returned_reason = $1, approved_by = null, approved_at = null,
             approval_signature_id = null where id = $2",
    )
    .bind(reason)
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn set_approval(
    conn: &mut AnyConnection,
    id: i64,
    approver_id: i64,
    signature_id: i64,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "update document_versions set approved_by = $1, approval_signature_id = $2, approved_at = $3
          where id = $4",
    )
    .bind(approver_id)
    .bind(signature_id)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn set_effective_date(conn: &mut AnyConnection, id: i64, date: &str) -> sqlx::Result<()> {
    sqlx::query("update document_versions set effective_date = $1 where id = $2")
        .bind(date)
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Stores (or replaces) a draft's attached file and its description; false when the version is
/// no longer a draft.
pub async fn store_file(
    conn: &mut AnyConnection,
    version_id: i64,
    editor_id: i64,
    file: &FileInfo,
    bytes: &[u8],
    now: &str,
) -> sqlx::Result<bool> {
    let described = sqlx::query(
        "update document_versions set file_name = $1, file_media_type = $2, file_size = $3,
             file_sha256 = $4, updated_at = $5, last_edited_by = $6 where id = $7 and state = 'draft'",
    )
    .bind(&file.name)
    .bind(&file.media_type)
    .bind(file.size)
    .bind(&file.sha256)
    .bind(now)
    .bind(editor_id)
    .bind(version_id)
    .execute(&mut *conn)
    .await?;
    if described.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "insert into document_files (version_id, content) values ($1, $2)
         on conflict (version_id) do update set content = excluded.content",
    )
    .bind(version_id)
    .bind(bytes.to_vec())
    .execute(conn)
    .await?;
    Ok(true)
}

/// Gives a new draft the file of the version it was copied from, if that had one.
pub async fn copy_file(conn: &mut AnyConnection, from: i64, to: i64) -> sqlx::Result<()> {
    sqlx::query(
        "insert into document_files (version_id, content)
         select $1, content from document_files where version_id = $2",
    )
    .bind(to)
    .bind(from)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "update document_versions set
             file_name = (select f.file_name from document_versions f where f.id = $2),
             file_media_type = (select f.file_media_type from document_versions f where f.id = $2),
             file_size = (select f.file_size from document_versions f where f.id = $2),
             file_sha256 = (select f.file_sha256 from document_versions f where f.id = $2)
          where id = $1",
    )
    .bind(to)
    .bind(from)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn file_bytes(
    conn: &mut AnyConnection,
    version_id: i64,
) -> sqlx::Result<Option<Vec<u8>>> {
    sqlx::query_scalar("select content from document_files where version_id = $1")
        .bind(version_id)
        .fetch_optional(conn)
        .await
}

#[derive(FromRow)]
struct ReviewRow {
    id: i64,
    version_number: i64,
    reviewer_id: i64,
    reviewer_name: String,
    reviewed_at: String,
    outcome: String,
    notes: String,
}

pub async fn reviews(conn: &mut AnyConnection, document_id: i64) -> sqlx::Result<Vec<Review>> {
    let rows: Vec<ReviewRow> = sqlx::query_as(
        "select r.id, v.number as version_number, r.reviewer_id, u.name as reviewer_name,
                r.reviewed_at, r.outcome, r.notes
           from document_reviews r
           join document_versions v on v.id = r.version_id
           join users u on u.id = r.reviewer_id
          where r.document_id = $1
          order by r.reviewed_at desc, r.id desc",
    )
    .bind(document_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Review {
            id: r.id,
            version_number: r.version_number,
            reviewer: Person {
                id: r.reviewer_id,
                name: r.reviewer_name,
            },
            reviewed_at: r.reviewed_at,
            outcome: r.outcome,
            notes: r.notes,
        })
        .collect())
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_review(
    conn: &mut AnyConnection,
    document_id: i64,
    version_id: i64,
    reviewer_id: i64,
    outcome: &str,
    notes: &str,
    signature_id: Option<i64>,
    now: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into document_reviews (document_id, version_id, reviewer_id, reviewed_at, outcome,
             notes, signature_id)
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
    )
    .bind(document_id)
    .bind(version_id)
    .bind(reviewer_id)
    .bind(now)
    .bind(outcome)
    .bind(notes)
    .bind(signature_id)
    .fetch_one(conn)
    .await
}

/// Creates a pending acknowledgement for every active user of the given roles at the
/// document's active sites (one site for a variant, all for a global document).
pub async fn create_acknowledgements(
    conn: &mut AnyConnection,
    document_id: i64,
    version_id: i64,
    site_id: Option<i64>,
    roles: &str,
    due_date: &str,
    now: &str,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "insert into acknowledgements (document_id, version_id, user_id, site_id, due_date, status, created_at)
         select $1, $2, u.id, u.site_id, $3, 'pending', $4
           from users u
           join sites s on s.id = u.site_id
          where u.active = 1 and s.status = 'active'
            and (',' || $5 || ',') like ('%,' || u.role || ',%')
            and ($6 = 0 or u.site_id = $6)",
    )
    .bind(document_id)
    .bind(version_id)
    .bind(due_date)
    .bind(now)
    .bind(roles)
    .bind(site_id.unwrap_or(0))
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Pending acknowledgements of a document's earlier versions are no longer asked for.
pub async fn retire_acknowledgements(
    conn: &mut AnyConnection,
    document_id: i64,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "update acknowledgements set status = 'superseded' where document_id = $1 and status = 'pending'",
    )
    .bind(document_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

#[derive(FromRow)]
pub struct AckRow {
    pub id: i64,
    pub document_id: i64,
    pub document_code: String,
    pub document_title: String,
    pub version_id: i64,
    pub version_number: i64,
    pub user_id: i64,
    pub user_name: String,
    pub site_code: String,
    pub region_code: String,
    pub due_date: String,
    pub status: String,
    pub acknowledged_at: Option<String>,
}

impl AckRow {
    pub fn acknowledgement(&self, due_in_days: Option<i64>) -> Acknowledgement {
        Acknowledgement {
            id: self.id,
            document_id: self.document_id,
            document_code: self.document_code.clone(),
            document_title: self.document_title.clone(),
            version_id: self.version_id,
            version_number: self.version_number,
            user: Person {
                id: self.user_id,
                name: self.user_name.clone(),
            },
            site_code: self.site_code.clone(),
            due_date: self.due_date.clone(),
            acknowledged_at: self.acknowledged_at.clone(),
            due_in_days,
        }
    }
}

const SELECT_ACKS: &str = "
    select k.id, k.document_id, d.code as document_code, d.title as document_title, k.version_id,
           v.number as version_number, k.user_id, u.name as user_name, s.code as site_code,
           c.region_code as region_code, k.due_date, k.status, k.acknowledged_at
      from acknowledgements k
      join documents d on d.id = k.document_id
      join document_versions v on v.id = k.version_id
      join users u on u.id = k.user_id
      join sites s on s.id = k.site_id
      join countries c on c.code = s.country_code";

/// A user's acknowledgements: pending first (earliest due first), then the most recently done.
pub async fn acknowledgements_of(
    conn: &mut AnyConnection,
    user_id: i64,
) -> sqlx::Result<Vec<AckRow>> {
    sqlx::query_as(&format!(
        "{SELECT_ACKS} where k.user_id = $1 and k.status in ('pending', 'done')
          order by case when k.status = 'pending' then 0 else 1 end,
                   case when k.status = 'pending' then k.due_date end, k.acknowledged_at desc, d.code
          limit 200"
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await
}

pub async fn find_acknowledgement(
    conn: &mut AnyConnection,
    id: i64,
) -> sqlx::Result<Option<AckRow>> {
    sqlx::query_as(&format!("{SELECT_ACKS} where k.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Marks a pending acknowledgement done; false when it was not pending.
pub async fn acknowledge(conn: &mut AnyConnection, id: i64, now: &str) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update acknowledgements set status = 'done', acknowledged_at = $1 where id = $2 and status = 'pending'",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The tasks of one version at the sites the scope reaches.
pub async fn version_acknowledgements(
    conn: &mut AnyConnection,
    version_id: i64,
    scope: &ScopeFilter,
) -> sqlx::Result<Vec<AckRow>> {
    sqlx::query_as(&format!(
        "{SELECT_ACKS} where k.version_id = $1 and k.status in ('pending', 'done') and {}
          order by s.code, case when k.status = 'pending' then 0 else 1 end, u.name",
        ScopeFilter::sql("c.region_code", "s.code", 2)
    ))
    .bind(version_id)
    .bind(scope.kind)
    .bind(&scope.code)
    .fetch_all(conn)
    .await
}

/// Completion per site, from the tasks of one version.
pub fn completion_by_site(
    rows: &[AckRow],
    site_names: &[(String, String)],
    today: &str,
) -> Vec<SiteCompletion> {
    let mut sites: Vec<SiteCompletion> = Vec::new();
    for row in rows {
        if sites
            .last()
            .map(|s| s.site_code != row.site_code)
            .unwrap_or(true)
        {
            let site_name = site_names
                .iter()
                .find(|(code, _)| *code == row.site_code)
                .map(|(_, name)| name.clone())
                .unwrap_or_else(|| row.site_code.clone());
            sites.push(SiteCompletion {
                site_code: row.site_code.clone(),
                site_name,
                total: 0,
                done: 0,
                overdue: 0,
            });
        }
        if let Some(site) = sites.last_mut() {
            site.total += 1;
            if row.status == "done" {
                site.done += 1;
            } else if row.due_date.as_str() < today {
                site.overdue += 1;
            }
        }
    }
    sites
}

/// Site codes and names, for labelling completion rows.
pub async fn site_names(conn: &mut AnyConnection) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as("select code, name from sites")
        .fetch_all(conn)
        .await
}

/// The id and region of an active site, by code.
pub async fn site_by_code(
    conn: &mut AnyConnection,
    code: &str,
) -> sqlx::Result<Option<(i64, String)>> {
    sqlx::query_as(
        "select s.id, c.region_code from sites s join countries c on c.code = s.country_code
          where s.code = $1 and s.status = 'active'",
    )
    .bind(code)
    .fetch_optional(conn)
    .await
}

/// Active quality officers and regional managers, who may be named approvers.
pub async fn approver_candidates(
    conn: &mut AnyConnection,
) -> sqlx::Result<Vec<(i64, String, String)>> {
    sqlx::query_as(
        "select id, name, role from users where active = 1
            and role in ('quality_officer', 'regional_manager') order by name",
    )
    .fetch_all(conn)
    .await
}
