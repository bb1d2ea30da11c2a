//! Line differences between two versions' Markdown.

use app::model::documents::DiffLine;
use similar::{ChangeTag, TextDiff};

/// The lines of `new` compared with `old`, in reading order.
pub fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|change| DiffLine {
            kind: match change.tag() {
                ChangeTag::Equal => "same",
                ChangeTag::Delete => "removed",
                ChangeTag::Insert => "added",
            }
            .into(),
            old_number: change.old_index().map(|i| i as i64 + 1),
            new_number: change.new_index().map(|i| i as i64 + 1),
            text: change.value().trim_end_matches(['\n', '\r']).to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_line_is_one_removal_and_one_addition() {
        let lines = line_diff(
            "Purpose\nStain 3 minutes\nRecords\n",
            "Purpose\nStain 5 minutes\nRecords\n",
        );
        let kinds: Vec<&str> = lines.iter().map(|l| l.kind.as_str()).collect();
        assert_eq!(kinds, ["same", "removed", "added", "same"]);
        assert_eq!(lines[1].text, "Stain 3 minutes");
        assert_eq!((lines[1].old_number, lines[1].new_number), (Some(2), None));
        assert_eq!((lines[2].old_number, lines[2].new_number), (None, Some(2)));
        assert_eq!(lines[3].new_number, Some(3));
    }

    #[test]
    fn identical_texts_have_no_changes() {
        assert!(line_diff("a\nb\n", "a\nb\n")
            .iter()
            .all(|l| l.kind == "same"));
    }
}
