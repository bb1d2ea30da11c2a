//! The CAPA lifecycle as one function: which step is legal in which state, and where it leads.
//!
//! open → containment → root cause → action plan → plan approved → implementing → effectiveness
//! check → closed. The root-cause analysis may be revised until the plan is submitted; a
//! returned plan goes back to root cause; an ineffective check reopens at root cause.
//! Rejecting is possible until the plan is approved, cancelling until the CAPA is final.

use app::model::capa::{CapaState, CapaStep, Verdict};

/// The state a step leads to, if it is legal. `verify` keeps the CAPA in its effectiveness check
/// (see [`after_verdict`] for where the verdict sends it).
fn next(from: CapaState, step: CapaStep) -> Option<CapaState> {
    use CapaState as S;
    use CapaStep as A;
    match (from, step) {
        (S::Open, A::Contain) => Some(S::Containment),
        (S::Containment | S::RootCause, A::RootCause) => Some(S::RootCause),
        (S::RootCause, A::SubmitPlan) => Some(S::ActionPlan),
        (S::ActionPlan, A::ApprovePlan) => Some(S::PlanApproved),
        (S::ActionPlan, A::ReturnPlan) => Some(S::RootCause),
        (S::PlanApproved, A::Start) => Some(S::Implementing),
        (S::Implementing, A::Complete) => Some(S::EffectivenessCheck),
        (S::EffectivenessCheck, A::Verify) => Some(S::EffectivenessCheck),
        (S::EffectivenessCheck, A::Close) => Some(S::Closed),
        (S::Open | S::Containment | S::RootCause | S::ActionPlan, A::Reject) => Some(S::Rejected),
        (s, A::Cancel) if !s.is_final() => Some(S::Cancelled),
        _ => None,
    }
}

/// The steps legal in a state, in path order.
pub fn legal_steps(from: CapaState) -> Vec<CapaStep> {
    CapaStep::ALL
        .iter()
        .copied()
        .filter(|step| next(from, *step).is_some())
        .collect()
}

/// The state a step leads to, or a message naming the current state and the legal steps.
pub fn transition(from: CapaState, step: CapaStep) -> Result<CapaState, String> {
    next(from, step).ok_or_else(|| {
        let legal: Vec<&str> = legal_steps(from)
            .into_iter()
            .map(CapaStep::as_str)
            .collect();
        format!(
            "This CAPA is in state '{}'; '{}' is not possible. Possible now: {}.",
            from.as_str(),
            step.as_str(),
            if legal.is_empty() {
                "nothing (it is final)".to_string()
            } else {
                legal.join(", ")
            }
        )
    })
}

/// Where an effectiveness verdict leaves the CAPA: ready to close, or back at root cause.
pub fn after_verdict(verdict: Verdict) -> CapaState {
    match verdict {
        Verdict::Effective => CapaState::EffectivenessCheck,
        Verdict::Ineffective => CapaState::RootCause,
    }
}

/// Whether the action plan may still be edited (actions added, changed, reassigned).
pub fn plan_open(state: CapaState) -> bool {
    matches!(
        state,
        CapaState::Open | CapaState::Containment | CapaState::RootCause
    )
}

/// Whether actions may be progressed (status changes) in this state.
pub fn actions_progress(state: CapaState) -> bool {
    matches!(state, CapaState::PlanApproved | CapaState::Implementing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use CapaState as S;
    use CapaStep as A;

    #[test]
    fn exactly_these_transitions_are_legal() {
        let legal: Vec<(S, A, S)> = S::ALL
            .iter()
            .flat_map(|s| A::ALL.iter().map(move |a| (*s, *a)))
            .filter_map(|(s, a)| transition(s, a).ok().map(|to| (s, a, to)))
            .collect();
        assert_eq!(
            legal,
            vec![
                (S::Open, A::Contain, S::Containment),
                (S::Open, A::Reject, S::Rejected),
                (S::Open, A::Cancel, S::Cancelled),
                (S::Containment, A::RootCause, S::RootCause),
                (S::Containment, A::Reject, S::Rejected),
                (S::Containment, A::Cancel, S::Cancelled),
                (S::RootCause, A::RootCause, S::RootCause),
                (S::RootCause, A::SubmitPlan, S::ActionPlan),
                (S::RootCause, A::Reject, S::Rejected),
                (S::RootCause, A::Cancel, S::Cancelled),
                (S::ActionPlan, A::ApprovePlan, S::PlanApproved),
                (S::ActionPlan, A::ReturnPlan, S::RootCause),
                (S::ActionPlan, A::Reject, S::Rejected),
                (S::ActionPlan, A::Cancel, S::Cancelled),
                (S::PlanApproved, A::Start, S::Implementing),
                (S::PlanApproved, A::Cancel, S::Cancelled),
                (S::Implementing, A::Complete, S::EffectivenessCheck),
                (S::Implementing, A::Cancel, S::Cancelled),
                (S::EffectivenessCheck, A::Verify, S::EffectivenessCheck),
                (S::EffectivenessCheck, A::Close, S::Closed),
                (S::EffectivenessCheck, A::Cancel, S::Cancelled),
            ]
        );
    }

    #[test]
    fn every_other_pair_is_refused_with_the_state_and_the_legal_steps() {
        let mut refused = 0;
        for state in S::ALL {
            for step in A::ALL {
                if let Err(message) = transition(*state, *step) {
                    refused += 1;
                    assert!(message.contains(state.as_str()), "{message}");
                    assert!(message.contains(step.as_str()), "{message}");
                }
            }
        }
        assert_eq!(refused, S::ALL.len() * A::ALL.len() - 21);
        assert_eq!(
            transition(S::Implementing, A::Close).unwrap_err(),
            "This CAPA is in state 'implementing'; 'close' is not possible. Possible now: complete, cancel."
        );
    }

    #[test]
    fn closing_without_reaching_the_effectiveness_check_is_refused() {
        for state in [S::Open, S::RootCause, S::PlanApproved, S::Implementing] {
            assert!(transition(state, A::Close).is_err());
        }
    }

    #[test]
    fn final_states_allow_nothing() {
        for state in [S::Closed, S::Rejected, S::Cancelled] {
            assert!(legal_steps(state).is_empty());
            assert!(transition(state, A::Cancel)
                .unwrap_err()
                .ends_with("nothing (it is final)."));
        }
    }

    #[test]
    fn an_ineffective_check_reopens_at_root_cause() {
        assert_eq!(after_verdict(Verdict::Ineffective), S::RootCause);
        assert_eq!(after_verdict(Verdict::Effective), S::EffectivenessCheck);
        assert_eq!(
            transition(S::RootCause, A::SubmitPlan),
            Ok(S::ActionPlan),
            "a reopened CAPA gets a new plan"
        );
    }

    #[test]
    fn the_plan_is_edited_before_submission_and_progressed_after_approval() {
        assert!(plan_open(S::RootCause));
        assert!(!plan_open(S::ActionPlan));
        assert!(actions_progress(S::Implementing));
        assert!(!actions_progress(S::EffectivenessCheck));
    }
}
