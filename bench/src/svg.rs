//! The SVG bar chart of a [`Report`]: per workload (and for the steady-state geometric mean)
//! one bar per ratio series, drawn from the parity line on a log2 axis, with the target lines
//! at 1.0 and 0.5. Hand-written SVG text, no dependencies.

use std::fmt::Write as _;

use crate::report::{Report, Series, SERIES};

const BAR_W: f64 = 20.0;
const GROUP_GAP: f64 = 26.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 130.0;
const TOP: f64 = 56.0;
const PLOT_H: f64 = 280.0;
const BOTTOM: f64 = 70.0;
const COLORS: [&str; 3] = ["#4878d0", "#ee854a", "#6acc64"];

/// The colour of `series`, fixed per series so charts of every arch match.
fn color(series: &Series) -> &'static str {
    let index = SERIES.iter().position(|s| s.key == series.key);
    COLORS[index.unwrap_or(0) % COLORS.len()]
}

/// The vertical axis: log2 of the ratio, from `lo` to `hi` (whole powers of two).
struct Axis {
    lo: f64,
    hi: f64,
}

impl Axis {
    /// An axis covering `values`, and at least 0.25..4 (so both target lines show).
    fn covering(values: &[f64]) -> Axis {
        let logs = values.iter().map(|v| v.log2());
        Axis {
            lo: logs.clone().fold(-2.0, f64::min).floor(),
            hi: logs.fold(2.0, f64::max).ceil(),
        }
    }

    fn y(&self, ratio: f64) -> f64 {
        let t = (ratio.log2() - self.lo) / (self.hi - self.lo);
        TOP + PLOT_H * (1.0 - t.clamp(0.0, 1.0))
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One group of bars: its label and one value per series.
struct Group {
    label: String,
    values: Vec<Option<f64>>,
}

fn groups(report: &Report, series: &[&Series]) -> Vec<Group> {
    let mut groups: Vec<Group> = report
        .rows
        .iter()
        .map(|row| Group {
            label: if row.translation_bound {
                format!("{} †", row.workload)
            } else {
                row.workload.clone()
            },
            values: series.iter().map(|s| (s.of)(row)).collect(),
        })
        .collect();
    groups.push(Group {
        label: "geomean".into(),
        values: series.iter().map(|s| report.geomean(s)).collect(),
    });
    groups
}

fn grid(out: &mut String, axis: &Axis, width: f64) {
    let mut e = axis.lo;
    while e <= axis.hi {
        let r = e.exp2();
        let y = axis.y(r);
        let _ = writeln!(
            out,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            width - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            format_ratio(r)
        );
        e += 1.0;
    }
}

fn format_ratio(r: f64) -> String {
    if r >= 10.0 {
        format!("{r:.0}")
    } else if r >= 1.0 {
        format!("{r:.1}")
    } else {
        format!("{r:.2}")
    }
}

fn target_lines(out: &mut String, axis: &Axis, width: f64) {
    for (ratio, color, dash, label) in [
        (1.0, "#b22222", "", "1.0: parity"),
        (0.5, "#228b22", r#" stroke-dasharray="6 4""#, "0.5: target"),
    ] {
        let y = axis.y(ratio);
        let _ = writeln!(
            out,
            r#"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{color}" stroke-width="1.5"{dash}/><text x="{:.1}" y="{:.1}" fill="{color}">{label}</text>"#,
            width - RIGHT,
            width - RIGHT + 4.0,
            y + 4.0
        );
    }
}

fn bars(out: &mut String, axis: &Axis, groups: &[Group], series: &[&Series], group_w: f64) {
    let base = axis.y(1.0);
    for (g, group) in groups.iter().enumerate() {
        let x0 = LEFT + GROUP_GAP / 2.0 + g as f64 * group_w;
        for (i, value) in group.values.iter().enumerate() {
            let x = x0 + i as f64 * BAR_W;
            let cx = x + BAR_W / 2.0;
            let Some(r) = *value else {
                let _ = writeln!(
                    out,
                    r#"<text x="{cx:.1}" y="{:.1}" text-anchor="middle" font-size="8">n/a</text>"#,
                    base - 3.0
                );
                continue;
            };
            let y = axis.y(r);
            let (top, h) = (y.min(base), (y - base).abs().max(1.0));
            let label_y = if r >= 1.0 { top - 3.0 } else { top + h + 10.0 };
            let _ = writeln!(
                out,
                r#"<rect x="{:.1}" y="{top:.1}" width="{:.1}" height="{h:.1}" fill="{}"><title>{}: {r:.3}</title></rect><text x="{cx:.1}" y="{label_y:.1}" text-anchor="middle" font-size="8">{:.2}</text>"#,
                x + 1.0,
                BAR_W - 2.0,
                color(series[i]),
                escape(&group.label),
                r
            );
        }
        let _ = writeln!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x0 + group.values.len() as f64 * BAR_W / 2.0,
            TOP + PLOT_H + 18.0,
            escape(&group.label)
        );
    }
}

fn legend(out: &mut String, series: &[&Series]) {
    for (i, s) in series.iter().enumerate() {
        let x = LEFT + i as f64 * 170.0;
        let _ = writeln!(
            out,
            r#"<rect x="{x:.1}" y="30" width="12" height="12" fill="{}"/><text x="{:.1}" y="40">{}</text>"#,
            color(s),
            x + 16.0,
            s.label
        );
    }
}

/// The chart as a standalone SVG document.
pub fn chart(report: &Report) -> String {
    let series: Vec<&Series> = report.series().collect();
    let groups = groups(report, &series);
    let values: Vec<f64> = groups
        .iter()
        .flat_map(|g| g.values.iter().flatten().copied())
        .collect();
    let axis = Axis::covering(&values);
    let group_w = series.len() as f64 * BAR_W + GROUP_GAP;
    let width = LEFT + groups.len() as f64 * group_w + RIGHT;
    let height = TOP + PLOT_H + BOTTOM;
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
<text x="{LEFT}" y="18" font-size="13" font-weight="bold">emu-bench {}: ratios per workload ({} run(s), medians; log scale, lower is better)</text>
"#,
        escape(&report.arch),
        report.runs
    );
    legend(&mut out, &series);
    grid(&mut out, &axis, width);
    target_lines(&mut out, &axis, width);
    bars(&mut out, &axis, &groups, &series, group_w);
    if report.rows.iter().any(|r| r.translation_bound) {
        let _ = writeln!(
            out,
            r#"<text x="{LEFT}" y="{:.1}" font-size="10">† translation-bound: not in the geometric mean</text>"#,
            height - 14.0
        );
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::report;

    #[test]
    fn chart_has_bars_targets_and_labels() {
        let svg = chart(&report(true));
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        // 4 workloads + geomean, 3 series: one rect per value, minus the failed row's 2
        // missing ratios (its RSS ratio is missing too): 15 - 3 = 12, plus 3 legend squares
        // and the background.
        assert_eq!(svg.matches("<rect").count(), 12 + 3 + 1);
        assert_eq!(svg.matches(">n/a<").count(), 3);
        assert!(svg.contains("0.5: target") && svg.contains("1.0: parity"));
        assert!(svg.contains(">manyfuncs †<") && svg.contains(">geomean<"));
    }

    #[test]
    fn axis_is_log2_with_room_for_the_targets() {
        let axis = Axis::covering(&[0.3, 20.0]);
        assert_eq!((axis.lo, axis.hi), (-2.0, 5.0));
        assert!((axis.y(0.25) - (TOP + PLOT_H)).abs() < 1e-9);
        assert!((axis.y(32.0) - TOP).abs() < 1e-9);
    }
}
