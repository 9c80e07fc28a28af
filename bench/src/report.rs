//! Reporting: a markdown table (workload, emu median, qemu median, emu/qemu ratio, and the
//! geometric mean of the ratios) and the same data as JSON for `bench/results.json`.

use std::fmt::Write as _;

use crate::measure::{geometric_mean, Timing};

/// One row: a workload's timings under both emulators.
#[derive(Clone, Debug)]
pub struct Row {
    pub workload: String,
    pub emu: Timing,
    pub qemu: Timing,
}

impl Row {
    /// emu time / qemu time, when both ran correctly.
    pub fn ratio(&self) -> Option<f64> {
        Some(self.emu.median()? / self.qemu.median()?)
    }
}

/// The geometric mean of the ratios of the rows where both ran.
pub fn geomean_ratio(rows: &[Row]) -> Option<f64> {
    let ratios: Vec<f64> = rows.iter().filter_map(Row::ratio).collect();
    geometric_mean(&ratios)
}

fn cell(t: &Timing) -> String {
    match t {
        Timing::Ok(_) => format!("{:.3} s", t.median().unwrap_or(f64::NAN)),
        Timing::Failed(why) => format!("failed: {}", why.replace('|', "/")),
        Timing::Skipped => "not run".to_string(),
    }
}

fn ratio_cell(r: Option<f64>) -> String {
    r.map_or_else(|| "–".to_string(), |r| format!("{r:.2}"))
}

/// The markdown table.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| workload | emu (median) | qemu (median) | emu/qemu |\n|---|---:|---:|---:|\n",
    );
    for row in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            row.workload,
            cell(&row.emu),
            cell(&row.qemu),
            ratio_cell(row.ratio())
        );
    }
    let _ = writeln!(
        out,
        "| **geometric mean** | | | {} |",
        ratio_cell(geomean_ratio(rows))
    );
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

fn json_timing(t: &Timing) -> String {
    match t {
        Timing::Ok(times) => {
            let list: Vec<String> = times.iter().map(|v| json_number(Some(*v))).collect();
            format!(
                "{{\"median_s\": {}, \"times_s\": [{}]}}",
                json_number(t.median()),
                list.join(", ")
            )
        }
        Timing::Failed(why) => format!("{{\"error\": {}}}", json_string(why)),
        Timing::Skipped => "null".to_string(),
    }
}

/// The JSON document: settings, one object per workload, and the geometric mean.
pub fn json(rows: &[Row], runs: usize, emu_command: &str, qemu_command: &str) -> String {
    let mut out = String::from("{\n");
    let _ = writeln!(out, "  \"runs\": {runs},");
    let _ = writeln!(out, "  \"emu\": {},", json_string(emu_command));
    let _ = writeln!(out, "  \"qemu\": {},", json_string(qemu_command));
    out.push_str("  \"workloads\": [\n");
    for (i, row) in rows.iter().enumerate() {
        let _ = writeln!(
            out,
            "    {{\"name\": {}, \"emu\": {}, \"qemu\": {}, \"ratio\": {}}}{}",
            json_string(&row.workload),
            json_timing(&row.emu),
            json_timing(&row.qemu),
            json_number(row.ratio()),
            if i + 1 < rows.len() { "," } else { "" }
        );
    }
    out.push_str("  ],\n");
    let _ = writeln!(
        out,
        "  \"geomean_ratio\": {}",
        json_number(geomean_ratio(rows))
    );
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<Row> {
        vec![
            Row {
                workload: "a".into(),
                emu: Timing::Ok(vec![2.0]),
                qemu: Timing::Ok(vec![1.0]),
            },
            Row {
                workload: "b".into(),
                emu: Timing::Ok(vec![1.0, 1.0, 9.0]),
                qemu: Timing::Ok(vec![2.0]),
            },
            Row {
                workload: "c".into(),
                emu: Timing::Failed("exit status: 1".into()),
                qemu: Timing::Ok(vec![1.0]),
            },
        ]
    }

    #[test]
    fn geomean_skips_failed_rows() {
        // ratios 2.0 and 0.5 -> geometric mean 1.0
        assert!((geomean_ratio(&rows()).unwrap() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn markdown_has_a_row_per_workload_and_the_mean() {
        let md = markdown(&rows());
        assert!(md.contains("| a | 2.000 s | 1.000 s | 2.00 |"));
        assert!(md.contains("| c | failed: exit status: 1 | 1.000 s | – |"));
        assert!(md.contains("| **geometric mean** | | | 1.00 |"));
    }

    #[test]
    fn json_escapes_and_nulls() {
        let j = json(&rows(), 3, "emu \"x\"", "qemu");
        assert!(j.contains("\"emu\": \"emu \\\"x\\\"\""));
        assert!(j.contains("\"ratio\": null"));
        assert!(j.contains("\"geomean_ratio\": 1.000000"));
    }
}
