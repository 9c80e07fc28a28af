//! Reporting: the results of one `emu-bench` run ([`Report`]) as a markdown table (median
//! times, emu/qemu and emu/native time ratios, peak RSS and the emu/qemu RSS ratio, geometric
//! means over the steady-state workloads) and as JSON. The SVG chart is in [`crate::svg`].

use std::fmt::Write as _;

use crate::measure::{geometric_mean, Timing};

/// One row: a workload's timings under emu, qemu and (x86_64 guests) natively.
#[derive(Clone, Debug)]
pub struct Row {
    pub workload: String,
    /// Translation-bound (`manyfuncs`): shown apart, not in the geometric means.
    pub translation_bound: bool,
    pub emu: Timing,
    pub qemu: Timing,
    /// `None` when the guest arch cannot run natively.
    pub native: Option<Timing>,
}

fn ratio_of(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? / b?).filter(|r| r.is_finite() && *r > 0.0)
}

impl Row {
    /// emu time / qemu time, when both ran correctly.
    pub fn ratio(&self) -> Option<f64> {
        ratio_of(self.emu.median(), self.qemu.median())
    }

    /// emu time / native time, when both ran correctly.
    pub fn native_ratio(&self) -> Option<f64> {
        ratio_of(self.emu.median(), self.native.as_ref()?.median())
    }

    /// emu peak RSS / qemu peak RSS, when both ran correctly.
    pub fn rss_ratio(&self) -> Option<f64> {
        ratio_of(self.emu.median_rss_kib(), self.qemu.median_rss_kib())
    }
}

/// A kind of ratio reported per workload: its label, JSON key and how a row computes it.
#[derive(Clone, Copy, Debug)]
pub struct Series {
    pub label: &'static str,
    pub key: &'static str,
    pub of: fn(&Row) -> Option<f64>,
    /// Only meaningful with a native column.
    pub needs_native: bool,
}

/// Every ratio series, in report order.
pub const SERIES: [Series; 3] = [
    Series {
        label: "emu/qemu time",
        key: "ratio",
        of: Row::ratio,
        needs_native: false,
    },
    Series {
        label: "emu/native time",
        key: "native_ratio",
        of: Row::native_ratio,
        needs_native: true,
    },
    Series {
        label: "emu/qemu peak RSS",
        key: "rss_ratio",
        of: Row::rss_ratio,
        needs_native: false,
    },
];

/// Everything one run of the bench produced.
#[derive(Clone, Debug)]
pub struct Report {
    pub arch: String,
    pub runs: usize,
    pub emu_command: String,
    pub qemu_command: String,
    /// Whether the workloads also ran natively (x86_64 guests).
    pub native: bool,
    pub rows: Vec<Row>,
}

impl Report {
    /// The series that apply to this report (no native ratio without a native column).
    pub fn series(&self) -> impl Iterator<Item = &'static Series> + '_ {
        SERIES.iter().filter(|s| self.native || !s.needs_native)
    }

    /// The geometric mean of `series` over the steady-state rows where it exists.
    pub fn geomean(&self, series: &Series) -> Option<f64> {
        let values: Vec<f64> = self
            .rows
            .iter()
            .filter(|r| !r.translation_bound)
            .filter_map(series.of)
            .collect();
        geometric_mean(&values)
    }
}

fn time_cell(t: &Timing) -> String {
    match t {
        Timing::Ok(_) => format!("{:.3} s", t.median().unwrap_or(f64::NAN)),
        Timing::Failed(why) => format!("failed: {}", why.replace('|', "/")),
        Timing::Skipped => "not run".to_string(),
    }
}

fn rss_cell(t: &Timing) -> String {
    t.median_rss_kib()
        .map_or_else(|| "–".to_string(), |kib| format!("{:.1} MiB", kib / 1024.0))
}

fn ratio_cell(r: Option<f64>) -> String {
    r.map_or_else(|| "–".to_string(), |r| format!("{r:.2}"))
}

/// Marks translation-bound workloads in the table (explained below it).
const TRANSLATION_MARK: &str = " †";

fn workload_cell(row: &Row) -> String {
    let mark = if row.translation_bound {
        TRANSLATION_MARK
    } else {
        ""
    };
    format!("{}{mark}", row.workload)
}

/// The cells of one table line: the workload, times, ratios, RSS values and the RSS ratio.
fn table_line(report: &Report, row: &Row) -> Vec<String> {
    let mut cells = vec![
        workload_cell(row),
        time_cell(&row.emu),
        time_cell(&row.qemu),
    ];
    if report.native {
        cells.push(row.native.as_ref().map_or("–".into(), time_cell));
    }
    cells.push(ratio_cell(row.ratio()));
    if report.native {
        cells.push(ratio_cell(row.native_ratio()));
    }
    cells.extend([
        rss_cell(&row.emu),
        rss_cell(&row.qemu),
        ratio_cell(row.rss_ratio()),
    ]);
    cells
}

fn header_cells(report: &Report) -> Vec<&'static str> {
    let mut cells = vec!["workload", "emu (median)", "qemu (median)"];
    if report.native {
        cells.push("native (median)");
    }
    cells.push("emu/qemu");
    if report.native {
        cells.push("emu/native");
    }
    cells.extend(["emu peak RSS", "qemu peak RSS", "RSS emu/qemu"]);
    cells
}

fn geomean_cells(report: &Report) -> Vec<String> {
    let mean = |s: &Series| ratio_cell(report.geomean(s));
    let [time, native, rss] = &SERIES;
    let mut cells = vec!["**geometric mean** (steady state)".to_string()];
    cells.extend(std::iter::repeat_n(
        String::new(),
        if report.native { 3 } else { 2 },
    ));
    cells.push(mean(time));
    if report.native {
        cells.push(mean(native));
    }
    cells.extend([String::new(), String::new(), mean(rss)]);
    cells
}

fn push_line<S: AsRef<str>>(out: &mut String, cells: &[S]) {
    out.push('|');
    for c in cells {
        match c.as_ref() {
            "" => out.push_str(" |"),
            c => {
                let _ = write!(out, " {c} |");
            }
        }
    }
    out.push('\n');
}

/// The markdown report: a heading line, the table and its notes.
pub fn markdown(report: &Report) -> String {
    let mut out = format!(
        "emu-bench: {} guest, {} run(s) per workload and runner, medians.\n\
         emu: `{}`; qemu: `{}`{}.\n\n",
        report.arch,
        report.runs,
        report.emu_command,
        report.qemu_command,
        if report.native {
            "; native: the host"
        } else {
            ""
        }
    );
    let header = header_cells(report);
    push_line(&mut out, &header);
    let align: Vec<&str> = (0..header.len())
        .map(|i| if i == 0 { "---" } else { "---:" })
        .collect();
    push_line(&mut out, &align);
    for row in &report.rows {
        push_line(&mut out, &table_line(report, row));
    }
    push_line(&mut out, &geomean_cells(report));
    if report.rows.iter().any(|r| r.translation_bound) {
        out.push_str(
            "\n†: translation-bound (thousands of functions each run once): measures translation \
             cost, not steady-state speed; it has its own target and is left out of the \
             geometric means.\n",
        );
    }
    out
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_number(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{v:.6}"),
        _ => "null".to_string(),
    }
}

fn json_list(values: impl Iterator<Item = String>) -> String {
    format!("[{}]", values.collect::<Vec<_>>().join(", "))
}

fn json_timing(t: &Timing) -> String {
    match t {
        Timing::Ok(samples) => format!(
            "{{\"median_s\": {}, \"times_s\": {}, \"median_max_rss_kib\": {}, \"max_rss_kib\": {}}}",
            json_number(t.median()),
            json_list(samples.iter().map(|s| json_number(Some(s.seconds)))),
            json_number(t.median_rss_kib()),
            json_list(samples.iter().map(|s| s.max_rss_kib.to_string())),
        ),
        Timing::Failed(why) => format!("{{\"error\": {}}}", json_string(why)),
        Timing::Skipped => "null".to_string(),
    }
}

fn json_row(report: &Report, row: &Row) -> String {
    let mut fields = vec![
        format!("\"name\": {}", json_string(&row.workload)),
        format!(
            "\"kind\": \"{}\"",
            if row.translation_bound {
                "translation"
            } else {
                "steady"
            }
        ),
        format!("\"emu\": {}", json_timing(&row.emu)),
        format!("\"qemu\": {}", json_timing(&row.qemu)),
    ];
    if let Some(native) = &row.native {
        fields.push(format!("\"native\": {}", json_timing(native)));
    }
    for s in report.series() {
        fields.push(format!("\"{}\": {}", s.key, json_number((s.of)(row))));
    }
    format!("{{{}}}", fields.join(", "))
}

/// The JSON document: settings, one object per workload, and the geometric means
/// (`geomean_ratio`, `geomean_native_ratio`, `geomean_rss_ratio`; steady-state workloads only).
pub fn json(report: &Report) -> String {
    let mut out = String::from("{\n");
    let _ = writeln!(out, "  \"arch\": {},", json_string(&report.arch));
    let _ = writeln!(out, "  \"runs\": {},", report.runs);
    let _ = writeln!(out, "  \"emu\": {},", json_string(&report.emu_command));
    let _ = writeln!(out, "  \"qemu\": {},", json_string(&report.qemu_command));
    let _ = writeln!(out, "  \"native\": {},", report.native);
    out.push_str("  \"workloads\": [\n");
    for (i, row) in report.rows.iter().enumerate() {
        let comma = if i + 1 < report.rows.len() { "," } else { "" };
        let _ = writeln!(out, "    {}{comma}", json_row(report, row));
    }
    out.push_str("  ]");
    for s in report.series() {
        let key = format!("geomean_{}", s.key);
        let _ = write!(out, ",\n  \"{key}\": {}", json_number(report.geomean(s)));
    }
    out.push_str("\n}\n");
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::measure::Sample;

    fn ok(times: &[f64], rss: u64) -> Timing {
        Timing::Ok(
            times
                .iter()
                .map(|&seconds| Sample {
                    seconds,
                    max_rss_kib: rss,
                })
                .collect(),
        )
    }

    fn row(name: &str, emu: Timing, qemu: Timing, native: Option<Timing>) -> Row {
        Row {
            workload: name.into(),
            translation_bound: name == "manyfuncs",
            emu,
            qemu,
            native,
        }
    }

    /// A report with hand-computed ratios: emu/qemu 2.0 and 0.5 (geomean 1.0), RSS 4.0 and
    /// 1.0 (geomean 2.0), a failed row and a translation-bound row left out of the means.
    pub(crate) fn report(native: bool) -> Report {
        let n = |t: f64| native.then(|| ok(&[t], 1024));
        Report {
            arch: "riscv64".into(),
            runs: 3,
            emu_command: "emu \"x\"".into(),
            qemu_command: "qemu".into(),
            native,
            rows: vec![
                row("a", ok(&[2.0], 4096), ok(&[1.0], 1024), n(0.5)),
                row("b", ok(&[1.0, 1.0, 9.0], 2048), ok(&[2.0], 2048), n(0.25)),
                row(
                    "c",
                    Timing::Failed("exit status: 1".into()),
                    ok(&[1.0], 1024),
                    n(1.0),
                ),
                row("manyfuncs", ok(&[8.0], 1024), ok(&[1.0], 1024), n(1.0)),
            ],
        }
    }

    #[test]
    fn geomeans_skip_failed_and_translation_bound_rows() {
        let r = report(true);
        let [time, native, rss] = SERIES;
        assert!((r.geomean(&time).unwrap() - 1.0).abs() < 1e-12);
        // emu/native: 4.0 and 4.0
        assert!((r.geomean(&native).unwrap() - 4.0).abs() < 1e-12);
        assert!((r.geomean(&rss).unwrap() - 2.0).abs() < 1e-12);
    }

    #[test]
    fn markdown_has_a_row_per_workload_and_the_means() {
        let md = markdown(&report(false));
        assert!(md.contains("| a | 2.000 s | 1.000 s | 2.00 | 4.0 MiB | 1.0 MiB | 4.00 |"));
        assert!(md.contains("| c | failed: exit status: 1 | 1.000 s | – | – | 1.0 MiB | – |"));
        assert!(md.contains("| manyfuncs † | 8.000 s | 1.000 s | 8.00 |"));
        assert!(md.contains("| **geometric mean** (steady state) | | | 1.00 | | | 2.00 |"));
        assert!(!md.contains("native"));
    }

    #[test]
    fn markdown_with_native_has_its_columns() {
        let md = markdown(&report(true));
        assert!(md.contains("| emu/qemu | emu/native |"));
        assert!(md.contains("| a | 2.000 s | 1.000 s | 0.500 s | 2.00 | 4.00 | 4.0 MiB |"));
        assert!(md.contains("| **geometric mean** (steady state) | | | | 1.00 | 4.00 | | | 2.00 |"));
    }

    #[test]
    fn json_escapes_nulls_and_means() {
        let j = json(&report(false));
        assert!(j.contains("\"emu\": \"emu \\\"x\\\"\""));
        assert!(j.contains("\"ratio\": null"));
        assert!(j.contains("\"kind\": \"translation\""));
        assert!(j.contains("\"max_rss_kib\": [2048, 2048, 2048]"));
        assert!(j.contains("\"geomean_ratio\": 1.000000"));
        assert!(j.contains("\"geomean_rss_ratio\": 2.000000"));
        assert!(!j.contains("native_ratio"));
        assert!(json(&report(true)).contains("\"geomean_native_ratio\": 4.000000"));
    }
}
