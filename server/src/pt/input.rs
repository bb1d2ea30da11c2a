//! Checking reported results, from the form, the API or a CSV file: each value against its
//! challenge (a number with the right unit, an allowed category, a titre, a smear grade), and
//! the CSV file's rows with errors by line and column.

use app::model::pt::{Discipline, ResultType, RowError};

/// What a challenge demands of a result.
#[derive(Debug, Clone, PartialEq)]
pub struct Demand<'a> {
    pub result_type: ResultType,
    pub discipline: Discipline,
    pub unit: &'a str,
}

/// A value that passed its checks.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedValue {
    /// As stored: the number as typed, or the category in its canonical spelling.
    pub value: String,
    pub numeric: Option<f64>,
}

/// A failed check: the column (field) and a message for people.
pub type Problem = (&'static str, String);

/// Checks one reported value (and unit) against what the challenge demands.
pub fn check_value(d: &Demand<'_>, value: &str, unit: &str) -> Result<CheckedValue, Problem> {
    let value = value.trim();
    if value.is_empty() {
        return Err(("value", "Enter the result.".into()));
    }
    match d.result_type {
        ResultType::Quantitative => {
            let numeric: f64 = value
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite())
                .ok_or_else(|| {
                    (
                        "value",
                        format!(
                            "'{value}' is not a number; write it like 12.9 (a point for decimals)."
                        ),
                    )
                })?;
            let unit = unit.trim();
            if !unit.is_empty() && !unit.eq_ignore_ascii_case(d.unit) {
                return Err((
                    "unit",
                    format!(
                        "The unit '{unit}' does not match this sample's unit '{}'.",
                        d.unit
                    ),
                ));
            }
            Ok(CheckedValue {
                value: value.to_string(),
                numeric: Some(numeric),
            })
        }
        ResultType::Titre => {
            let lower = value.to_ascii_lowercase();
            if matches!(lower.as_str(), "non-reactive" | "nonreactive" | "negative") {
                return Ok(CheckedValue {
                    value: "non-reactive".into(),
                    numeric: None,
                });
            }
            match super::scoring::titre_steps(value) {
                Some(steps) => Ok(CheckedValue {
                    value: format!("1:{}", 1u64 << steps),
                    numeric: None,
                }),
                None => Err((
                    "value",
                    format!("'{value}' is not a titre; write it like 1:16 (two-fold dilutions), or non-reactive."),
                )),
            }
        }
        _ => {
            let allowed = d.result_type.categories(d.discipline);
            let lower = value.to_ascii_lowercase();
            let alias = match lower.as_str() {
                "r" => "resistant",
                "s" => "susceptible",
                "neg" => "negative",
                "nonreactive" | "non reactive" => "non-reactive",
                other => other,
            };
            match allowed.iter().find(|a| a.eq_ignore_ascii_case(alias)) {
                Some(a) => Ok(CheckedValue {
                    value: (*a).to_string(),
                    numeric: None,
                }),
                None => Err((
                    "value",
                    format!(
                        "'{value}' is not an allowed answer; use one of: {}.",
                        allowed.join(", ")
                    ),
                )),
            }
        }
    }
}

/// An uncertainty: empty, or a number ≥ 0.
pub fn check_uncertainty(column: &'static str, text: &str) -> Result<Option<f64>, Problem> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 0.0 => Ok(Some(n)),
        _ => Err((
            column,
            format!("'{t}' is not an uncertainty; give a number of 0 or more."),
        )),
    }
}

/// The columns of the results CSV, in the template's order.
pub const COLUMNS: [&str; 7] = [
    "site", "sample", "analyte", "value", "unit", "u", "expanded",
];

/// One data row of a results CSV, as text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CsvRow {
    /// The line in the file (the header is line 1).
    pub line: i64,
    pub site: String,
    pub sample: String,
    pub analyte: String,
    pub value: String,
    pub unit: String,
    pub u: String,
    pub expanded: String,
}

/// Reads a results CSV. Header names are matched without regard to case or order; `site`,
/// `sample` and `value` are required, the others optional. Errors name the line and column.
pub fn parse_csv(text: &str) -> Result<Vec<CsvRow>, Vec<RowError>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|h| h.to_ascii_lowercase()).collect(),
        Err(e) => {
            return Err(vec![RowError {
                line: 1,
                column: String::new(),
                message: format!("The file could not be read as CSV: {e}."),
            }])
        }
    };
    let position = |name: &str| headers.iter().position(|h| h == name);
    let missing: Vec<RowError> = ["site", "sample", "value"]
        .iter()
        .filter(|c| position(c).is_none())
        .map(|c| RowError {
            line: 1,
            column: (*c).to_string(),
            message: format!(
                "The header has no '{c}' column; download the template for the expected columns."
            ),
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as i64 + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError {
                    line,
                    column: String::new(),
                    message: format!("This line could not be read: {e}."),
                });
                continue;
            }
        };
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        let field = |name: &str| {
            position(name)
                .and_then(|p| record.get(p))
                .unwrap_or("")
                .to_string()
        };
        rows.push(CsvRow {
            line,
            site: field("site"),
            sample: field("sample"),
            analyte: field("analyte"),
            value: field("value"),
            unit: field("unit"),
            u: field("u"),
            expanded: field("expanded"),
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quantitative() -> Demand<'static> {
        Demand {
            result_type: ResultType::Quantitative,
            discipline: Discipline::HepatitisB,
            unit: "IU/mL",
        }
    }

    #[test]
    fn numbers_must_be_numbers_in_the_samples_unit() {
        let d = quantitative();
        assert_eq!(check_value(&d, " 12.9 ", "").unwrap().numeric, Some(12.9));
        assert_eq!(
            check_value(&d, "12.9", "iu/ml").unwrap().numeric,
            Some(12.9)
        );
        let (column, message) = check_value(&d, "12,9", "").unwrap_err();
        assert_eq!(column, "value");
        assert!(message.contains("not a number"), "{message}");
        let (column, message) = check_value(&d, "12.9", "mg/L").unwrap_err();
        assert_eq!(column, "unit");
        assert!(message.contains("'IU/mL'"), "{message}");
        assert_eq!(check_value(&d, "", "").unwrap_err().0, "value");
        assert!(check_value(&d, "NaN", "").is_err());
    }

    #[test]
    fn categories_titres_and_grades_are_spelled_one_way() {
        let hiv = Demand {
            result_type: ResultType::Qualitative,
            discipline: Discipline::Hiv,
            unit: "",
        };
        assert_eq!(check_value(&hiv, "Reactive", "").unwrap().value, "reactive");
        assert_eq!(
            check_value(&hiv, "nonreactive", "").unwrap().value,
            "non-reactive"
        );
        let (_, message) = check_value(&hiv, "positive", "").unwrap_err();
        assert!(
            message.contains("reactive, non-reactive, indeterminate"),
            "{message}"
        );
        let titre = Demand {
            result_type: ResultType::Titre,
            ..hiv.clone()
        };
        assert_eq!(check_value(&titre, "16", "").unwrap().value, "1:16");
        assert!(check_value(&titre, "1:12", "").is_err());
        let dst = Demand {
            result_type: ResultType::DstPanel,
            ..hiv
        };
        assert_eq!(check_value(&dst, "R", "").unwrap().value, "resistant");
    }

    #[test]
    fn the_csv_reader_reports_lines_and_columns() {
        let rows = parse_csv(
            "\u{feff}Site,Sample,Analyte,Value,Unit\nKEN-NBO,S-01,HBsAg,12.9,IU/mL\n,,,,\nKEN-NBO,S-02,HBsAg,abc,\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].line, 4, "the blank line still counts");
        assert_eq!(rows[1].value, "abc");
        let errors = parse_csv("site,value\nKEN-NBO,1\n").unwrap_err();
        assert_eq!(errors[0].column, "sample");
        assert_eq!(check_uncertainty("u", "-1").unwrap_err().0, "u");
        assert_eq!(check_uncertainty("u", "").unwrap(), None);
    }
}
