//! Server functions for PT/EQA and radiology QC.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::model::pt::{
    Event, EventQuery, EventResults, EventSummary, ImportMode, ImportReport, QcMetrics, QcQuery,
    ResultInput, Scheme, SiteHistory, SubmitResults,
};
use crate::model::users::Page;

// Called from code with optional filters: JSON keeps `None` as `None`.
#[server(prefix = "/rpc", endpoint = "pt/events", input = Json)]
pub async fn list_pt_events(query: EventQuery) -> Result<Page<EventSummary>, AppError> {
    crate::backend::backend()?.pt_events(query).await
}

#[server(prefix = "/rpc", endpoint = "pt/schemes")]
pub async fn list_pt_schemes() -> Result<Vec<Scheme>, AppError> {
    crate::backend::backend()?.pt_schemes().await
}

#[server(prefix = "/rpc", endpoint = "pt/event")]
pub async fn get_pt_event(id: i64) -> Result<Event, AppError> {
    crate::backend::backend()?.pt_event(id).await
}

#[server(prefix = "/rpc", endpoint = "pt/event/results")]
pub async fn get_pt_results(id: i64) -> Result<EventResults, AppError> {
    crate::backend::backend()?.pt_results(id).await
}

/// One row of the results form, as typed (numbers are checked on the server).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResultRow {
    pub challenge_id: i64,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub u: String,
    #[serde(default)]
    pub expanded: String,
}

/// The results form: the site, its rows, and the reason when late.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResultsForm {
    #[serde(default)]
    pub site: String,
    #[serde(default)]
    pub late_reason: String,
    /// "true" when correcting results already entered.
    #[serde(default)]
    pub replace: String,
    #[serde(default)]
    pub results: Vec<ResultRow>,
}

/// Turns the typed form into a submission; an uncertainty that is not a number is a field
/// error. Rows left empty are not sent.
pub fn submission(form: ResultsForm) -> Result<SubmitResults, AppError> {
    let mut fields = Vec::new();
    let mut results = Vec::new();
    for (i, row) in form.results.into_iter().enumerate() {
        if row.value.trim().is_empty() {
            continue;
        }
        let mut number = |name: &str, text: &str| -> Option<f64> {
            let t = text.trim();
            if t.is_empty() {
                return None;
            }
            match t.parse::<f64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    fields.push((
                        format!("results[{i}].{name}"),
                        format!("'{t}' is not a number."),
                    ));
                    None
                }
            }
        };
        let u = number("u", &row.u);
        let expanded = number("expanded", &row.expanded);
        results.push(ResultInput {
            challenge_id: row.challenge_id,
            value: row.value,
            unit: String::new(),
            u,
            expanded,
        });
    }
    if !fields.is_empty() {
        return Err(AppError::Invalid {
            message: "Please correct the fields marked.".into(),
            fields,
        });
    }
    if results.is_empty() {
        return Err(AppError::Invalid {
            message: "Enter at least one result.".into(),
            fields: vec![("results".into(), "Enter at least one result.".into())],
        });
    }
    let reason = form.late_reason.trim().to_string();
    Ok(SubmitResults {
        site: form.site,
        results,
        late_reason: (!reason.is_empty()).then_some(reason),
        replace: form.replace == "true",
    })
}

#[server(prefix = "/rpc", endpoint = "pt/event/submit")]
pub async fn submit_pt_results(id: i64, form: ResultsForm) -> Result<EventResults, AppError> {
    let results = crate::backend::backend()?
        .submit_pt_results(id, submission(form)?)
        .await?;
    crate::pages::redirect_plain_form(&format!("/pt/events/{id}?entered=1"));
    Ok(results)
}

#[server(prefix = "/rpc", endpoint = "pt/event/import")]
pub async fn import_pt_results(
    id: i64,
    csv: String,
    #[server(default)] valid_rows: String,
    #[server(default)] replace: String,
    #[server(default)] late_reason: String,
) -> Result<ImportReport, AppError> {
    let mode = if valid_rows == "true" {
        ImportMode::ValidRows
    } else {
        ImportMode::AllOrNothing
    };
    let reason = late_reason.trim().to_string();
    crate::backend::backend()?
        .import_pt_results(
            id,
            csv,
            mode,
            (!reason.is_empty()).then_some(reason),
            replace == "true",
        )
        .await
}

#[server(prefix = "/rpc", endpoint = "pt/event/close")]
pub async fn close_pt_event(id: i64) -> Result<Event, AppError> {
    let event = crate::backend::backend()?.close_pt_event(id).await?;
    crate::pages::redirect_plain_form(&format!("/pt/events/{id}"));
    Ok(event)
}

#[server(prefix = "/rpc", endpoint = "pt/event/score")]
pub async fn score_pt_event(id: i64) -> Result<Event, AppError> {
    let event = crate::backend::backend()?.score_pt_event(id).await?;
    crate::pages::redirect_plain_form(&format!("/pt/events/{id}"));
    Ok(event)
}

#[server(prefix = "/rpc", endpoint = "pt/site")]
pub async fn pt_site_history(code: String) -> Result<SiteHistory, AppError> {
    crate::backend::backend()?.pt_site_history(code).await
}

#[server(prefix = "/rpc", endpoint = "pt/radiology", input = Json)]
pub async fn radiology_metrics(query: QcQuery) -> Result<QcMetrics, AppError> {
    crate::backend::backend()?.radiology_metrics(query).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_rows_are_skipped_and_bad_uncertainties_named() {
        let form = ResultsForm {
            site: "KEN-NBO".into(),
            late_reason: " ".into(),
            replace: "true".into(),
            results: vec![
                ResultRow {
                    challenge_id: 1,
                    value: "12.9".into(),
                    u: "0.5".into(),
                    expanded: String::new(),
                },
                ResultRow {
                    challenge_id: 2,
                    value: String::new(),
                    ..ResultRow::default()
                },
            ],
        };
        let s = submission(form.clone()).unwrap();
        assert_eq!(s.results.len(), 1);
        assert_eq!(s.results[0].u, Some(0.5));
        assert!(s.replace);
        assert_eq!(s.late_reason, None);
        let mut bad = form;
        bad.results[0].u = "half".into();
        let error = submission(bad).unwrap_err();
        assert_eq!(
            error.field("results[0].u").as_deref(),
            Some("'half' is not a number.")
        );
    }
}
