//! Charts drawn as SVG by the app: lines over months, stacked bars and a heat grid. Each has a
//! title, axis labels, a legend and a table with the same figures (and its CSV), and tells its
//! series apart by line style and marker shape as well as colour.

use leptos::prelude::*;

use crate::model::dashboard::{csv, csv_href, Rating};

/// One line of a [`LineChart`].
#[derive(Clone)]
pub struct Series {
    pub name: String,
    /// One value per x label; a gap where there is none.
    pub values: Vec<Option<f64>>,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

/// Dash patterns per series, so lines differ without colour.
const DASHES: [&str; 4] = ["", "6 4", "2 3", "10 3 2 3"];

/// A marker per series: circle, square, triangle, diamond.
fn marker(series: usize, x: f64, y: f64) -> AnyView {
    match series % 4 {
        0 => view! { <circle cx=x cy=y r="3.5" /> }.into_any(),
        1 => view! { <rect x=x - 3.5 y=y - 3.5 width="7" height="7" /> }.into_any(),
        2 => view! { <polygon points=format!("{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}", x, y - 4.5, x - 4.0, y + 3.0, x + 4.0, y + 3.0) /> }.into_any(),
        _ => view! { <polygon points=format!("{:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1}", x, y - 4.5, x + 4.5, y, x, y + 4.5, x - 4.5, y) /> }.into_any(),
    }
}

/// Round figures for a y axis from 0 to `max`.
fn ticks(max: f64) -> Vec<f64> {
    let step = if max <= 1.0 {
        0.25
    } else if max <= 5.0 {
        1.0
    } else if max <= 10.0 {
        2.0
    } else if max <= 100.0 {
        25.0
    } else {
        let raw = max / 4.0;
        let magnitude = 10f64.powf(raw.log10().floor());
        (raw / magnitude).ceil() * magnitude
    };
    let mut out = Vec::new();
    let mut v = 0.0;
    while v <= max + 1e-9 {
        out.push(v);
        v += step;
    }
    out
}

/// A number as the table shows it.
fn number(v: Option<f64>, decimals: usize) -> String {
    v.map(|v| format!("{v:.decimals$}"))
        .unwrap_or_else(|| "—".into())
}

/// A chart's figures as a table, folded away under "Show as a table", with its CSV.
#[component]
fn ChartTable(header: Vec<String>, rows: Vec<Vec<String>>, file: String) -> impl IntoView {
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let href = csv_href(&csv(&header_refs, &rows));
    view! {
        <details class="chart__table">
            <summary>"Show as a table"</summary>
            <table class="table table--dense">
                <thead><tr>{header.iter().map(|h| view! { <th scope="col">{h.clone()}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {rows.iter().map(|r| view! { <tr>{r.iter().map(|c| view! { <td>{c.clone()}</td> }).collect_view()}</tr> }).collect_view()}
                </tbody>
            </table>
            <a class="csv-link" download=file href=href>"Download this table as CSV"</a>
        </details>
    }
}

/// Lines over the same x labels (months, dates), with a table alternative.
#[component]
pub fn LineChart(
    title: String,
    x_label: String,
    y_label: String,
    labels: Vec<String>,
    series: Vec<Series>,
    /// The top of the y axis (the bottom is 0); at least the largest value.
    y_max: f64,
    #[prop(default = 1)] decimals: usize,
    /// The CSV file's name.
    file: String,
) -> impl IntoView {
    let largest = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0f64, |a, b| a.max(*b));
    let y_max = if largest > y_max { largest } else { y_max }.max(1e-9);
    let n = labels.len().max(1);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = move |i: usize| {
        if n == 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + i as f64 * plot_w / (n - 1) as f64
        }
    };
    let y = move |v: f64| TOP + plot_h - v / y_max * plot_h;
    // Label every k-th x so that at most 12 labels show.
    let every = n.div_ceil(12).max(1);
    let lines = series
        .iter()
        .enumerate()
        .map(|(k, s)| {
            // Break the line where a value is missing.
            let mut segments: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
            for (i, v) in s.values.iter().enumerate() {
                match v {
                    Some(v) => segments.last_mut().expect("a segment").push((x(i), y(*v))),
                    None => segments.push(Vec::new()),
                }
            }
            let paths = segments
                .into_iter()
                .filter(|seg| !seg.is_empty())
                .map(|seg| {
                    let points = seg
                        .iter()
                        .map(|(a, b)| format!("{a:.1},{b:.1}"))
                        .collect::<Vec<_>>()
                        .join(" ");
                    view! { <polyline points=points stroke-dasharray=DASHES[k % 4] /> }
                })
                .collect_view();
            let markers = s
                .values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| marker(k, x(i), y(v))))
                .collect_view();
            view! { <g class=format!("chart__series chart__series--{}", k % 4)>{paths}{markers}</g> }
        })
        .collect_view();
    let mut header = vec![x_label.clone()];
    header.extend(series.iter().map(|s| s.name.clone()));
    let rows: Vec<Vec<String>> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut row = vec![l.clone()];
            row.extend(
                series
                    .iter()
                    .map(|s| number(s.values.get(i).copied().flatten(), decimals)),
            );
            row
        })
        .collect();
    let aria = format!("{title}: line chart; the table below has the same figures");
    view! {
        <figure class="chart">
            <figcaption class="chart__title">{title.clone()}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=aria class="chart__svg">
                {ticks(y_max).into_iter().map(|t| view! {
                    <line x1=LEFT x2=WIDTH - RIGHT y1=y(t) y2=y(t) class="chart__grid" />
                    <text x=LEFT - 6.0 y=y(t) + 3.0 text-anchor="end" class="chart__tick">{format!("{}", (t * 100.0).round() / 100.0)}</text>
                }).collect_view()}
                // Counted back from the last label, so the newest always shows; the ends are
                // anchored inwards so that they stay inside the drawing.
                {labels.iter().enumerate().filter(|(i, _)| (n - 1 - i).is_multiple_of(every)).map(|(i, l)| {
                    let anchor = if n > 1 && i == 0 { "start" } else if n > 1 && i == n - 1 { "end" } else { "middle" };
                    view! { <text x=x(i) y=HEIGHT - BOTTOM + 14.0 text-anchor=anchor class="chart__tick">{l.clone()}</text> }
                }).collect_view()}
                <text x=LEFT + plot_w / 2.0 y=HEIGHT - 4.0 text-anchor="middle" class="chart__axis">{x_label.clone()}</text>
                <text x="12" y=TOP + plot_h / 2.0 text-anchor="middle" transform=format!("rotate(-90 12 {})", TOP + plot_h / 2.0) class="chart__axis">{y_label.clone()}</text>
                {lines}
            </svg>
            <ul class="chart__legend">
                {series.iter().enumerate().map(|(k, s)| view! {
                    <li>
                        <svg viewBox="0 0 36 12" width="36" height="12" aria-hidden="true" class=format!("chart__series chart__series--{}", k % 4)>
                            <polyline points="2,6 34,6" stroke-dasharray=DASHES[k % 4] />
                            {marker(k, 18.0, 6.0)}
                        </svg>
                        {s.name.clone()}
                    </li>
                }).collect_view()}
            </ul>
            <ChartTable header=header rows=rows file=file />
        </figure>
    }
}

/// One bar of a [`StackedBars`] chart: a label and a count per segment.
#[derive(Clone)]
pub struct Bar {
    pub label: String,
    pub counts: Vec<i64>,
}

/// Horizontal bars made of segments (e.g. open CAPAs by age), with a table alternative.
#[component]
pub fn StackedBars(
    title: String,
    x_label: String,
    /// The segments' names, in order.
    segments: Vec<String>,
    bars: Vec<Bar>,
    file: String,
) -> impl IntoView {
    let row_h = 22.0;
    let label_w = 150.0;
    let plot_w = WIDTH - label_w - RIGHT - 30.0;
    let height = TOP + bars.len() as f64 * row_h + 36.0;
    let largest = bars
        .iter()
        .map(|b| b.counts.iter().sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let scale = move |v: f64| v / largest * plot_w;
    let drawn = bars
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let y = TOP + i as f64 * row_h;
            let mut at = label_w;
            let total: i64 = b.counts.iter().sum();
            let parts = b
                .counts
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(k, c)| {
                    let w = scale(*c as f64);
                    let x = at;
                    at += w;
                    view! {
                        <rect x=x y=y + 3.0 width=w height=row_h - 6.0 class=format!("chart__segment chart__segment--{k}")>
                            <title>{format!("{}: {} {}", b.label, c, segments.get(k).cloned().unwrap_or_default())}</title>
                        </rect>
                        {(w >= 18.0).then(|| view! { <text x=x + w / 2.0 y=y + row_h / 2.0 + 4.0 text-anchor="middle" class=format!("chart__count chart__count--{k}")>{c.to_string()}</text> })}
                    }
                })
                .collect_view();
            view! {
                <text x=label_w - 6.0 y=y + row_h / 2.0 + 4.0 text-anchor="end" class="chart__tick">{b.label.clone()}</text>
                {parts}
                <text x=at + 4.0 y=y + row_h / 2.0 + 4.0 class="chart__tick">{total.to_string()}</text>
            }
        })
        .collect_view();
    let mut header = vec!["Name".to_string()];
    header.extend(segments.iter().cloned());
    header.push("Total".into());
    let rows: Vec<Vec<String>> = bars
        .iter()
        .map(|b| {
            let mut row = vec![b.label.clone()];
            row.extend(b.counts.iter().map(i64::to_string));
            row.push(b.counts.iter().sum::<i64>().to_string());
            row
        })
        .collect();
    let aria = format!("{title}: stacked bar chart; the table below has the same figures");
    view! {
        <figure class="chart">
            <figcaption class="chart__title">{title.clone()}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label=aria class="chart__svg">
                {drawn}
                <text x=label_w + plot_w / 2.0 y=height - 6.0 text-anchor="middle" class="chart__axis">{x_label.clone()}</text>
            </svg>
            <ul class="chart__legend">
                {segments.iter().enumerate().map(|(k, s)| view! {
                    <li>
                        <svg viewBox="0 0 14 14" width="14" height="14" aria-hidden="true">
                            <rect x="0" y="0" width="14" height="14" class=format!("chart__segment chart__segment--{k}") />
                        </svg>
                        {s.clone()}
                    </li>
                }).collect_view()}
            </ul>
            <ChartTable header=header rows=rows file=file />
        </figure>
    }
}

/// One cell of a [`HeatGrid`]: the text shown and its rating.
#[derive(Clone)]
pub struct HeatCell {
    pub text: String,
    pub rating: Rating,
}

/// Rows × figures, each cell coloured by its rating and carrying its value and the rating's
/// icon.
#[component]
pub fn HeatGrid(
    title: String,
    columns: Vec<String>,
    rows: Vec<(String, Vec<HeatCell>)>,
) -> impl IntoView {
    // Wide enough for "South-Eastern Europe, Eastern Europe and Central Asia".
    let label_w = 250.0;
    let cell_w = ((WIDTH - label_w - RIGHT) / columns.len().max(1) as f64).floor();
    let cell_h = 30.0;
    let head_h = 64.0;
    let height = head_h + rows.len() as f64 * cell_h + 8.0;
    let aria = format!("{title}: heat grid; each cell shows its value and rating, and the table above has the same figures");
    view! {
        <figure class="chart">
            <figcaption class="chart__title">{title.clone()}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label=aria class="chart__svg">
                {columns.iter().enumerate().map(|(j, c)| {
                    let x = label_w + j as f64 * cell_w + cell_w / 2.0;
                    view! { <text x=x y=head_h - 8.0 text-anchor="start" transform=format!("rotate(-30 {x} {})", head_h - 8.0) class="chart__tick">{c.clone()}</text> }
                }).collect_view()}
                {rows.iter().enumerate().map(|(i, (name, cells))| {
                    let y = head_h + i as f64 * cell_h;
                    view! {
                        <text x=label_w - 6.0 y=y + cell_h / 2.0 + 4.0 text-anchor="end" class="chart__tick">{name.clone()}</text>
                        {cells.iter().enumerate().map(|(j, c)| {
                            let x = label_w + j as f64 * cell_w;
                            view! {
                                <rect x=x + 1.0 y=y + 1.0 width=cell_w - 2.0 height=cell_h - 2.0 class=format!("heat heat--{}", c.rating.as_str())>
                                    <title>{format!("{name}: {} ({})", c.text, c.rating.label())}</title>
                                </rect>
                                <text x=x + cell_w / 2.0 y=y + cell_h / 2.0 + 4.0 text-anchor="middle" class="heat__text">{format!("{} {}", c.rating.icon(), c.text)}</text>
                            }
                        }).collect_view()}
                    }
                }).collect_view()}
            </svg>
            <ul class="chart__legend">
                {[Rating::Good, Rating::Warning, Rating::Poor, Rating::NoData].into_iter().map(|r| view! {
                    <li><span class=format!("heat-key heat--{}", r.as_str()) aria-hidden="true"></span>{format!("{} {}", r.icon(), r.label())}</li>
                }).collect_view()}
            </ul>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::ticks;

    #[test]
    fn axis_ticks_are_round_figures_up_to_the_top() {
        assert_eq!(ticks(100.0), vec![0.0, 25.0, 50.0, 75.0, 100.0]);
        assert_eq!(ticks(1.0), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(ticks(4.0), vec![0.0, 1.0, 2.0, 3.0, 4.0]);
        let big = ticks(1000.0);
        assert_eq!(big.first(), Some(&0.0));
        assert!(big.iter().all(|t| *t <= 1000.0));
        assert!(big.len() >= 4);
    }
}
