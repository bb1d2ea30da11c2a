//! The version lifecycle: draft → in review → approved → effective → superseded, with a way back
//! from review to draft. One function decides every transition; the services only ask it.

use app::model::documents::VersionState;

/// Something done to a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionAction {
    Submit,
    ReturnToDraft,
    Approve,
    MakeEffective,
    Supersede,
}

impl VersionAction {
    pub const ALL: [VersionAction; 5] = [
        VersionAction::Submit,
        VersionAction::ReturnToDraft,
        VersionAction::Approve,
        VersionAction::MakeEffective,
        VersionAction::Supersede,
    ];

    /// The name used in API paths and messages.
    pub fn name(self) -> &'static str {
        match self {
            VersionAction::Submit => "submit",
            VersionAction::ReturnToDraft => "return",
            VersionAction::Approve => "approve",
            VersionAction::MakeEffective => "make-effective",
            VersionAction::Supersede => "supersede",
        }
    }
}

/// A transition the lifecycle does not allow, with what is allowed instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IllegalTransition {
    pub from: VersionState,
    pub action: VersionAction,
}

impl IllegalTransition {
    /// "This version is draft; 'approve' is not possible. Possible now: submit."
    pub fn message(&self) -> String {
        let allowed: Vec<&str> = allowed_actions(self.from)
            .into_iter()
            .filter(|a| *a != VersionAction::Supersede)
            .map(VersionAction::name)
            .collect();
        let allowed = if allowed.is_empty() {
            "nothing (it is final)".to_string()
        } else {
            allowed.join(", ")
        };
        format!(
            "This version is {}; '{}' is not possible. Possible now: {allowed}.",
            self.from.label().to_lowercase(),
            self.action.name()
        )
    }
}

/// The state a version moves to, or why it cannot.
pub fn transition(
    from: VersionState,
    action: VersionAction,
) -> Result<VersionState, IllegalTransition> {
    use VersionAction as A;
    use VersionState as S;
    match (from, action) {
        (S::Draft, A::Submit) => Ok(S::InReview),
        (S::InReview, A::ReturnToDraft) | (S::Approved, A::ReturnToDraft) => Ok(S::Draft),
        (S::InReview, A::Approve) => Ok(S::Approved),
        (S::Approved, A::MakeEffective) => Ok(S::Effective),
        (S::Effective, A::Supersede) => Ok(S::Superseded),
        _ => Err(IllegalTransition { from, action }),
    }
}

/// Every action allowed from a state.
pub fn allowed_actions(from: VersionState) -> Vec<VersionAction> {
    VersionAction::ALL
        .into_iter()
        .filter(|action| transition(from, *action).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use VersionAction as A;
    use VersionState as S;

    #[test]
    fn the_happy_path_runs_from_draft_to_superseded() {
        let mut state = S::Draft;
        for (action, expected) in [
            (A::Submit, S::InReview),
            (A::Approve, S::Approved),
            (A::MakeEffective, S::Effective),
            (A::Supersede, S::Superseded),
        ] {
            state = transition(state, action).unwrap();
            assert_eq!(state, expected);
        }
    }

    #[test]
    fn a_version_under_review_or_approved_can_go_back_to_draft() {
        assert_eq!(transition(S::InReview, A::ReturnToDraft), Ok(S::Draft));
        assert_eq!(transition(S::Approved, A::ReturnToDraft), Ok(S::Draft));
    }

    #[test]
    fn exactly_six_transitions_are_legal() {
        let legal: Vec<(S, A)> = S::ALL
            .into_iter()
            .flat_map(|s| A::ALL.into_iter().map(move |a| (s, a)))
            .filter(|(s, a)| transition(*s, *a).is_ok())
            .collect();
        assert_eq!(
            legal,
            vec![
                (S::Draft, A::Submit),
                (S::InReview, A::ReturnToDraft),
                (S::InReview, A::Approve),
                (S::Approved, A::ReturnToDraft),
                (S::Approved, A::MakeEffective),
                (S::Effective, A::Supersede),
            ]
        );
    }

    #[test]
    fn a_draft_cannot_be_made_effective_or_approved() {
        assert!(transition(S::Draft, A::MakeEffective).is_err());
        assert!(transition(S::Draft, A::Approve).is_err());
        assert!(transition(S::InReview, A::MakeEffective).is_err());
    }

    #[test]
    fn a_superseded_version_is_final() {
        assert!(allowed_actions(S::Superseded).is_empty());
    }

    #[test]
    fn an_illegal_transition_names_the_state_and_what_is_possible() {
        let error = transition(S::Draft, A::MakeEffective).unwrap_err();
        assert_eq!(
            error.message(),
            "This version is draft; 'make-effective' is not possible. Possible now: submit."
        );
        let error = transition(S::Superseded, A::Submit).unwrap_err();
        assert!(error
            .message()
            .ends_with("Possible now: nothing (it is final)."));
    }
}
