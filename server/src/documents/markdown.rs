//! Markdown rendered to HTML that is safe to put in a page: raw HTML in the source is shown as
//! text (never interpreted), headings sit below the page's own, and links or images may only point to web, mail or relative
//! addresses. The page's Content-Security-Policy is the second line of defence.

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Renders a document's Markdown to safe HTML.
pub fn to_safe_html(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: nested(level),
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(nested(level))),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

/// A document's headings sit under the page's own (its title is the page's only `h1`, its
/// sections `h2`), so `#` becomes `h3`.
fn nested(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H3,
        HeadingLevel::H2 => HeadingLevel::H4,
        HeadingLevel::H3 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// The address itself when it is relative or http(s)/mailto; otherwise a harmless `#`.
fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let trimmed = url.trim();
    let scheme_end = trimmed.find([':', '/', '?', '#']);
    match scheme_end {
        Some(i) if trimmed[i..].starts_with(':') => {
            let scheme = trimmed[..i].to_ascii_lowercase();
            if matches!(scheme.as_str(), "http" | "https" | "mailto") {
                url
            } else {
                CowStr::Borrowed("#")
            }
        }
        _ => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_lists_and_tables_render() {
        let html = to_safe_html(
            "# Purpose\n\n1. Fix the smear\n2. Stain\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        );
        assert!(
            html.contains("<h3>Purpose</h3>"),
            "the page keeps the only h1: {html}"
        );
        assert!(html.contains("<ol>\n<li>Fix the smear</li>"));
        assert!(html.contains("<table>"));
    }

    #[test]
    fn raw_html_is_shown_as_text_not_run() {
        let html = to_safe_html("<script>alert(1)</script>\n\nHello <img src=x onerror=alert(2)>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn script_addresses_in_links_and_images_are_neutralised() {
        let html = to_safe_html(
            "[x](javascript:alert(1)) [y]( JAVASCRIPT:alert(1)) ![z](data:text/html,hi)",
        );
        assert!(!html.to_lowercase().contains("javascript:"), "{html}");
        assert!(!html.contains("data:"), "{html}");
        assert_eq!(html.matches("href=\"#\"").count(), 2, "{html}");
    }

    #[test]
    fn web_mail_and_relative_links_are_kept() {
        let html = to_safe_html(
            "[who](https://www.who.int/tb) [mail](mailto:qa@example.org) [sop](/documents/3)",
        );
        assert!(html.contains("href=\"https://www.who.int/tb\""));
        assert!(html.contains("href=\"mailto:qa@example.org\""));
        assert!(html.contains("href=\"/documents/3\""));
    }
}
