//! Checklist templates as exchanged in JSON (the format of the seed files): parsing with the
//! path of the first bad element, and the rules a template must meet.

use serde::{Deserialize, Serialize};

/// A checklist template: sections of weighted items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateDefinition {
    pub code: String,
    /// Ignored on import (the server numbers versions); present on export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    pub title: String,
    /// A note on how the template is scored (informative).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scoring: String,
    pub sections: Vec<SectionDefinition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionDefinition {
    pub title: String,
    pub items: Vec<ItemDefinition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemDefinition {
    pub text: String,
    pub weight: i64,
    #[serde(default)]
    pub clause: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub guidance: String,
}

/// What is wrong with a template, and where (`sections[2].items[0].weight`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Parses and checks a template; the error names the first bad element by its path.
pub fn parse(json: &str) -> Result<TemplateDefinition, TemplateError> {
    let deserializer = &mut serde_json::Deserializer::from_str(json);
    let template: TemplateDefinition =
        serde_path_to_error::deserialize(deserializer).map_err(|error| {
            let path = error.path().to_string();
            TemplateError {
                path: if path == "." {
                    "(document)".into()
                } else {
                    path
                },
                message: error.inner().to_string(),
            }
        })?;
    check(&template)?;
    Ok(template)
}

/// The rules a template must meet beyond its shape.
pub fn check(template: &TemplateDefinition) -> Result<(), TemplateError> {
    let fail = |path: String, message: &str| {
        Err(TemplateError {
            path,
            message: message.into(),
        })
    };
    let code = template.code.trim();
    if code.is_empty()
        || code.len() > 40
        || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return fail(
            "code".into(),
            "use 1 to 40 letters, digits and hyphens, e.g. LAB-QMS",
        );
    }
    if template.title.trim().is_empty() {
        return fail("title".into(), "the template needs a title");
    }
    if template.sections.is_empty() {
        return fail("sections".into(), "a template needs at least one section");
    }
    for (s, section) in template.sections.iter().enumerate() {
        if section.title.trim().is_empty() {
            return fail(
                format!("sections[{s}].title"),
                "every section needs a title",
            );
        }
        if section.items.is_empty() {
            return fail(
                format!("sections[{s}].items"),
                "every section needs at least one item",
            );
        }
        for (i, item) in section.items.iter().enumerate() {
            if item.text.trim().is_empty() {
                return fail(
                    format!("sections[{s}].items[{i}].text"),
                    "every item needs its text",
                );
            }
            if !(1..=100).contains(&item.weight) {
                return fail(
                    format!("sections[{s}].items[{i}].weight"),
                    "a weight is a whole number from 1 to 100",
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAB: &str = include_str!("../seed/data/checklists/lab-qms.json");

    #[test]
    fn the_seed_templates_parse() {
        let lab = parse(LAB).unwrap();
        assert_eq!(lab.code, "LAB-QMS");
        assert_eq!(lab.sections.len(), 12);
        let rad = parse(include_str!("../seed/data/checklists/rad-qa.json")).unwrap();
        assert_eq!(rad.sections.len(), 6);
    }

    #[test]
    fn a_zero_weight_is_reported_with_its_path() {
        let mut lab = parse(LAB).unwrap();
        lab.sections[2].items[1].weight = 0;
        let error = check(&lab).unwrap_err();
        assert_eq!(error.path, "sections[2].items[1].weight");
        lab.sections[2].items[1].weight = -3;
        assert_eq!(check(&lab).unwrap_err().path, "sections[2].items[1].weight");
    }

    #[test]
    fn malformed_json_names_the_bad_element() {
        let bad = r#"{"code":"X","title":"T","sections":[{"title":"S","items":[{"text":"a","weight":"heavy"}]}]}"#;
        let error = parse(bad).unwrap_err();
        assert_eq!(error.path, "sections[0].items[0].weight", "{error}");
        let unknown = r#"{"code":"X","title":"T","sections":[],"colour":"red"}"#;
        assert!(parse(unknown).unwrap_err().message.contains("colour"));
    }

    #[test]
    fn export_round_trips() {
        let lab = parse(LAB).unwrap();
        let again = parse(&serde_json::to_string(&lab).unwrap()).unwrap();
        assert_eq!(lab, again);
    }
}
