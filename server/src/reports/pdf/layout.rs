//! Pure layout rules: wrapping text to a width and splitting table rows over pages. Kept free
//! of PDF writing so the rules can be tested with plain numbers.

use std::ops::Range;

/// Breaks `text` into lines no wider than `max_width`, as measured by `measure`. Breaks at
/// spaces; keeps the writer's own line breaks; a word wider than a whole line is cut between
/// characters rather than overflowing the column. An empty text gives one empty line, so every
/// cell has a height.
pub fn wrap(text: &str, max_width: f32, measure: impl Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let paragraph = paragraph.trim_end_matches('\r');
        let mut line = String::new();
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if measure(&candidate) <= max_width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if measure(word) <= max_width {
                line = word.to_string();
                continue;
            }
            // A word longer than the column (a URL, a long code): cut it by characters.
            for c in word.chars() {
                let mut longer = line.clone();
                longer.push(c);
                if measure(&longer) > max_width && !line.is_empty() {
                    lines.push(std::mem::replace(&mut line, c.to_string()));
                } else {
                    line = longer;
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// What a table row needs: how many lines its tallest cell has.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowSize {
    pub lines: usize,
}

/// A part of a row placed on a page: the row and the lines of it shown there (all of them
/// unless the row is taller than a whole page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowSlice {
    pub row: usize,
    pub lines: Range<usize>,
}

/// The vertical measures of a table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TableMetrics {
    pub line_height: f32,
    /// Above and below the text of each row.
    pub row_padding: f32,
    /// The repeated header row.
    pub header_height: f32,
}

impl TableMetrics {
    pub fn row_height(&self, lines: usize) -> f32 {
        lines as f32 * self.line_height + 2.0 * self.row_padding
    }
}

/// Splits rows over pages. The first page has `first_space` left (below the cursor), later
/// pages `page_space`; every page starts with the header. A row that does not fit in what is
/// left moves whole to the next page; only a row taller than an empty page is cut, between
/// lines. A header is never left alone at the bottom of a page.
pub fn paginate(
    rows: &[RowSize],
    metrics: TableMetrics,
    first_space: f32,
    page_space: f32,
) -> Vec<Vec<RowSlice>> {
    let mut pages: Vec<Vec<RowSlice>> = Vec::new();
    let mut current: Vec<RowSlice> = Vec::new();
    // Room left for rows on the current page, below its header.
    let mut left = first_space - metrics.header_height;
    let lines_fitting = |space: f32| -> usize {
        let usable = space - 2.0 * metrics.row_padding;
        if usable < metrics.line_height {
            0
        } else {
            (usable / metrics.line_height).floor() as usize
        }
    };
    let full_page_lines = lines_fitting(page_space - metrics.header_height).max(1);
    for (index, row) in rows.iter().enumerate() {
        let lines = row.lines.max(1);
        let mut start = 0;
        while start < lines {
            let remaining = lines - start;
            let fits = lines_fitting(left);
            let whole_fits = fits >= remaining;
            let page_is_fresh = current.is_empty();
            if whole_fits {
                current.push(RowSlice {
                    row: index,
                    lines: start..lines,
                });
                left -= metrics.row_height(remaining);
                start = lines;
            } else if page_is_fresh && fits > 0 && remaining > full_page_lines {
                // Taller than any page: fill this one and continue on the next.
                current.push(RowSlice {
                    row: index,
                    lines: start..start + fits,
                });
                start += fits;
                pages.push(std::mem::take(&mut current));
                left = page_space - metrics.header_height;
            } else {
                // Move to a new page (the current one keeps what it has, or is skipped if the
                // header alone would be there).
                if !current.is_empty() {
                    pages.push(std::mem::take(&mut current));
                } else if pages.is_empty() {
                    pages.push(Vec::new());
                }
                left = page_space - metrics.header_height;
            }
        }
    }
    if !current.is_empty() || pages.is_empty() {
        pages.push(current);
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character 1 unit wide: widths are character counts.
    fn chars(text: &str) -> f32 {
        text.chars().count() as f32
    }

    #[test]
    fn wraps_at_spaces_within_the_width() {
        assert_eq!(
            wrap("the quick brown fox jumps", 10.0, chars),
            vec!["the quick", "brown fox", "jumps"]
        );
    }

    #[test]
    fn a_line_of_exactly_the_width_is_not_broken() {
        assert_eq!(wrap("abcde fghij", 11.0, chars), vec!["abcde fghij"]);
        assert_eq!(wrap("abcde fghij", 10.0, chars), vec!["abcde", "fghij"]);
    }

    #[test]
    fn keeps_line_breaks_and_collapses_runs_of_spaces() {
        assert_eq!(
            wrap("one  two\nthree\r\n\nfour", 20.0, chars),
            vec!["one two", "three", "", "four"]
        );
    }

    #[test]
    fn cuts_a_word_longer_than_the_line() {
        assert_eq!(
            wrap("see https://example.org/abc", 8.0, chars),
            vec!["see", "https://", "example.", "org/abc"]
        );
    }

    #[test]
    fn empty_text_is_one_empty_line_and_non_latin_text_wraps_by_characters() {
        assert_eq!(wrap("", 10.0, chars), vec![""]);
        assert_eq!(
            wrap("Côte d'Ivoire Türkiye", 13.0, chars),
            vec!["Côte d'Ivoire", "Türkiye"]
        );
    }

    const METRICS: TableMetrics = TableMetrics {
        line_height: 10.0,
        row_padding: 2.0,
        header_height: 20.0,
    };

    fn rows(lines: &[usize]) -> Vec<RowSize> {
        lines.iter().map(|&lines| RowSize { lines }).collect()
    }

    fn whole(row: usize, lines: usize) -> RowSlice {
        RowSlice {
            row,
            lines: 0..lines,
        }
    }

    #[test]
    fn rows_that_fit_stay_on_one_page() {
        // 100 space: header 20, then three one-line rows of 14 each (42).
        let pages = paginate(&rows(&[1, 1, 1]), METRICS, 100.0, 300.0);
        assert_eq!(pages, vec![vec![whole(0, 1), whole(1, 1), whole(2, 1)]]);
    }

    #[test]
    fn a_row_that_does_not_fit_moves_whole_to_the_next_page() {
        // After the header 80 is left: a 3-line row (34) fits, then 46 left; a 5-line row (54)
        // does not, so it opens page 2 (which repeats the header).
        let pages = paginate(&rows(&[3, 5, 1]), METRICS, 100.0, 300.0);
        assert_eq!(
            pages,
            vec![vec![whole(0, 3)], vec![whole(1, 5), whole(2, 1)]]
        );
    }

    #[test]
    fn a_header_is_never_left_alone_at_the_bottom() {
        // Only 30 left: header (20) plus no room for even one line (14); the table starts on
        // the next page, and the first page carries nothing of it.
        let pages = paginate(&rows(&[1]), METRICS, 30.0, 300.0);
        assert_eq!(pages, vec![vec![], vec![whole(0, 1)]]);
    }

    #[test]
    fn a_row_taller_than_a_page_is_cut_between_lines() {
        // A page holds 100 - 20 header = 80: 7 lines (74). A 16-line row: 7 + 7 + 2.
        let pages = paginate(&rows(&[16]), METRICS, 100.0, 100.0);
        assert_eq!(
            pages,
            vec![
                vec![RowSlice {
                    row: 0,
                    lines: 0..7
                }],
                vec![RowSlice {
                    row: 0,
                    lines: 7..14
                }],
                vec![RowSlice {
                    row: 0,
                    lines: 14..16
                }],
            ]
        );
    }

    #[test]
    fn many_rows_fill_pages_in_order_without_losing_any() {
        let sizes: Vec<usize> = (0..60).map(|i| 1 + i % 3).collect();
        let pages = paginate(&rows(&sizes), METRICS, 200.0, 400.0);
        let placed: Vec<usize> = pages.iter().flatten().map(|s| s.row).collect();
        assert_eq!(placed, (0..60).collect::<Vec<_>>());
        for page in &pages[1..] {
            let used: f32 = page.iter().map(|s| METRICS.row_height(s.lines.len())).sum();
            assert!(used + METRICS.header_height <= 400.0);
        }
        assert!(pages.len() >= 3);
    }
}
