//! Code that runs only in the browser, beside the islands: the offline shell and the
//! handling of server-function forms.
//! (Pure helpers stay outside the `hydrate` gate so their tests run on the server build.)

#[cfg(feature = "hydrate")]
pub mod forms;
#[cfg(feature = "hydrate")]
pub mod offline;

/// `2026-12-03T07:15:42.123Z` → `3 Dec 2026 at 07:15 UTC`.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub(crate) fn readable_time(iso: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (date, time) = iso.split_once('T')?;
    let mut parts = date.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    let month = MONTHS.get(month.parse::<usize>().ok()?.checked_sub(1)?)?;
    let day = day.parse::<u32>().ok()?;
    let hours_minutes = time.get(0..5)?;
    Some(format!("{day} {month} {year} at {hours_minutes} UTC"))
}

/// `"Created {name}."` with `value("name")` = `"Ana"` → `"Created Ana."`.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub(crate) fn fill_in(template: &str, value: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str(&value(&rest[start + 1..start + len]));
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::{fill_in, readable_time};

    #[test]
    fn a_done_message_names_what_was_typed() {
        let typed = |name: &str| match name {
            "user[name]" => "Ana Lima".to_string(),
            _ => String::new(),
        };
        assert_eq!(fill_in("Created {user[name]}.", typed), "Created Ana Lima.");
        assert_eq!(fill_in("Saved {missing}!", typed), "Saved !");
        assert_eq!(fill_in("No braces", typed), "No braces");
        assert_eq!(fill_in("Open {brace", typed), "Open {brace");
    }

    #[test]
    fn saved_times_read_as_a_date_and_a_utc_time() {
        assert_eq!(
            readable_time("2026-12-03T07:15:42.123Z").as_deref(),
            Some("3 Dec 2026 at 07:15 UTC")
        );
        assert_eq!(readable_time("").as_deref(), None);
        assert_eq!(readable_time("2026-13-03T07:15Z").as_deref(), None);
        assert_eq!(readable_time("2026-00-03T07:15Z").as_deref(), None);
    }
}
