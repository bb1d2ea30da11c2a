//! Dashboards: the regional manager's region, the network, a site. Every figure cell carries
//! its value, an icon and words for its rating besides the colour; every table can be sorted
//! and downloaded as CSV.

mod charts;
mod network;
mod region;
mod site;

pub use network::NetworkDashboardPage;
pub use region::RegionDashboardPage;
pub use site::SiteDashboardPage;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::model::dashboard::{
    csv_href, one_decimal, two_decimals, Figures, Kpi, Rating, Thresholds, Trend,
};
use crate::pages::audits::Stars;

/// A figure with its rating: colour class, icon and the rating in words for screen readers
/// (and as a tooltip).
#[component]
fn Rated(rating: Rating, text: String) -> impl IntoView {
    view! {
        <td class=format!("cell cell--{}", rating.as_str()) title=rating.label()>
            <span class="cell__icon" aria-hidden="true">{rating.icon()}</span>
            " "
            {text}
            <span class="visually-hidden">{format!(" ({})", rating.label())}</span>
        </td>
    }
}

/// A link that downloads a table as CSV; a plain link, so it works before hydration.
#[component]
fn CsvLink(file: String, text: String) -> impl IntoView {
    view! { <a class="csv-link" download=file href=csv_href(&text)>"Download CSV"</a> }
}

/// A sortable column of the figures tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Column {
    Name,
    Audit,
    Open,
    Age30,
    Age60,
    Age90,
    AgeOver90,
    Overdue,
    Sop,
    Acks,
    Pt,
    Unsuccessful,
    Kappa,
    Significant,
}

impl Column {
    const ALL: [Column; 14] = [
        Column::Name,
        Column::Audit,
        Column::Open,
        Column::Age30,
        Column::Age60,
        Column::Age90,
        Column::AgeOver90,
        Column::Overdue,
        Column::Sop,
        Column::Acks,
        Column::Pt,
        Column::Unsuccessful,
        Column::Kappa,
        Column::Significant,
    ];

    /// The name in the address (`?sort=overdue`).
    fn key(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Audit => "audit",
            Column::Open => "open",
            Column::Age30 => "age-30",
            Column::Age60 => "age-60",
            Column::Age90 => "age-90",
            Column::AgeOver90 => "age-over-90",
            Column::Overdue => "overdue",
            Column::Sop => "sop",
            Column::Acks => "acks",
            Column::Pt => "pt",
            Column::Unsuccessful => "unsuccessful",
            Column::Kappa => "kappa",
            Column::Significant => "significant",
        }
    }

    fn parse(key: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.key() == key)
    }

    fn label(self) -> &'static str {
        match self {
            Column::Name => "Name",
            Column::Audit => "Latest audit",
            Column::Open => "Open CAPAs",
            Column::Age30 => "0–30 d",
            Column::Age60 => "31–60 d",
            Column::Age90 => "61–90 d",
            Column::AgeOver90 => "> 90 d",
            Column::Overdue => "Overdue CAPAs",
            Column::Sop => "SOP review",
            Column::Acks => "Acknowledged",
            Column::Pt => "PT satisfactory",
            Column::Unsuccessful => "PT unsuccessful",
            Column::Kappa => "QC κ",
            Column::Significant => "Significant discrepancies",
        }
    }

    /// The first click shows the worst first: highest counts, lowest scores.
    fn worst_first_descending(self) -> bool {
        !matches!(
            self,
            Column::Name | Column::Audit | Column::Sop | Column::Acks | Column::Pt | Column::Kappa
        )
    }

    /// The value the column sorts by (`None` sorts last).
    fn value(self, f: &Figures) -> Option<f64> {
        let count = |n: i64| Some(n as f64);
        match self {
            Column::Name => None,
            Column::Audit => f.value(Kpi::AuditScore),
            Column::Open => count(f.capas.open),
            Column::Age30 => count(f.capas.up_to_30),
            Column::Age60 => count(f.capas.up_to_60),
            Column::Age90 => count(f.capas.up_to_90),
            Column::AgeOver90 => count(f.capas.over_90),
            Column::Overdue => count(f.capas.overdue),
            Column::Sop => f.sop_review.percent,
            Column::Acks => f.acknowledgements.percent,
            Column::Pt => f.pt.results.percent,
            Column::Unsuccessful => count(f.pt.unsuccessful_events),
            Column::Kappa => f.qc.kappa,
            Column::Significant => f.qc.significant.percent,
        }
    }
}

/// The sort asked for in the address: column and whether descending (default: by name).
pub(crate) fn sort_of(sort: Option<String>, dir: Option<String>) -> (Column, bool) {
    let column = sort
        .as_deref()
        .and_then(Column::parse)
        .unwrap_or(Column::Name);
    let descending = match dir.as_deref() {
        Some("desc") => true,
        Some("asc") => false,
        _ => column.worst_first_descending(),
    };
    (column, descending)
}

/// Orders rows by a column; rows without a value go last, ties by name.
pub(crate) fn sort_rows<T>(
    rows: &mut [T],
    column: Column,
    descending: bool,
    name: impl Fn(&T) -> &str,
    figures: impl Fn(&T) -> &Figures,
) {
    rows.sort_by(|a, b| {
        let by_name = name(a).cmp(name(b));
        if column == Column::Name {
            return if descending {
                by_name.reverse()
            } else {
                by_name
            };
        }
        match (column.value(figures(a)), column.value(figures(b))) {
            (Some(x), Some(y)) => {
                let o = x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal);
                (if descending { o.reverse() } else { o }).then(by_name)
            }
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => by_name,
        }
    });
}

/// A column header that sorts by it; a second click turns the order round.
#[component]
fn SortHeader(column: Column, current: (Column, bool), base: String) -> impl IntoView {
    let active = current.0 == column;
    let next_descending = if active {
        !current.1
    } else {
        column.worst_first_descending()
    };
    let href = format!(
        "{base}?sort={}&dir={}",
        column.key(),
        if next_descending { "desc" } else { "asc" }
    );
    let aria_sort = match (active, current.1) {
        (false, _) => "none",
        (true, true) => "descending",
        (true, false) => "ascending",
    };
    let arrow = match (active, current.1) {
        (false, _) => "",
        (true, true) => " ▼",
        (true, false) => " ▲",
    };
    view! {
        <th scope="col" aria-sort=aria_sort>
            <A href=href attr:class="sort-link" attr:data-sort=column.key()>{column.label()}{arrow}</A>
        </th>
    }
}

/// The header cells of the figures (after the name columns).
#[component]
fn FigureHeaders(current: (Column, bool), base: String) -> impl IntoView {
    Column::ALL[1..]
        .iter()
        .map(|c| view! { <SortHeader column=*c current base=base.clone() /> })
        .collect_view()
}

/// The figure cells of one row.
#[component]
fn FigureCells(figures: Figures, thresholds: Thresholds) -> impl IntoView {
    let f = figures;
    let t = thresholds;
    let rate = |k: Kpi| t.rate(k, f.value(k));
    let pct = |v: Option<f64>| {
        v.map(|v| format!("{v:.1}%"))
            .unwrap_or_else(|| "no data".into())
    };
    let audit = match &f.audit {
        Some(a) => {
            let rating = rate(Kpi::AuditScore);
            let trend = a.trend;
            let trend_words = match (trend, a.previous_percent) {
                (Trend::First, _) | (_, None) => "first audit".to_string(),
                (_, Some(p)) => format!("{} from {p:.1}%", trend.label().to_lowercase()),
            };
            view! {
                <td class=format!("cell cell--{}", rating.as_str()) title=rating.label()>
                    <span class="cell__icon" aria-hidden="true">{rating.icon()}</span>
                    {format!(" {:.1}% ", a.percent)}
                    <Stars stars=Some(a.stars) />
                    <span class=format!("trend-arrow trend-arrow--{}", trend.as_str()) title=trend_words.clone()>
                        <span aria-hidden="true">{format!(" {}", trend.arrow())}</span>
                        <span class="visually-hidden">{format!(" ({trend_words}; {})", rating.label())}</span>
                    </span>
                    <br /><span class="cell__note">{a.date.clone()}</span>
                </td>
            }
            .into_any()
        }
        None => view! { <Rated rating=Rating::NoData text="no audit".to_string() /> }.into_any(),
    };
    let c = f.capas;
    let over_90 = rate(Kpi::CapasOver90);
    let overdue = rate(Kpi::CapasOverdue);
    view! {
        {audit}
        <td class="num">{c.open}</td>
        <td class="num">{c.up_to_30}</td>
        <td class="num">{c.up_to_60}</td>
        <td class="num">{c.up_to_90}</td>
        <Rated rating=over_90 text=c.over_90.to_string() />
        <Rated rating=overdue text=c.overdue.to_string() />
        <Rated rating=rate(Kpi::SopReview) text=format!("{} ({}/{})", pct(f.sop_review.percent), f.sop_review.part, f.sop_review.whole) />
        <Rated rating=rate(Kpi::Acknowledgements) text=format!("{} ({}/{})", pct(f.acknowledgements.percent), f.acknowledgements.part, f.acknowledgements.whole) />
        <Rated rating=rate(Kpi::PtSatisfactory) text=format!("{} of {}", pct(f.pt.results.percent), f.pt.results.whole) />
        {if f.pt.unsuccessful_events > 0 {
            view! { <Rated rating=Rating::Poor text=format!("{} event(s)", f.pt.unsuccessful_events) /> }.into_any()
        } else {
            view! { <Rated rating=Rating::Good text="none".to_string() /> }.into_any()
        }}
        <Rated rating=rate(Kpi::QcKappa) text={if f.qc.kappa.is_some() { format!("{} ({} reads)", two_decimals(f.qc.kappa), f.qc.reads) } else if f.qc.reads > 0 { format!("{} reads: too few", f.qc.reads) } else { "no reads".to_string() }} />
        <Rated rating=rate(Kpi::QcSignificant) text={if f.qc.reads > 0 { format!("{}%", one_decimal(f.qc.significant.percent)) } else { "no reads".to_string() }} />
    }
}

/// Which figure the heat grid shows per column, and how.
fn heat_cells(f: &Figures, t: &Thresholds) -> Vec<charts::HeatCell> {
    Kpi::ALL
        .iter()
        .map(|k| {
            let v = f.value(*k);
            let text = match (k, v) {
                (_, None) => "—".to_string(),
                (Kpi::QcKappa, Some(v)) => format!("{v:.2}"),
                (Kpi::CapasOverdue | Kpi::CapasOver90, Some(v)) => format!("{v:.0}"),
                (_, Some(v)) => format!("{v:.0}%"),
            };
            charts::HeatCell {
                text,
                rating: t.rate(*k, v),
            }
        })
        .collect()
}

/// Short column names for the heat grid.
fn heat_columns() -> Vec<String> {
    Kpi::ALL
        .iter()
        .map(|k| {
            match k {
                Kpi::AuditScore => "Audit score",
                Kpi::CapasOverdue => "Overdue CAPAs",
                Kpi::CapasOver90 => "CAPAs > 90 d",
                Kpi::SopReview => "SOP review",
                Kpi::Acknowledgements => "Acknowledged",
                Kpi::PtSatisfactory => "PT satisfactory",
                Kpi::QcKappa => "QC κ",
                Kpi::QcSignificant => "Significant disc.",
            }
            .to_string()
        })
        .collect()
}

/// The legend of the figure cells: what the icons mean and where the limits are.
#[component]
fn RatingLegend(thresholds: Thresholds) -> impl IntoView {
    view! {
        <details class="rating-legend">
            <summary>"How figures are rated"</summary>
            <p>
                <span class="cell cell--good">"✓ On target"</span>" "
                <span class="cell cell--warning">"! Needs attention"</span>" "
                <span class="cell cell--poor">"✗ Below target"</span>" "
                <span class="cell cell--no_data">"– No data"</span>
            </p>
            <table class="table table--dense">
                <thead><tr><th scope="col">"Figure"</th><th scope="col">"On target"</th><th scope="col">"Needs attention"</th></tr></thead>
                <tbody>
                    {thresholds.items.iter().map(|t| {
                        let (good, warn) = if t.kpi.higher_is_better() { ("≥", "≥") } else { ("≤", "≤") };
                        view! { <tr><td>{t.kpi.label()}</td><td>{format!("{good} {}", t.good)}</td><td>{format!("{warn} {}", t.warning)}</td></tr> }
                    }).collect_view()}
                </tbody>
            </table>
            <p class="muted">"Administrators change these limits on the network dashboard."</p>
        </details>
    }
}

/// A link to a site's dashboard.
#[component]
fn SiteLink(code: String, name: String) -> impl IntoView {
    view! { <A href=format!("/dashboard/site/{code}")>{name}</A>" " <span class="muted">{code}</span> }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dashboard::{CapaFigure, Ratio};

    fn row(name: &str, overdue: i64, sop: Option<(i64, i64)>) -> (String, Figures) {
        (
            name.to_string(),
            Figures {
                capas: CapaFigure {
                    overdue,
                    ..CapaFigure::default()
                },
                sop_review: sop.map(|(a, b)| Ratio::of(a, b)).unwrap_or_default(),
                ..Figures::default()
            },
        )
    }

    #[test]
    fn the_first_click_puts_the_worst_first() {
        assert_eq!(
            sort_of(Some("overdue".into()), None),
            (Column::Overdue, true)
        );
        assert_eq!(sort_of(Some("sop".into()), None), (Column::Sop, false));
        assert_eq!(
            sort_of(Some("sop".into()), Some("desc".into())),
            (Column::Sop, true)
        );
        assert_eq!(
            sort_of(Some("nonsense".into()), None),
            (Column::Name, false)
        );
    }

    #[test]
    fn rows_sort_by_value_with_missing_values_last_and_ties_by_name() {
        let mut rows = vec![
            row("B", 2, Some((9, 10))),
            row("A", 2, None),
            row("C", 5, Some((5, 10))),
        ];
        sort_rows(&mut rows, Column::Overdue, true, |r| &r.0, |r| &r.1);
        let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(names, ["C", "A", "B"]);
        sort_rows(&mut rows, Column::Sop, false, |r| &r.0, |r| &r.1);
        let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(names, ["C", "B", "A"]);
    }
}
