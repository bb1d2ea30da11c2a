//! A z-score trend drawn as SVG: the points over time with the ±2 (warning) and ±3 (action)
//! bands, a title, axis labels, a legend, point shapes that carry the verdict (never colour
//! alone), and the same data as a table.

use leptos::prelude::*;

use super::two;
use crate::model::pt::ZSeries;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 36.0;
/// The y axis runs from -LIMIT to +LIMIT; points beyond are drawn at the edge.
const LIMIT: f64 = 4.0;

fn y_of(z: f64) -> f64 {
    let clamped = z.clamp(-LIMIT, LIMIT);
    TOP + (LIMIT - clamped) / (2.0 * LIMIT) * (HEIGHT - TOP - BOTTOM)
}

fn x_of(i: usize, n: usize) -> f64 {
    let span = WIDTH - LEFT - RIGHT;
    if n <= 1 {
        LEFT + span / 2.0
    } else {
        LEFT + span * i as f64 / (n - 1) as f64
    }
}

/// The marker of a point: a circle (|z| ≤ 2), a triangle (questionable) or a cross (≥ 3).
fn marker(x: f64, y: f64, z: f64) -> AnyView {
    let a = z.abs();
    if a <= 2.0 {
        view! { <circle cx=x cy=y r="4" class="zchart__point zchart__point--ok" /> }.into_any()
    } else if a < 3.0 {
        let points = format!(
            "{},{} {},{} {},{}",
            x,
            y - 5.0,
            x - 5.0,
            y + 4.0,
            x + 5.0,
            y + 4.0
        );
        view! { <polygon points=points class="zchart__point zchart__point--warn" /> }.into_any()
    } else {
        let d = format!(
            "M{} {} L{} {} M{} {} L{} {}",
            x - 5.0,
            y - 5.0,
            x + 5.0,
            y + 5.0,
            x - 5.0,
            y + 5.0,
            x + 5.0,
            y - 5.0
        );
        view! { <path d=d class="zchart__point zchart__point--bad" /> }.into_any()
    }
}

#[component]
pub fn ZChart(series: ZSeries) -> impl IntoView {
    let n = series.points.len();
    let title = format!("{} — {}", series.scheme, series.analyte);
    let id = format!(
        "zchart-{}",
        title
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_lowercase()
    );
    let band = |from: f64, to: f64, class: &'static str| {
        let y1 = y_of(to);
        let y2 = y_of(from);
        view! { <rect x=LEFT y=y1 width=WIDTH - LEFT - RIGHT height=y2 - y1 class=class /> }
    };
    let line: String = series
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "{}{:.1} {:.1}",
                if i == 0 { "M" } else { " L" },
                x_of(i, n),
                y_of(p.score)
            )
        })
        .collect();
    let first = series
        .points
        .first()
        .map(|p| p.date.clone())
        .unwrap_or_default();
    let last = series
        .points
        .last()
        .map(|p| p.date.clone())
        .unwrap_or_default();
    view! {
        <figure class="zchart" aria-labelledby=format!("{id}-title")>
            <figcaption id=format!("{id}-title")>{title.clone()}<span class="muted">{format!(" ({} results)", n)}</span></figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=format!("z-scores of {title} over time; the table below has the same data") class="zchart__svg">
                {band(-LIMIT, -3.0, "zchart__band zchart__band--action")}
                {band(3.0, LIMIT, "zchart__band zchart__band--action")}
                {band(-3.0, -2.0, "zchart__band zchart__band--warning")}
                {band(2.0, 3.0, "zchart__band zchart__band--warning")}
                {[-3.0, -2.0, 0.0, 2.0, 3.0].into_iter().map(|z| view! {
                    <line x1=LEFT x2=WIDTH - RIGHT y1=y_of(z) y2=y_of(z) class=if z == 0.0 { "zchart__axis" } else { "zchart__grid" } />
                    <text x=LEFT - 6.0 y=y_of(z) + 4.0 text-anchor="end" class="zchart__tick">{format!("{z:+.0}")}</text>
                }).collect_view()}
                <path d=line class="zchart__line" />
                {series.points.iter().enumerate().map(|(i, p)| {
                    let (x, y) = (x_of(i, n), y_of(p.score));
                    view! { <g><title>{format!("{} {} {}: {} = {}", p.date, p.event, p.sample, p.kind.label(), two(p.score))}</title>{marker(x, y, p.score)}</g> }
                }).collect_view()}
                <text x=LEFT y=HEIGHT - 8.0 class="zchart__tick">{first}</text>
                <text x=WIDTH - RIGHT y=HEIGHT - 8.0 text-anchor="end" class="zchart__tick">{last}</text>
                <text x=(LEFT + WIDTH - RIGHT) / 2.0 y=HEIGHT - 8.0 text-anchor="middle" class="zchart__label">"Event deadline"</text>
                <text x="12" y=(TOP + HEIGHT - BOTTOM) / 2.0 text-anchor="middle" class="zchart__label" transform=format!("rotate(-90 12 {})", (TOP + HEIGHT - BOTTOM) / 2.0)>"z-score"</text>
            </svg>
            <p class="zchart__legend">
                <span>"● |z| ≤ 2 satisfactory"</span>
                <span>"▲ 2 < |z| < 3 questionable (shaded band)"</span>
                <span>"✕ |z| ≥ 3 unsatisfactory (darker band)"</span>
                <span>"Values beyond ±4 are drawn at the edge."</span>
            </p>
            <details>
                <summary>"Show the data as a table"</summary>
                <table class="table table--compact">
                    <thead><tr><th scope="col">"Deadline"</th><th scope="col">"Event"</th><th scope="col">"Sample"</th><th scope="col">"Score"</th></tr></thead>
                    <tbody>
                        {series.points.iter().map(|p| view! {
                            <tr><td>{p.date.clone()}</td><td>{p.event.clone()}</td><td>{p.sample.clone()}</td><td>{format!("{} = {}", p.kind.label(), two(p.score))}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_y_axis_maps_the_bands_and_clamps_outliers() {
        let mid = y_of(0.0);
        assert!((mid - (TOP + (HEIGHT - TOP - BOTTOM) / 2.0)).abs() < 1e-9);
        assert!(y_of(2.0) < mid && y_of(-2.0) > mid, "up is positive");
        assert_eq!(y_of(8.09), y_of(LIMIT));
        assert_eq!(y_of(-9.0), y_of(-LIMIT));
        assert_eq!(x_of(0, 1), x_of(0, 1));
        assert!((x_of(0, 3) - LEFT).abs() < 1e-9);
        assert!((x_of(2, 3) - (WIDTH - RIGHT)).abs() < 1e-9);
    }
}
