//! Server functions for PT/EQA and radiology QC.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::model::pt::{
    Challenge, ChallengeUpdate, Discipline, Event, EventQuery, EventResults, EventSummary,
    ImportReport, NewChallenge, NewEvent, NewScheme, QcMetrics, QcQuery, ResultInput, ResultType,
    Scheme, SchemeUpdate, ScoreMethod, SiteHistory, SubmitResults,
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
    crate::pages::redirect_after_form(&format!("/pt/events/{id}?entered=1"));
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
    use crate::model::pt::ImportMode;
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

/// A number typed into a form: empty is none; anything else must parse.
fn typed_number(fields: &mut Vec<(String, String)>, field: String, text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<f64>() {
        Ok(n) if n.is_finite() => Some(n),
        _ => {
            fields.push((field, format!("'{t}' is not a number; write it like 12.5.")));
            None
        }
    }
}

fn invalid(fields: Vec<(String, String)>) -> AppError {
    AppError::Invalid {
        message: "Please correct the fields marked.".into(),
        fields,
    }
}

/// The new-scheme form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SchemeForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub discipline: String,
    #[serde(default)]
    pub result_type: String,
    #[serde(default)]
    pub events_per_year: String,
    /// Ticked site codes.
    #[serde(default)]
    pub sites: Vec<String>,
}

pub fn new_scheme(form: SchemeForm) -> Result<NewScheme, AppError> {
    let events_per_year = match form.events_per_year.trim() {
        "" => None,
        t => Some(t.parse::<i64>().map_err(|_| {
            invalid(vec![(
                "events_per_year".into(),
                "Give a whole number from 1 to 12.".into(),
            )])
        })?),
    };
    Ok(NewScheme {
        code: form.code,
        name: form.name,
        provider: form.provider,
        discipline: Discipline::parse(&form.discipline),
        result_type: ResultType::parse(&form.result_type),
        events_per_year,
        sites: form.sites,
    })
}

#[server(prefix = "/rpc", endpoint = "pt/schemes/create")]
pub async fn create_pt_scheme(#[server(default)] form: SchemeForm) -> Result<Scheme, AppError> {
    let scheme = crate::backend::backend()?
        .create_pt_scheme(new_scheme(form)?)
        .await?;
    crate::pages::redirect_after_form(&format!("/pt?tab=schemes&created={}", scheme.code));
    Ok(scheme)
}

#[server(prefix = "/rpc", endpoint = "pt/scheme")]
pub async fn get_pt_scheme(id: i64) -> Result<Scheme, AppError> {
    crate::backend::backend()?.pt_scheme(id).await
}

/// The scheme edit form, as typed: every field is sent, participants in full.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SchemeEditForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub events_per_year: String,
    #[serde(default)]
    pub status: String,
    /// Ticked site codes.
    #[serde(default)]
    pub sites: Vec<String>,
}

pub fn scheme_update(form: SchemeEditForm) -> Result<SchemeUpdate, AppError> {
    let events_per_year = form.events_per_year.trim().parse::<i64>().map_err(|_| {
        invalid(vec![(
            "events_per_year".into(),
            "Give a whole number from 1 to 12.".into(),
        )])
    })?;
    Ok(SchemeUpdate {
        name: Some(form.name),
        provider: Some(form.provider),
        events_per_year: Some(events_per_year),
        sites: Some(form.sites),
        status: Some(form.status),
    })
}

#[server(prefix = "/rpc", endpoint = "pt/schemes/update")]
pub async fn update_pt_scheme(
    id: i64,
    #[server(default)] form: SchemeEditForm,
) -> Result<Scheme, AppError> {
    let scheme = crate::backend::backend()?
        .update_pt_scheme(id, scheme_update(form)?)
        .await?;
    crate::pages::redirect_after_form(&format!("/pt?tab=schemes&updated={}", scheme.code));
    Ok(scheme)
}

/// One challenge row of the new-event form, as typed; rows without a sample id are unused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChallengeRow {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub analyte: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub assigned_value: String,
    #[serde(default)]
    pub sigma_pt: String,
    #[serde(default)]
    pub u_assigned: String,
    #[serde(default)]
    pub expanded_assigned: String,
    #[serde(default)]
    pub consensus: String,
    #[serde(default)]
    pub expected: String,
}

/// The new-event form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventForm {
    #[serde(default)]
    pub scheme: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub dispatch_date: String,
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub challenges: Vec<ChallengeRow>,
}

pub fn new_event(form: EventForm) -> Result<NewEvent, AppError> {
    let mut fields = Vec::new();
    let mut challenges = Vec::new();
    for (i, row) in form.challenges.into_iter().enumerate() {
        if row.code.trim().is_empty() && row.analyte.trim().is_empty() {
            continue;
        }
        let f = |name: &str| format!("challenges[{i}].{name}");
        let expected = row.expected.trim().to_string();
        challenges.push(NewChallenge {
            assigned_value: typed_number(&mut fields, f("assigned_value"), &row.assigned_value),
            sigma_pt: typed_number(&mut fields, f("sigma_pt"), &row.sigma_pt),
            u_assigned: typed_number(&mut fields, f("u_assigned"), &row.u_assigned),
            expanded_assigned: typed_number(
                &mut fields,
                f("expanded_assigned"),
                &row.expanded_assigned,
            ),
            consensus: row.consensus == "true",
            method: ScoreMethod::parse(row.method.trim()),
            expected: (!expected.is_empty()).then_some(expected),
            code: row.code,
            analyte: row.analyte,
            unit: row.unit,
        });
    }
    if !fields.is_empty() {
        return Err(invalid(fields));
    }
    Ok(NewEvent {
        scheme: form.scheme,
        code: form.code,
        dispatch_date: form.dispatch_date,
        deadline: form.deadline,
        challenges,
    })
}

#[server(prefix = "/rpc", endpoint = "pt/events/create")]
pub async fn create_pt_event(#[server(default)] form: EventForm) -> Result<Event, AppError> {
    let event = crate::backend::backend()?
        .create_pt_event(new_event(form)?)
        .await?;
    crate::pages::redirect_after_form(&format!("/pt/events/{}", event.summary.id));
    Ok(event)
}

/// A challenge's assigned value, σpt, uncertainties or expected answer, as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChallengeValuesForm {
    #[serde(default)]
    pub assigned_value: String,
    #[serde(default)]
    pub sigma_pt: String,
    #[serde(default)]
    pub u_assigned: String,
    #[serde(default)]
    pub expanded_assigned: String,
    #[serde(default)]
    pub expected: String,
}

pub fn challenge_update(form: ChallengeValuesForm) -> Result<ChallengeUpdate, AppError> {
    let mut fields = Vec::new();
    let update = ChallengeUpdate {
        assigned_value: typed_number(&mut fields, "assigned_value".into(), &form.assigned_value),
        sigma_pt: typed_number(&mut fields, "sigma_pt".into(), &form.sigma_pt),
        u_assigned: typed_number(&mut fields, "u_assigned".into(), &form.u_assigned),
        expanded_assigned: typed_number(
            &mut fields,
            "expanded_assigned".into(),
            &form.expanded_assigned,
        ),
        consensus: None,
        expected: Some(form.expected.trim().to_string()).filter(|e| !e.is_empty()),
    };
    if fields.is_empty() {
        Ok(update)
    } else {
        Err(invalid(fields))
    }
}

#[server(prefix = "/rpc", endpoint = "pt/challenges/update")]
pub async fn update_pt_challenge(
    event_id: i64,
    id: i64,
    #[server(default)] values: ChallengeValuesForm,
) -> Result<Challenge, AppError> {
    let challenge = crate::backend::backend()?
        .update_pt_challenge(id, challenge_update(values)?)
        .await?;
    crate::pages::redirect_plain_form(&format!("/pt/events/{event_id}#samples"));
    Ok(challenge)
}

#[server(prefix = "/rpc", endpoint = "pt/radiology/import")]
pub async fn import_qc_reads(
    csv: String,
    #[server(default)] valid_rows: String,
) -> Result<ImportReport, AppError> {
    use crate::model::pt::ImportMode;
    let mode = if valid_rows == "true" {
        ImportMode::ValidRows
    } else {
        ImportMode::AllOrNothing
    };
    crate::backend::backend()?.import_qc_reads(csv, mode).await
}

/// The radiology QC thresholds, as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ThresholdsForm {
    #[serde(default)]
    pub kappa_min: String,
    #[serde(default)]
    pub significant_max_percent: String,
    #[serde(default)]
    pub poor_image_max_percent: String,
}

pub fn thresholds(form: ThresholdsForm) -> Result<crate::model::pt::QcThresholds, AppError> {
    let mut fields = Vec::new();
    let mut required = |name: &str, text: &str| {
        typed_number(&mut fields, name.into(), text).unwrap_or_else(|| {
            if text.trim().is_empty() {
                fields.push((name.into(), "Give a number.".into()));
            }
            0.0
        })
    };
    let t = crate::model::pt::QcThresholds {
        kappa_min: required("kappa_min", &form.kappa_min),
        significant_max_percent: required("significant_max_percent", &form.significant_max_percent),
        poor_image_max_percent: required("poor_image_max_percent", &form.poor_image_max_percent),
    };
    if fields.is_empty() {
        Ok(t)
    } else {
        Err(invalid(fields))
    }
}

#[server(prefix = "/rpc", endpoint = "pt/radiology/thresholds")]
pub async fn set_qc_thresholds(
    #[server(default)] form: ThresholdsForm,
) -> Result<crate::model::pt::QcThresholds, AppError> {
    let saved = crate::backend::backend()?
        .set_qc_thresholds(thresholds(form)?)
        .await?;
    crate::pages::redirect_plain_form("/pt/radiology");
    Ok(saved)
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

    #[test]
    fn the_event_form_skips_empty_rows_and_names_bad_numbers() {
        let row = |code: &str, x: &str| ChallengeRow {
            code: code.into(),
            analyte: "HBsAg".into(),
            unit: "IU/mL".into(),
            assigned_value: x.into(),
            sigma_pt: "20".into(),
            ..ChallengeRow::default()
        };
        let form = EventForm {
            scheme: "HBV-QUANT".into(),
            challenges: vec![row("S-01", "250"), ChallengeRow::default(), row("S-03", "")],
            ..EventForm::default()
        };
        let event = new_event(form.clone()).unwrap();
        assert_eq!(event.challenges.len(), 2);
        assert_eq!(event.challenges[0].assigned_value, Some(250.0));
        assert_eq!(event.challenges[1].assigned_value, None);
        let mut bad = form;
        bad.challenges[2].assigned_value = "2 5 0".into();
        let error = new_event(bad).unwrap_err();
        assert!(error.field("challenges[2].assigned_value").is_some());
        let scheme = new_scheme(SchemeForm {
            events_per_year: "two".into(),
            ..SchemeForm::default()
        });
        assert!(scheme.unwrap_err().field("events_per_year").is_some());
    }
}
