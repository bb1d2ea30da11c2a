//! Controlled documents (SOPs): versions approved by electronic signature, one version in force
//! at a time, periodic reviews, site variants and read-and-acknowledge tasks.
//!
//! Every operation checks [`access`] first, then the [`lifecycle`], then changes the database
//! and records the audit trail in one transaction, so a refused request leaves nothing behind.

pub mod access;
pub mod api;
pub mod diff;
pub mod form;
pub mod lifecycle;
pub mod markdown;
pub mod repo;
pub mod review;

use app::model::auth::Role;
use app::model::documents::{
    Acknowledgement, AcknowledgementStatus, ApproverOption, Category, Document, DocumentQuery,
    DocumentStatus, DocumentSummary, DraftUpdate, FileInfo, NewDocument, ReviewInput, Version,
    VersionDiff, VersionState,
};
use app::model::users::Page;
use chrono::{Days, NaiveDate, Utc};
use serde::Serialize;

use self::access::{Caller, Facts};
use self::lifecycle::{transition, VersionAction};
use self::repo::{DocRow, VersionRow};
use crate::auth::lockout::LockoutPolicy;
use crate::auth::policy::ScopeFilter;
use crate::auth::Actor;
use crate::db::{now_text, Db, WriteTx};
use crate::error::{Error, FieldError};
use crate::signatures::{self, Meaning};
use crate::trail::{self, Change, Who};

/// Attached files larger than this are refused.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Days a user has to read and acknowledge a new effective version.
pub const ACKNOWLEDGE_WITHIN_DAYS: u64 = 14;
/// A review "due soon" falls within this many days.
pub const DUE_SOON_DAYS: u64 = 30;
const PDF: &str = "application/pdf";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const MAX_CONTENT_CHARS: usize = 200_000;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn caller(actor: &Actor) -> Caller<'_> {
    Caller {
        id: actor.id(),
        role: actor.user.role,
        scope: &actor.user.scope,
    }
}

fn facts(doc: &DocRow) -> Facts<'_> {
    Facts {
        site: doc.site(),
        owner_id: doc.owner_id,
        approver_id: doc.approver_id,
        withdrawn: doc.withdrawn_at.is_some(),
        has_effective_version: doc.effective_version_id.is_some(),
    }
}

fn days_to_review(doc: &DocRow, today: NaiveDate) -> Option<i64> {
    doc.next_review_due
        .as_deref()
        .and_then(review::parse_date)
        .map(|due| review::days_until(due, today))
}

fn not_found(id: i64) -> Error {
    Error::NotFound(format!("There is no document with id {id}."))
}

fn forbidden(what: &str) -> Error {
    Error::Forbidden(format!("Your role and scope do not allow you to {what}."))
}

fn change(action: &'static str, doc: &DocRow) -> Change {
    Change::new(action, "document", doc.id).site(doc.site_code.clone(), doc.region_code.clone())
}

fn version_change(action: &'static str, doc: &DocRow, version_id: i64) -> Change {
    Change::new(action, "document_version", version_id)
        .site(doc.site_code.clone(), doc.region_code.clone())
}

/// What the trail keeps about a version's state change.
#[derive(Serialize)]
struct VersionStateRecord<'a> {
    document: &'a str,
    number: i64,
    state: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

/// The document if the caller may see it; "not found" otherwise, so its existence stays hidden.
async fn visible(conn: &mut sqlx::AnyConnection, actor: &Actor, id: i64) -> Result<DocRow, Error> {
    let doc = repo::find(conn, id).await?.ok_or_else(|| not_found(id))?;
    if access::can_see(&caller(actor), &facts(&doc)) {
        Ok(doc)
    } else {
        Err(not_found(id))
    }
}

/// A version of a visible document; staff reach only the version in force.
async fn visible_version(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    doc: &DocRow,
    version_id: i64,
) -> Result<VersionRow, Error> {
    let missing = || {
        Error::NotFound(format!(
            "Document {} has no version with id {version_id}.",
            doc.code
        ))
    };
    let version = repo::find_version(conn, version_id)
        .await?
        .filter(|v| v.document_id == doc.id)
        .ok_or_else(missing)?;
    if access::can_read_all_versions(&caller(actor)) || version.state() == VersionState::Effective {
        Ok(version)
    } else {
        Err(missing())
    }
}

fn no_longer_draft() -> Error {
    Error::Conflict("This version is no longer a draft; reload to see its state.".into())
}

fn illegal(error: lifecycle::IllegalTransition) -> Error {
    Error::Conflict(error.message())
}

fn withdrawn_conflict(doc: &DocRow) -> Error {
    Error::Conflict(format!(
        "{} was withdrawn{}; it can no longer change.",
        doc.code,
        doc.withdrawn_at
            .as_deref()
            .map(|at| format!(" on {}", &at[..10.min(at.len())]))
            .unwrap_or_default()
    ))
}

fn sort_column(sort: Option<&str>, descending: bool) -> Result<&'static str, Error> {
    let column = match sort.unwrap_or("code") {
        "code" => return Ok(if descending { "d.code desc" } else { "d.code" }),
        "title" => "d.title",
        "category" => "d.category",
        "status" => "d.status",
        "effective_date" => "ev.effective_date",
        "review_due" => "d.next_review_due",
        _ => {
            return Err(Error::invalid_field(
                "sort",
                "Sort by code, title, category, status, effective_date or review_due.",
            ))
        }
    };
    // Documents without the value (never in force) go last either way.
    Ok(match (column, descending) {
        ("ev.effective_date", false) => {
            "case when ev.effective_date is null then 1 else 0 end, ev.effective_date"
        }
        ("ev.effective_date", true) => {
            "case when ev.effective_date is null then 1 else 0 end, ev.effective_date desc"
        }
        ("d.next_review_due", false) => {
            "case when d.next_review_due is null then 1 else 0 end, d.next_review_due"
        }
        ("d.next_review_due", true) => {
            "case when d.next_review_due is null then 1 else 0 end, d.next_review_due desc"
        }
        ("d.title", true) => "d.title desc",
        ("d.category", true) => "d.category desc",
        ("d.status", true) => "d.status desc",
        (column, _) => column,
    })
}

/// The register: documents the caller may see, filtered, sorted and paged.
pub async fn list(
    db: &Db,
    actor: &Actor,
    query: &DocumentQuery,
) -> Result<Page<DocumentSummary>, Error> {
    let (page, per_page, offset) = crate::users::paging(query.page, query.per_page);
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let category = text(&query.category);
    if let Some(c) = &category {
        if Category::parse(c).is_none() {
            return Err(Error::invalid_field(
                "category",
                "Choose laboratory, radiology, clinical, it or administration.",
            ));
        }
    }
    let status = text(&query.status);
    if let Some(s) = &status {
        if DocumentStatus::parse(s).is_none() {
            return Err(Error::invalid_field(
                "status",
                "Choose draft, in_review, approved, effective or withdrawn.",
            ));
        }
    }
    let today = today();
    let soon = today + Days::new(DUE_SOON_DAYS + 1);
    let (review_from, review_to) = match text(&query.review).as_deref() {
        None => (None, None),
        Some("overdue") => (None, Some(review::date_text(today))),
        Some("due_soon") => (
            Some(review::date_text(today)),
            Some(review::date_text(soon)),
        ),
        Some("on_time") => (Some(review::date_text(soon)), None),
        Some(_) => {
            return Err(Error::invalid_field(
                "review",
                "Choose overdue, due_soon or on_time.",
            ))
        }
    };
    let descending = matches!(query.dir.as_deref(), Some("desc"));
    let scope = &actor.user.scope;
    let filter = repo::ListFilter {
        scope: Some(ScopeFilter::of(scope)),
        effective_only: !access::can_read_all_versions(&caller(actor)),
        q: text(&query.q),
        category,
        site: text(&query.site).map(|s| if s == "global" { s } else { s.to_uppercase() }),
        status,
        // "Overdue" needs a due date; an open lower bound must still exclude documents without one.
        review_from: review_from.or_else(|| review_to.as_ref().map(|_| "0000-00-00".to_string())),
        review_to,
        parent_id: None,
        order_by: sort_column(query.sort.as_deref(), descending)?,
    };
    let mut conn = db.pool().acquire().await?;
    let (rows, total) = repo::list(&mut conn, &filter, per_page, offset).await?;
    Ok(Page {
        items: rows
            .iter()
            .map(|r| r.summary(days_to_review(r, today)))
            .collect(),
        total,
        page,
        per_page,
    })
}

/// One document with its versions, variants, reviews and what the caller may do.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Document, Error> {
    let mut conn = db.pool().acquire().await?;
    let doc = visible(&mut conn, actor, id).await?;
    let today = today();
    let who = caller(actor);
    let mut versions = repo::versions(&mut conn, id).await?;
    if !access::can_read_all_versions(&who) {
        versions.retain(|v| v.state() == VersionState::Effective);
    }
    let variants = if doc.site_id.is_none() {
        let filter = repo::ListFilter {
            scope: Some(ScopeFilter::of(&actor.user.scope)),
            effective_only: !access::can_read_all_versions(&who),
            parent_id: Some(id),
            order_by: "d.code",
            ..repo::ListFilter::default()
        };
        let (rows, _) = repo::list(&mut conn, &filter, 200, 0).await?;
        rows.iter()
            .map(|r| r.summary(days_to_review(r, today)))
            .collect()
    } else {
        Vec::new()
    };
    let reviews = repo::reviews(&mut conn, id).await?;
    Ok(document(&doc, &who, versions, variants, reviews, today))
}

fn document(
    doc: &DocRow,
    who: &Caller,
    versions: Vec<VersionRow>,
    variants: Vec<DocumentSummary>,
    reviews: Vec<app::model::documents::Review>,
    today: NaiveDate,
) -> Document {
    Document {
        summary: doc.summary(days_to_review(doc, today)),
        site_name: doc.site_name.clone(),
        approver: app::model::documents::Person {
            id: doc.approver_id,
            name: doc.approver_name.clone(),
        },
        review_interval_months: doc.review_interval_months,
        retention_years: doc.retention_years,
        tags: doc
            .tags
            .split(',')
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
        acknowledgement_roles: doc.ack_roles.split(',').filter_map(Role::parse).collect(),
        self_approval_allowed: doc.self_approval_allowed != 0,
        last_reviewed_at: doc.last_reviewed_at.clone(),
        withdrawn_at: doc.withdrawn_at.clone(),
        withdrawn_reason: doc.withdrawn_reason.clone(),
        created_at: doc.created_at.clone(),
        versions: versions.iter().map(VersionRow::summary).collect(),
        variants,
        reviews,
        actions: access::actions(who, &facts(doc)),
    }
}

fn clean_tags(tags: Option<&str>) -> String {
    let mut tags: Vec<String> = tags
        .unwrap_or_default()
        .split(',')
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    tags.sort();
    tags.dedup();
    tags.join(",")
}

fn check_code(code: &str) -> Result<String, FieldError> {
    let code = code.trim().to_uppercase();
    let valid = (3..=40).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        && !code.starts_with('-')
        && !code.ends_with('-');
    if valid {
        Ok(code)
    } else {
        Err(FieldError {
            field: "code".into(),
            message: "Use 3 to 40 letters, digits and hyphens, e.g. LAB-SOP-012.".into(),
        })
    }
}

fn check_content(content: &str) -> Result<(), Error> {
    if content.chars().count() > MAX_CONTENT_CHARS {
        return Err(Error::invalid_field(
            "content",
            format!("The text is too long (at most {MAX_CONTENT_CHARS} characters); attach long documents as a file."),
        ));
    }
    Ok(())
}

/// Creates a document and its first draft (version 1).
#[tracing::instrument(skip_all, fields(actor = actor.id()))]
pub async fn create(db: &Db, actor: &Actor, new: NewDocument) -> Result<Document, Error> {
    let mut fields = Vec::new();
    let code = check_code(&new.code).map_err(|f| fields.push(f)).ok();
    let title = new.title.trim().to_string();
    if title.is_empty() || title.chars().count() > 200 {
        fields.push(FieldError {
            field: "title".into(),
            message: "Enter a title (at most 200 characters).".into(),
        });
    }
    let category = Category::parse(new.category.trim());
    if category.is_none() {
        fields.push(FieldError {
            field: "category".into(),
            message: "Choose laboratory, radiology, clinical, IT or administration.".into(),
        });
    }
    let interval = new.review_interval_months.unwrap_or(24);
    if !(1..=120).contains(&interval) {
        fields.push(FieldError {
            field: "review_interval_months".into(),
            message: "A review interval is between 1 and 120 months.".into(),
        });
    }
    let retention = new.retention_years.unwrap_or(10);
    if !(1..=100).contains(&retention) {
        fields.push(FieldError {
            field: "retention_years".into(),
            message: "Keep records between 1 and 100 years.".into(),
        });
    }
    let roles = new
        .acknowledgement_roles
        .clone()
        .unwrap_or_else(|| vec![Role::SiteLead, Role::Staff]);
    if roles
        .iter()
        .any(|r| !matches!(r, Role::SiteLead | Role::Staff))
    {
        fields.push(FieldError {
            field: "acknowledgement_roles".into(),
            message: "Acknowledgements are asked of site leads and staff.".into(),
        });
    }
    let content = new.content.clone().unwrap_or_default();
    check_content(&content)?;
    let site_code = new
        .site_code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "global")
        .map(str::to_uppercase);
    let parent_code = new
        .parent_code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_uppercase);
    if parent_code.is_some() && site_code.is_none() {
        fields.push(FieldError {
            field: "parent_code".into(),
            message: "Only a site variant has a parent document: choose its site too.".into(),
        });
    }
    if !fields.is_empty() {
        return Err(Error::Invalid {
            message: "Please correct the highlighted fields.".into(),
            fields,
        });
    }
    let (Some(code), Some(category)) = (code, category) else {
        return Err(Error::Internal("validated fields missing".into()));
    };

    let mut tx = db.begin_write().await?;
    let site = match &site_code {
        Some(code) => Some(repo::site_by_code(tx.conn(), code).await?.ok_or_else(|| {
            Error::invalid_field(
                "site_code",
                format!("There is no active site with the code '{code}'."),
            )
        })?),
        None => None,
    };
    let site_facts = site_code
        .as_deref()
        .zip(site.as_ref().map(|(_, r)| r.as_str()));
    if !access::can_create(&caller(actor), site_facts) {
        return Err(forbidden(if site.is_some() {
            "create documents for this site"
        } else {
            "create network-wide documents"
        }));
    }
    if repo::find_by_code(tx.conn(), &code).await?.is_some() {
        return Err(Error::invalid_field(
            "code",
            format!("Another document already has the code {code}; choose a unique code."),
        ));
    }
    let parent_id = match &parent_code {
        Some(parent) => {
            let row = repo::find_by_code(tx.conn(), parent)
                .await?
                .filter(|p| p.site_id.is_none())
                .ok_or_else(|| {
                    Error::invalid_field(
                        "parent_code",
                        format!("There is no global document with the code {parent}."),
                    )
                })?;
            Some(row.id)
        }
        None => None,
    };
    // The approver and the owner must be able to reach the document, or it would wait forever.
    let reaches_document = |user: &crate::users::repo::UserRow| {
        user.active != 0
            && match site_facts {
                None => user.scope() == app::model::auth::Scope::Global,
                Some((site, region)) => crate::auth::policy::reaches(&user.scope(), site, region),
            }
    };
    let approver = crate::users::repo::find_in(&mut tx, new.approver_id).await?;
    if !approver.as_ref().is_some_and(|a| {
        matches!(a.role(), Role::QualityOfficer | Role::RegionalManager) && reaches_document(a)
    }) {
        return Err(Error::invalid_field(
            "approver_id",
            "Choose an active quality officer or regional manager whose scope includes the document's site (the whole network for a network document).",
        ));
    }
    let owner_id = new.owner_id.unwrap_or(actor.id());
    let owner = crate::users::repo::find_in(&mut tx, owner_id).await?;
    if !owner.as_ref().is_some_and(|o| {
        o.role() != Role::Staff
            && match site_facts {
                None => o.active != 0,
                Some(_) => reaches_document(o),
            }
    }) {
        return Err(Error::invalid_field(
            "owner_id",
            "Choose an active owner (not staff) who can see the document.",
        ));
    }
    let now = now_text();
    let tags = clean_tags(new.tags.as_deref());
    let ack_roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    let id = match repo::insert(
        tx.conn(),
        &repo::NewDocRow {
            code: &code,
            title: &title,
            category: category.as_str(),
            site_id: site.as_ref().map(|(id, _)| *id),
            parent_id,
            owner_id,
            approver_id: new.approver_id,
            review_interval_months: interval,
            retention_years: retention,
            tags: &tags,
            ack_roles: &ack_roles.join(","),
            self_approval_allowed: new.self_approval_allowed.unwrap_or(false),
            created_at: &now,
        },
    )
    .await
    {
        Ok(id) => id,
        // Another request took the code between the check above and this insert.
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation()) =>
        {
            return Err(Error::invalid_field(
                "code",
                format!("Another document already has the code {code}; choose a unique code."),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let version_id =
        repo::insert_draft(tx.conn(), id, actor.id(), &content, "First issue.", &now).await?;
    let doc = repo::find(tx.conn(), id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let versions = repo::versions(tx.conn(), id).await?;
    let created = document(
        &doc,
        &caller(actor),
        versions,
        Vec::new(),
        Vec::new(),
        today(),
    );
    let who = Who::from(actor);
    trail::record(
        &mut tx,
        &who,
        change("document.create", &doc).after(&created.summary),
    )
    .await?;
    trail::record(
        &mut tx,
        &who,
        version_change("document_version.create", &doc, version_id).after(VersionStateRecord {
            document: &doc.code,
            number: 1,
            state: "draft",
            reason: None,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

/// One version with its content.
pub async fn version(db: &Db, actor: &Actor, id: i64, version_id: i64) -> Result<Version, Error> {
    let mut conn = db.pool().acquire().await?;
    let doc = visible(&mut conn, actor, id).await?;
    let row = visible_version(&mut conn, actor, &doc, version_id).await?;
    full_version(&mut conn, &doc, &row).await
}

async fn full_version(
    conn: &mut sqlx::AnyConnection,
    doc: &DocRow,
    row: &VersionRow,
) -> Result<Version, Error> {
    let content = repo::version_content(conn, row.id).await?;
    Ok(Version {
        summary: row.summary(),
        document_id: doc.id,
        document_code: doc.code.clone(),
        document_title: doc.title.clone(),
        content_html: markdown::to_safe_html(&content),
        content,
    })
}

/// Loads a document and one of its versions for a change, inside the transaction.
async fn for_change(
    tx: &mut WriteTx,
    actor: &Actor,
    id: i64,
    version_id: i64,
) -> Result<(DocRow, VersionRow), Error> {
    repo::lock(tx, id).await?;
    let doc = visible(tx.conn(), actor, id).await?;
    let version = visible_version(tx.conn(), actor, &doc, version_id).await?;
    if doc.withdrawn_at.is_some() {
        return Err(withdrawn_conflict(&doc));
    }
    Ok((doc, version))
}

/// Starts a new draft from the version in force (or from the last version).
#[tracing::instrument(skip_all, fields(actor = actor.id(), document_id = id))]
pub async fn new_version(db: &Db, actor: &Actor, id: i64) -> Result<Version, Error> {
    let mut tx = db.begin_write().await?;
    repo::lock(&mut tx, id).await?;
    let doc = visible(tx.conn(), actor, id).await?;
    if doc.withdrawn_at.is_some() {
        return Err(withdrawn_conflict(&doc));
    }
    if !access::can_manage(&caller(actor), &facts(&doc)) {
        return Err(forbidden("start a new version of this document"));
    }
    let version_id = start_draft(&mut tx, actor, &doc, "").await?;
    let row = repo::find_version(tx.conn(), version_id)
        .await?
        .ok_or_else(|| Error::Internal("new draft vanished".into()))?;
    let version = full_version(tx.conn(), &doc, &row).await?;
    tx.commit().await?;
    Ok(version)
}

/// Adds a draft copied from the latest version; refuses when one is already being prepared.
async fn start_draft(
    tx: &mut WriteTx,
    actor: &Actor,
    doc: &DocRow,
    summary: &str,
) -> Result<i64, Error> {
    if let Some(open) = repo::version_in_progress(tx.conn(), doc.id).await? {
        return Err(Error::Conflict(format!(
            "Version {} of {} is already being prepared ({}); finish or return it first.",
            open.number,
            doc.code,
            open.state().label().to_lowercase()
        )));
    }
    let latest = repo::versions(tx.conn(), doc.id).await?;
    let source = doc
        .effective_version_id
        .or_else(|| latest.first().map(|v| v.id));
    let content = match source {
        Some(source) => repo::version_content(tx.conn(), source).await?,
        None => String::new(),
    };
    let version_id = repo::insert_draft(
        tx.conn(),
        doc.id,
        actor.id(),
        &content,
        summary,
        &now_text(),
    )
    .await?;
    if let Some(source) = source {
        // The draft starts with its source's file too, so a file-only SOP can be revised.
        repo::copy_file(tx.conn(), source, version_id).await?;
    }
    let number = latest.first().map(|v| v.number).unwrap_or(0) + 1;
    trail::record(
        tx,
        &Who::from(actor),
        version_change("document_version.create", doc, version_id).after(VersionStateRecord {
            document: &doc.code,
            number,
            state: "draft",
            reason: None,
        }),
    )
    .await?;
    if doc.effective_version_id.is_none() {
        repo::set_status(tx.conn(), doc.id, DocumentStatus::Draft, &now_text()).await?;
    }
    Ok(version_id)
}

/// Saves a draft's text and change summary.
#[tracing::instrument(skip_all, fields(actor = actor.id(), document_id = id, version_id))]
pub async fn update_draft(
    db: &Db,
    actor: &Actor,
    id: i64,
    version_id: i64,
    update: DraftUpdate,
) -> Result<Version, Error> {
    check_content(&update.content)?;
    let summary = update.change_summary.trim();
    if summary.chars().count() > 1000 {
        return Err(Error::invalid_field(
            "change_summary",
            "Summarise the change in at most 1000 characters.",
        ));
    }
    let mut tx = db.begin_write().await?;
    let (doc, row) = for_change(&mut tx, actor, id, version_id).await?;
    if !access::can_manage(&caller(actor), &facts(&doc)) {
        return Err(forbidden("edit this document"));
    }
    if row.state() != VersionState::Draft {
        return Err(Error::Conflict(format!(
            "Version {} is {}; only a draft can be edited. Return it to draft or start a new version.",
            row.number,
            row.state().label().to_lowercase()
        )));
    }
    let before = repo::version_content(tx.conn(), row.id).await?;
    if !repo::update_draft(
        tx.conn(),
        row.id,
        actor.id(),
        &update.content,
        summary,
        &now_text(),
    )
    .await?
    {
        return Err(no_longer_draft());
    }
    let changed = repo::find_version(tx.conn(), row.id)
        .await?
        .ok_or_else(|| Error::Internal("draft vanished".into()))?;
    let version = full_version(tx.conn(), &doc, &changed).await?;
    trail::record(
        &mut tx,
        &Who::from(actor),
        version_change("document_version.edit", &doc, row.id)
            .before(serde_json::json!({"change_summary": row.change_summary, "content_sha256": signatures::content_hash(before.as_bytes())}))
            .after(serde_json::json!({"change_summary": summary, "content_sha256": signatures::content_hash(update.content.as_bytes())})),
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// An uploaded file as received.
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Checks an upload's size and type by its content (not by what the browser claims).
pub fn check_upload(upload: &Upload) -> Result<FileInfo, Error> {
    if upload.bytes.is_empty() {
        return Err(Error::invalid_field(
            "file",
            "The file is empty; choose a PDF or DOCX file.",
        ));
    }
    if upload.bytes.len() > MAX_FILE_BYTES {
        return Err(Error::invalid_field(
            "file",
            format!(
                "The file is {:.1} MB; attach at most {} MB.",
                upload.bytes.len() as f64 / 1_048_576.0,
                MAX_FILE_BYTES / 1_048_576
            ),
        ));
    }
    let name: String = upload
        .name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let lower = name.to_lowercase();
    let media_type = if upload.bytes.starts_with(b"%PDF-") && lower.ends_with(".pdf") {
        PDF
    } else if upload.bytes.starts_with(b"PK\x03\x04") && lower.ends_with(".docx") {
        DOCX
    } else {
        return Err(Error::invalid_field(
            "file",
            "Attach a PDF (.pdf) or Word (.docx) file; this file is neither.",
        ));
    };
    Ok(FileInfo {
        name,
        media_type: media_type.into(),
        size: upload.bytes.len() as i64,
        sha256: signatures::content_hash(&upload.bytes),
    })
}

/// Attaches (or replaces) a draft's PDF or DOCX file.
#[tracing::instrument(skip_all, fields(actor = actor.id(), document_id = id, version_id))]
pub async fn attach_file(
    db: &Db,
    actor: &Actor,
    id: i64,
    version_id: i64,
    upload: Upload,
) -> Result<Version, Error> {
    let info = check_upload(&upload)?;
    let mut tx = db.begin_write().await?;
    let (doc, row) = for_change(&mut tx, actor, id, version_id).await?;
    if !access::can_manage(&caller(actor), &facts(&doc)) {
        return Err(forbidden("edit this document"));
    }
    if row.state() != VersionState::Draft {
        return Err(Error::Conflict(format!(
            "Version {} is {}; files can be attached to drafts only.",
            row.number,
            row.state().label().to_lowercase()
        )));
    }
    if !repo::store_file(
        tx.conn(),
        row.id,
        actor.id(),
        &info,
        &upload.bytes,
        &now_text(),
    )
    .await?
    {
        return Err(no_longer_draft());
    }
    trail::record(
        &mut tx,
        &Who::from(actor),
        version_change("document_version.attach_file", &doc, row.id)
            .before(row.summary().file)
            .after(&info),
    )
    .await?;
    let changed = repo::find_version(tx.conn(), row.id)
        .await?
        .ok_or_else(|| Error::Internal("draft vanished".into()))?;
    let version = full_version(tx.conn(), &doc, &changed).await?;
    tx.commit().await?;
    Ok(version)
}

/// A version's attached file, after checking it still matches its recorded SHA-256.
pub async fn file(
    db: &Db,
    actor: &Actor,
    id: i64,
    version_id: i64,
) -> Result<(FileInfo, Vec<u8>), Error> {
    let mut conn = db.pool().acquire().await?;
    let doc = visible(&mut conn, actor, id).await?;
    let row = visible_version(&mut conn, actor, &doc, version_id).await?;
    let info = row.summary().file.ok_or_else(|| {
        Error::NotFound(format!(
            "Version {} of {} has no attached file.",
            row.number, doc.code
        ))
    })?;
    let bytes = repo::file_bytes(&mut conn, row.id)
        .await?
        .ok_or_else(|| Error::Internal(format!("file of version {} is missing", row.id)))?;
    if signatures::content_hash(&bytes) != info.sha256 {
        tracing::error!(
            version_id = row.id,
            "stored document file does not match its SHA-256"
        );
        return Err(Error::Conflict(
            "The stored file no longer matches its recorded SHA-256, so it was not sent. Tell an administrator.".into(),
        ));
    }
    Ok((info, bytes))
}

/// Moves a version through one lifecycle step that needs no signature.
async fn step(
    db: &Db,
    actor: &Actor,
    id: i64,
    version_id: i64,
    action: VersionAction,
    reason: Option<&str>,
) -> Result<Version, Error> {
    let mut tx = db.begin_write().await?;
    let (doc, row) = for_change(&mut tx, actor, id, version_id).await?;
    let who = caller(actor);
    let allowed = match action {
        VersionAction::ReturnToDraft => access::can_approve(&who, &facts(&doc)),
        _ => access::can_manage(&who, &facts(&doc)),
    };
    if !allowed {
        return Err(forbidden(match action {
            VersionAction::Submit => "submit this document for approval",
            VersionAction::ReturnToDraft => "return this version to draft",
            _ => "change this document",
        }));
    }
    let from = row.state();
    let to = transition(from, action).map_err(illegal)?;
    if action == VersionAction::Submit
        && repo::version_content(tx.conn(), row.id)
            .await?
            .trim()
            .is_empty()
        && row.file_sha256.is_none()
    {
        return Err(Error::invalid_field(
            "content",
            "The draft is empty: write its text or attach a file before submitting it.",
        ));
    }
    let now = now_text();
    if !repo::move_version(tx.conn(), row.id, from, to, &now).await? {
        return Err(Error::Conflict(
            "Someone else changed this version just now; reload and try again.".into(),
        ));
    }
    if let Some(reason) = reason {
        // An approval does not survive going back to draft: the text may change again.
        repo::set_returned(tx.conn(), row.id, reason).await?;
    }
    if doc.effective_version_id.is_none() {
        let status = match to {
            VersionState::InReview => DocumentStatus::InReview,
            VersionState::Approved => DocumentStatus::Approved,
            _ => DocumentStatus::Draft,
        };
        repo::set_status(tx.conn(), doc.id, status, &now).await?;
    }
    let name = match action {
        VersionAction::Submit => "document_version.submit",
        _ => "document_version.return",
    };
    trail::record(
        &mut tx,
        &Who::from(actor),
        version_change(name, &doc, row.id)
            .before(VersionStateRecord {
                document: &doc.code,
                number: row.number,
                state: from.as_str(),
                reason: None,
            })
            .after(VersionStateRecord {
                document: &doc.code,
                number: row.number,
                state: to.as_str(),
                reason,
            }),
    )
    .await?;
    let changed = repo::find_version(tx.conn(), row.id)
        .await?
        .ok_or_else(|| Error::Internal("version vanished".into()))?;
    let version = full_version(tx.conn(), &doc, &changed).await?;
    tx.commit().await?;
    Ok(version)
}

/// Sends a draft for approval.
#[tracing::instrument(skip_all, fields(actor = actor.id(), document_id = id, version_id))]
pub async fn submit(db: &Db, actor: &Actor, id: i64, version_id: i64) -> Result<Version, Error> {
    step(db, actor, id, version_id, VersionAction::Submit, None).await
}

/// Sends a version under review (or approved, not yet in force) back to draft, with the reason.
#[tracing::instrument(skip_all, fields(actor = actor.id(), document_id = id, version_id))]
pub async fn return_to_draft(
    db: &Db,
    actor: &Actor,
    id: i64,
    version_id: i64,
    reason: &str,
) -> Result<Version, Error> {
    let reason = check_reason(reason)?;
    step(
        db,
        actor,
        id,
        version_id,
        VersionAction::ReturnToDraft,
        Some(&reason),
    )
    .await
}

fn check_reason(reason: &str) -> Result<String, Error> {
    let reason = reason.trim();
    if reason.chars().count() < 5 || reason.chars().count() > 2000 {
        return Err(Error::invalid_field(
            "reason",
            "Give the reason in a sentence (5 to 2000 characters); it is kept in the record.",
        ));
    }
    Ok(reason.to_string())
}

/// Approves a version under review with the approver's electronic signature.
#[tracing::instrument(skip_all, fields(actor = actor.id(), document_id = id, version_id))]
pub async fn approve(
    db: &Db,
    actor: &Actor,
    id: i64,
    version_id: i64,
    password: String,
    lockout: &LockoutPolicy,
) -> Result<Version, Error> {
    // Cheap checks first, so a refused approval does not cost a password hash.
    {
        let mut conn = db.pool().acquire().await?;
        let doc = visible(&mut conn, actor, id).await?;
        let row = visible_version(&mut conn, actor, &doc, version_id).await?;
        check_approval(actor, &doc, &row)?;
    }
    signatures::verify_signer(db, actor, password, lockout).await?;
    let mut tx = db.begin_write().await?;
    let (doc, row) = for_change(&mut tx, actor, id, version_id).await?;
    check_approval(actor, &doc, &row)?;
    let now = now_text();
    let content = repo::version_content(tx.conn(), row.id).await?;
    let signed = format!(
        "{}\nversion {}\n{}\nfile:{}",
        doc.code,
        row.number,
        content,
        row.file_sha256.as_deref().unwrap_or("none")
    );
    if !repo::move_version(
        tx.conn(),
        row.id,
        VersionState::InReview,
        VersionState::Approved,
        &now,
    )
    .await?
    {
        return Err(Error::Conflict(
            "Someone else changed this version just now; reload and try again.".into(),
        ));
    }
    let signature = signatures::record(
        &mut tx,
        actor,
        Meaning::Approved,
        "document_version",
        &row.id.to_string(),
        &signatures::content_hash(signed.as_bytes()),
    )
    .await?;
    repo::set_approval(tx.conn(), row.id, actor.id(), signature.id, &now).await?;
    if doc.effective_version_id.is_none() {
        repo::set_status(tx.conn(), doc.id, DocumentStatus::Approved, &now).await?;
    }
    trail::record(
        &mut tx,
        &Who::from(actor),
        version_change("document_version.approve", &doc, row.id)
            .before(VersionStateRecord {
                document: &doc.code,
                number: row.number,
                state: "in_review",
                reason: None,
            })
            .after(VersionStateRecord {
                document: &doc.code,
                number: row.number,
                state: "approved",
                reason: None,
            }),
    )
    .await?;
    let changed = repo::find_version(tx.conn(), row.id)
        .await?
        .ok_or_else(|| Error::Internal("version vanished".into()))?;
    let version = full_version(tx.conn(), &doc, &changed).await?;
    tx.commit().await?;
    Ok(version)
}

fn check_approval(actor: &Actor, doc: &DocRow, row: &VersionRow) -> Result<(), Error> {
    if doc.withdrawn_at.is_some() {
        return Err(withdrawn_conflict(doc));
    }
    if !access::can_approve(&caller(actor), &facts(doc)) {
        return Err(Error::Forbidden(format!(
            "Only the document's approver ({}) or a quality officer may approve {}.",
            doc.approver_name, doc.code
        )));
    }
    transition(row.state(), VersionAction::Approve).map_err(illegal)?;
    let wrote_it = row.author_id == actor.id() || row.last_edited_by == Some(actor.id());
    if wrote_it && doc.self_approval_allowed == 0 {
        return Err(Error::Forbidden(format!(
            "You wrote or edited version {} of {}; someone else must approve it (self-approval is not allowed for this document).",
            row.number, doc.code
        )));
    }
    Ok(())
}

/// Puts an approved version in force: the previous one is superseded in the same transaction,
/// the review clock restarts, and acknowledgement tasks are created.
#[tracing::instrument(skip_all, fields(actor = actor.id(), document_id = id, version_id))]
pub async fn make_effective(
    db: &Db,
    actor: &Actor,
    id: i64,
    version_id: i64,
) -> Result<Version, Error> {
    let mut tx = db.begin_write().await?;
    let (doc, row) = for_change(&mut tx, actor, id, version_id).await?;
    if !access::can_manage(&caller(actor), &facts(&doc)) {
        return Err(forbidden("put this document into force"));
    }
    transition(row.state(), VersionAction::MakeEffective).map_err(illegal)?;
    let today = today();
    let now = now_text();
    let who = Who::from(actor);
    if let Some(previous) = doc.effective_version_id {
        let old = repo::find_version(tx.conn(), previous)
            .await?
            .ok_or_else(|| Error::Internal("effective version vanished".into()))?;
        if !repo::move_version(
            tx.conn(),
            previous,
            VersionState::Effective,
            VersionState::Superseded,
            &now,
        )
        .await?
        {
            return Err(Error::Conflict(
                "Someone else changed this document just now; reload and try again.".into(),
            ));
        }
        let retired = repo::retire_acknowledgements(tx.conn(), doc.id).await?;
        trail::record(
            &mut tx,
            &who,
            version_change("document_version.supersede", &doc, previous)
                .before(VersionStateRecord { document: &doc.code, number: old.number, state: "effective", reason: None })
                .after(serde_json::json!({"document": doc.code, "number": old.number, "state": "superseded", "pending_acknowledgements_retired": retired})),
        )
        .await?;
    }
    if !repo::move_version(
        tx.conn(),
        row.id,
        VersionState::Approved,
        VersionState::Effective,
        &now,
    )
    .await?
    {
        return Err(Error::Conflict(
            "Someone else changed this version just now; reload and try again.".into(),
        ));
    }
    let effective = review::date_text(today);
    repo::set_effective_date(tx.conn(), row.id, &effective).await?;
    let due = review::next_review_due(today, doc.review_interval_months as u32);
    repo::set_in_force(
        tx.conn(),
        doc.id,
        row.id,
        &effective,
        &review::date_text(due),
        &now,
    )
    .await?;
    let ack_due = review::date_text(today + Days::new(ACKNOWLEDGE_WITHIN_DAYS));
    let tasks = repo::create_acknowledgements(
        tx.conn(),
        doc.id,
        row.id,
        doc.site_id,
        &doc.ack_roles,
        &ack_due,
        &now,
    )
    .await?;
    trail::record(
        &mut tx,
        &who,
        version_change("document_version.make_effective", &doc, row.id)
            .before(VersionStateRecord {
                document: &doc.code,
                number: row.number,
                state: "approved",
                reason: None,
            })
            .after(serde_json::json!({
                "document": doc.code, "number": row.number, "state": "effective",
                "effective_date": effective, "next_review_due": review::date_text(due),
                "acknowledgements_created": tasks, "acknowledge_by": ack_due,
            })),
    )
    .await?;
    let changed = repo::find_version(tx.conn(), row.id)
        .await?
        .ok_or_else(|| Error::Internal("version vanished".into()))?;
    let version = full_version(tx.conn(), &doc, &changed).await?;
    tx.commit().await?;
    tracing::info!(document = %doc.code, number = row.number, acknowledgements = tasks, "version in force");
    Ok(version)
}

/// Records a periodic review: confirm the version in force (signed; the clock restarts) or start
/// a revision (a new draft).
#[tracing::instrument(skip_all, fields(actor = actor.id(), document_id = id))]
pub async fn review(
    db: &Db,
    actor: &Actor,
    id: i64,
    input: ReviewInput,
    lockout: &LockoutPolicy,
) -> Result<Document, Error> {
    let confirm = match input.outcome.as_str() {
        "confirm" => true,
        "revise" => false,
        _ => return Err(Error::invalid_field("outcome", "Choose confirm or revise.")),
    };
    let notes = input.notes.trim().to_string();
    if notes.chars().count() > 4000 {
        return Err(Error::invalid_field(
            "notes",
            "Keep the notes under 4000 characters.",
        ));
    }
    let check = |doc: &DocRow| -> Result<(), Error> {
        if doc.withdrawn_at.is_some() {
            return Err(withdrawn_conflict(doc));
        }
        if doc.effective_version_id.is_none() {
            return Err(Error::Conflict(format!(
                "{} has no version in force yet; there is nothing to review.",
                doc.code
            )));
        }
        if !access::can_review(&caller(actor), &facts(doc)) {
            return Err(forbidden("review this document"));
        }
        Ok(())
    };
    {
        let mut conn = db.pool().acquire().await?;
        check(&visible(&mut conn, actor, id).await?)?;
    }
    if confirm {
        let password = input.password.clone().unwrap_or_default();
        if password.is_empty() {
            return Err(Error::invalid_field(
                "password",
                "Enter your password to sign the review.",
            ));
        }
        signatures::verify_signer(db, actor, password, lockout).await?;
    }
    let mut tx = db.begin_write().await?;
    repo::lock(&mut tx, id).await?;
    let doc = visible(tx.conn(), actor, id).await?;
    check(&doc)?;
    let effective_id = doc.effective_version_id.unwrap_or_default();
    let now = now_text();
    let who = Who::from(actor);
    if confirm {
        let content = repo::version_content(tx.conn(), effective_id).await?;
        let file = repo::find_version(tx.conn(), effective_id)
            .await?
            .and_then(|v| v.file_sha256)
            .unwrap_or_else(|| "none".into());
        let signature = signatures::record(
            &mut tx,
            actor,
            Meaning::Reviewed,
            "document_version",
            &effective_id.to_string(),
            &signatures::content_hash(format!("{}\n{}\nfile:{file}", doc.code, content).as_bytes()),
        )
        .await?;
        let review_id = repo::insert_review(
            tx.conn(),
            doc.id,
            effective_id,
            actor.id(),
            "confirmed",
            &notes,
            Some(signature.id),
            &now,
        )
        .await?;
        let today = today();
        let due = review::next_review_due(today, doc.review_interval_months as u32);
        repo::set_reviewed(
            tx.conn(),
            doc.id,
            &review::date_text(today),
            &review::date_text(due),
            &now,
        )
        .await?;
        trail::record(
            &mut tx,
            &who,
            change("document.review", &doc)
                .before(serde_json::json!({"next_review_due": doc.next_review_due}))
                .after(serde_json::json!({"review_id": review_id, "outcome": "confirmed", "notes": notes, "next_review_due": review::date_text(due)})),
        )
        .await?;
    } else {
        if !access::can_manage(&caller(actor), &facts(&doc)) {
            return Err(forbidden("start a revision of this document"));
        }
        let review_id = repo::insert_review(
            tx.conn(),
            doc.id,
            effective_id,
            actor.id(),
            "revision_started",
            &notes,
            None,
            &now,
        )
        .await?;
        let summary = if notes.is_empty() {
            "Revision after periodic review.".to_string()
        } else {
            format!("Revision after periodic review: {notes}")
        };
        start_draft(&mut tx, actor, &doc, &summary).await?;
        trail::record(
            &mut tx,
            &who,
            change("document.review", &doc).after(serde_json::json!({"review_id": review_id, "outcome": "revision_started", "notes": notes})),
        )
        .await?;
    }
    tx.commit().await?;
    get(db, actor, id).await
}

/// Withdraws a document with the reason; it stays readable but nothing more can change.
#[tracing::instrument(skip_all, fields(actor = actor.id(), document_id = id))]
pub async fn withdraw(db: &Db, actor: &Actor, id: i64, reason: &str) -> Result<Document, Error> {
    let reason = check_reason(reason)?;
    let mut tx = db.begin_write().await?;
    repo::lock(&mut tx, id).await?;
    let doc = visible(tx.conn(), actor, id).await?;
    if doc.withdrawn_at.is_some() {
        return Err(withdrawn_conflict(&doc));
    }
    if !access::can_withdraw(&caller(actor), &facts(&doc)) {
        return Err(forbidden("withdraw this document"));
    }
    let now = now_text();
    repo::set_withdrawn(tx.conn(), doc.id, &reason, &now).await?;
    let retired = repo::retire_acknowledgements(tx.conn(), doc.id).await?;
    trail::record(
        &mut tx,
        &Who::from(actor),
        change("document.withdraw", &doc)
            .before(serde_json::json!({"status": doc.status}))
            .after(serde_json::json!({"status": "withdrawn", "reason": reason, "pending_acknowledgements_retired": retired})),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// The line differences between two versions of the same document.
pub async fn diff(
    db: &Db,
    actor: &Actor,
    id: i64,
    from: i64,
    to: i64,
) -> Result<VersionDiff, Error> {
    let mut conn = db.pool().acquire().await?;
    let doc = visible(&mut conn, actor, id).await?;
    let old = diff_side(&mut conn, actor, &doc, "from", from).await?;
    let new = diff_side(&mut conn, actor, &doc, "to", to).await?;
    let old_text = repo::version_content(&mut conn, old.id).await?;
    let new_text = repo::version_content(&mut conn, new.id).await?;
    let lines = diff::line_diff(&old_text, &new_text);
    Ok(VersionDiff {
        document_id: doc.id,
        document_code: doc.code.clone(),
        from: old.summary(),
        to: new.summary(),
        added: lines.iter().filter(|l| l.kind == "added").count() as i64,
        removed: lines.iter().filter(|l| l.kind == "removed").count() as i64,
        lines,
    })
}

/// One side of a diff: a version of this document the caller may read.
async fn diff_side(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    doc: &DocRow,
    field: &str,
    version_id: i64,
) -> Result<VersionRow, Error> {
    match repo::find_version(conn, version_id).await? {
        Some(row) if row.document_id == doc.id => {
            visible_version(conn, actor, doc, version_id).await
        }
        Some(row) => {
            // Say "another document" only about a document the caller may see.
            visible(conn, actor, row.document_id).await?;
            Err(Error::invalid_field(
                field,
                format!(
                    "Version {version_id} belongs to another document; compare two versions of {}.",
                    doc.code
                ),
            ))
        }
        None => Err(Error::invalid_field(
            field,
            format!("There is no version with id {version_id}."),
        )),
    }
}

/// The caller's own acknowledgement tasks: pending first, then recently done.
pub async fn my_acknowledgements(db: &Db, actor: &Actor) -> Result<Vec<Acknowledgement>, Error> {
    let mut conn = db.pool().acquire().await?;
    let today = today();
    let rows = repo::acknowledgements_of(&mut conn, actor.id()).await?;
    Ok(rows
        .iter()
        .map(|r| r.acknowledgement(due_in(r, today)))
        .collect())
}

fn due_in(row: &repo::AckRow, today: NaiveDate) -> Option<i64> {
    (row.status == "pending")
        .then(|| review::parse_date(&row.due_date).map(|due| review::days_until(due, today)))
        .flatten()
}

/// Confirms that the caller has read the version: only their own, pending task.
#[tracing::instrument(skip_all, fields(actor = actor.id(), acknowledgement_id = id))]
pub async fn acknowledge(db: &Db, actor: &Actor, id: i64) -> Result<Acknowledgement, Error> {
    let mut tx = db.begin_write().await?;
    let missing = || Error::NotFound(format!("You have no acknowledgement task with id {id}."));
    let row = repo::find_acknowledgement(tx.conn(), id)
        .await?
        .filter(|r| r.user_id == actor.id())
        .ok_or_else(missing)?;
    match row.status.as_str() {
        "done" => {
            return Err(Error::Conflict(format!(
                "You already acknowledged version {} of {}.",
                row.version_number, row.document_code
            )))
        }
        "superseded" => {
            return Err(Error::Conflict(format!(
                "Version {} of {} is no longer in force; acknowledge the current version instead.",
                row.version_number, row.document_code
            )))
        }
        _ => {}
    }
    let now = now_text();
    if !repo::acknowledge(tx.conn(), id, &now).await? {
        return Err(Error::Conflict(
            "This task changed just now; reload and try again.".into(),
        ));
    }
    trail::record(
        &mut tx,
        &Who::from(actor),
        Change::new("acknowledgement.acknowledge", "acknowledgement", id)
            .site(Some(row.site_code.clone()), Some(row.region_code.clone()))
            .after(serde_json::json!({"document": row.document_code, "version": row.version_number, "acknowledged_at": now})),
    )
    .await?;
    let done = repo::find_acknowledgement(tx.conn(), id)
        .await?
        .ok_or_else(missing)?;
    tx.commit().await?;
    Ok(done.acknowledgement(None))
}

/// Who has acknowledged the version in force, per site, within the caller's scope.
pub async fn acknowledgement_status(
    db: &Db,
    actor: &Actor,
    id: i64,
) -> Result<AcknowledgementStatus, Error> {
    let mut conn = db.pool().acquire().await?;
    let doc = visible(&mut conn, actor, id).await?;
    if !access::can_see_acknowledgements(&caller(actor)) {
        return Err(forbidden("see who has acknowledged documents"));
    }
    let Some(version_id) = doc.effective_version_id else {
        return Ok(AcknowledgementStatus {
            document_id: doc.id,
            version_number: None,
            sites: Vec::new(),
            tasks: Vec::new(),
        });
    };
    let rows =
        repo::version_acknowledgements(&mut conn, version_id, &ScopeFilter::of(&actor.user.scope))
            .await?;
    let names = repo::site_names(&mut conn).await?;
    let today = today();
    Ok(AcknowledgementStatus {
        document_id: doc.id,
        version_number: doc.effective_number,
        sites: repo::completion_by_site(&rows, &names, &review::date_text(today)),
        tasks: rows
            .iter()
            .map(|r| r.acknowledgement(due_in(r, today)))
            .collect(),
    })
}

/// People who may be named approver of a new document.
pub async fn approver_options(db: &Db, actor: &Actor) -> Result<Vec<ApproverOption>, Error> {
    if !matches!(
        actor.user.role,
        Role::Admin | Role::QualityOfficer | Role::SiteLead
    ) {
        return Err(forbidden("create documents"));
    }
    let mut conn = db.pool().acquire().await?;
    Ok(repo::approver_candidates(&mut conn)
        .await?
        .into_iter()
        .filter_map(|(id, name, role)| {
            Role::parse(&role).map(|role| ApproverOption { id, name, role })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(name: &str, bytes: &[u8]) -> Upload {
        Upload {
            name: name.into(),
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn a_pdf_is_recognised_by_its_content_and_name() {
        let info =
            check_upload(&upload("C:\\fakepath\\LAB-SOP-012.pdf", b"%PDF-1.7\n...")).unwrap();
        assert_eq!(info.name, "LAB-SOP-012.pdf");
        assert_eq!(info.media_type, PDF);
        assert_eq!(info.size, 12);
    }

    #[test]
    fn a_renamed_executable_is_refused() {
        assert!(check_upload(&upload("sop.pdf", b"MZ\x90\x00")).is_err());
        assert!(check_upload(&upload("sop.exe", b"%PDF-1.7")).is_err());
        assert!(check_upload(&upload("sop.docx", b"PK\x03\x04rest")).is_ok());
    }

    #[test]
    fn oversized_and_empty_files_are_refused() {
        assert!(check_upload(&upload("a.pdf", b"")).is_err());
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_FILE_BYTES + 1, b' ');
        let error = check_upload(&upload("a.pdf", &big)).unwrap_err();
        assert!(error.to_string().contains("field"), "{error}");
    }

    #[test]
    fn codes_are_upper_case_letters_digits_and_hyphens() {
        assert_eq!(check_code(" lab-sop-012 ").unwrap(), "LAB-SOP-012");
        assert!(check_code("LAB SOP").is_err());
        assert!(check_code("-LAB").is_err());
    }

    #[test]
    fn tags_are_trimmed_lower_case_and_unique() {
        assert_eq!(clean_tags(Some("TB, microscopy,tb,, ")), "microscopy,tb");
    }
}
