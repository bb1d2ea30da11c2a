//! The audit lifecycle: planned → in progress → submitted → report issued → closed; planned or
//! in-progress audits can be cancelled (with a reason). One function decides every transition.

use app::model::audits::AuditState;

/// Something done to an audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    Start,
    Submit,
    IssueReport,
    Close,
    Cancel,
}

impl AuditAction {
    pub const ALL: [AuditAction; 5] = [
        AuditAction::Start,
        AuditAction::Submit,
        AuditAction::IssueReport,
        AuditAction::Close,
        AuditAction::Cancel,
    ];

    pub fn name(self) -> &'static str {
        match self {
            AuditAction::Start => "start",
            AuditAction::Submit => "submit",
            AuditAction::IssueReport => "issue-report",
            AuditAction::Close => "close",
            AuditAction::Cancel => "cancel",
        }
    }
}

/// The state an audit moves to, if the action is allowed.
fn next(from: AuditState, action: AuditAction) -> Option<AuditState> {
    use AuditAction as A;
    use AuditState as S;
    match (from, action) {
        (S::Planned, A::Start) => Some(S::InProgress),
        (S::InProgress, A::Submit) => Some(S::Submitted),
        (S::Submitted, A::IssueReport) => Some(S::ReportIssued),
        (S::ReportIssued, A::Close) => Some(S::Closed),
        (S::Planned | S::InProgress, A::Cancel) => Some(S::Cancelled),
        _ => None,
    }
}

/// The state an audit moves to, or a message naming its state and what is possible.
pub fn transition(from: AuditState, action: AuditAction) -> Result<AuditState, String> {
    next(from, action).ok_or_else(|| {
        let allowed: Vec<&str> = AuditAction::ALL
            .into_iter()
            .filter(|a| next(from, *a).is_some())
            .map(AuditAction::name)
            .collect();
        format!(
            "This audit is {}; '{}' is not possible. Possible now: {}.",
            from.label().to_lowercase(),
            action.name(),
            if allowed.is_empty() {
                "nothing (it is final)".to_string()
            } else {
                allowed.join(", ")
            }
        )
    })
}

/// Whether answers and findings may still change.
pub fn open_for_answers(state: AuditState) -> bool {
    matches!(state, AuditState::Planned | AuditState::InProgress)
}

/// Whether findings may still be raised or edited (until the report is issued).
pub fn open_for_findings(state: AuditState) -> bool {
    matches!(state, AuditState::InProgress | AuditState::Submitted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use AuditAction as A;
    use AuditState as S;

    #[test]
    fn exactly_six_transitions_are_legal() {
        let legal: Vec<(S, A)> = S::ALL
            .iter()
            .flat_map(|s| A::ALL.into_iter().map(move |a| (*s, a)))
            .filter(|(s, a)| transition(*s, *a).is_ok())
            .collect();
        assert_eq!(
            legal,
            vec![
                (S::Planned, A::Start),
                (S::Planned, A::Cancel),
                (S::InProgress, A::Submit),
                (S::InProgress, A::Cancel),
                (S::Submitted, A::IssueReport),
                (S::ReportIssued, A::Close),
            ]
        );
    }

    #[test]
    fn a_submitted_audit_cannot_be_cancelled_and_says_what_is_possible() {
        assert_eq!(
            transition(S::Submitted, A::Cancel).unwrap_err(),
            "This audit is submitted; 'cancel' is not possible. Possible now: issue-report."
        );
        assert!(transition(S::Closed, A::Start)
            .unwrap_err()
            .ends_with("nothing (it is final)."));
    }

    #[test]
    fn answers_close_at_submission_and_findings_at_the_report() {
        assert!(open_for_answers(S::InProgress));
        assert!(!open_for_answers(S::Submitted));
        assert!(open_for_findings(S::Submitted));
        assert!(!open_for_findings(S::ReportIssued));
    }
}
