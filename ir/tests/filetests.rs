//! The IR filetest runner: every `testsuite/filetests/*.ir` file is a test.
//!
//! File format (Cranelift style):
//! ```text
//! ; test: optimize            <- first line: print | verify | optimize | a pass name
//! ; any description comments
//! block pc=... {              <- one or more input blocks
//!     ...
//! }
//! ; block pc=... {            <- expected output: the trailing `; ` comment lines
//! ;     ...
//! ; }
//! ```
//! The expected output is the run of comment lines after the last non-comment line. What it
//! holds depends on the test:
//! - `print`: each block as printed after parsing (and the runner checks parse(print(b)) == b);
//!   a parse error is the single line `error: line N: message`.
//! - `verify`: one line per block, `ok` or `error: <substring of the verifier message>`.
//! - a pass name or `optimize`: each block after the pass (input and output must verify).
//!
//! On a mismatch the runner prints a line diff and fails. With `EMU_BLESS=1` it rewrites the
//! expectations in place instead.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use emu_ir::text::parse_blocks;
use emu_ir::verify::verify;
use emu_ir::{passes, Block};

/// A pass, as the tables below name them.
type Pass = fn(&mut Block);

const PASSES: &[(&str, Pass)] = &[
    ("optimize", passes::optimize),
    ("fold_constants", passes::fold_constants),
    ("copy_propagate", passes::copy_propagate),
    ("forward_registers", passes::forward_registers),
    ("eliminate_dead_code", passes::eliminate_dead_code),
];

fn filetest_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testsuite/filetests")
}

/// A filetest split into its parts.
struct FileTest {
    kind: String,
    /// The input lines (everything before the expectations).
    input: Vec<String>,
    /// The expected output, comment markers removed.
    expected: Vec<String>,
}

fn split(text: &str) -> Result<FileTest, String> {
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let kind = lines
        .first()
        .and_then(|l| l.strip_prefix("; test:"))
        .map(|k| k.trim().to_owned())
        .ok_or("first line must be `; test: <kind>`")?;
    let is_code = |l: &String| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with(';')
    };
    let last_code = lines.iter().rposition(is_code).ok_or("no input block")?;
    // Blank lines (and empty `;` lines, which bless writes between blocks) are not compared.
    let expected = lines[last_code + 1..]
        .iter()
        .map(|l| {
            let t = l.trim_start();
            let t = t.strip_prefix(';').unwrap_or(t);
            t.strip_prefix(' ').unwrap_or(t).to_owned()
        })
        .filter(|l| !l.trim().is_empty())
        .collect();
    Ok(FileTest {
        kind,
        input: lines[..=last_code].to_vec(),
        expected,
    })
}

fn block_lines(block: &Block) -> Vec<String> {
    block.to_string().lines().map(str::to_owned).collect()
}

/// The actual output for a test (or a message for a broken test file).
fn run(kind: &str, input: &str) -> Result<Vec<String>, String> {
    let blocks = match parse_blocks(input) {
        Ok(b) => b,
        Err(e) if kind == "print" => return Ok(vec![format!("error: {e}")]),
        Err(e) => return Err(format!("input does not parse: {e}")),
    };
    let mut out = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 && kind != "verify" {
            out.push(String::new());
        }
        match kind {
            "print" => {
                let reparsed = parse_blocks(&block.to_string())
                    .map_err(|e| format!("printed block {i} does not parse: {e}"))?;
                if reparsed.as_slice() != std::slice::from_ref(block) {
                    return Err(format!("block {i} does not round-trip:\n{block}"));
                }
                out.extend(block_lines(block));
            }
            "verify" => out.push(match verify(block) {
                Ok(()) => "ok".to_owned(),
                Err(e) => format!("error: {e}"),
            }),
            pass_name => {
                let pass = PASSES
                    .iter()
                    .find(|(n, _)| *n == pass_name)
                    .map(|(_, p)| *p)
                    .ok_or_else(|| format!("unknown test kind `{pass_name}`"))?;
                verify(block).map_err(|e| format!("input block {i} does not verify: {e}"))?;
                let mut b = block.clone();
                pass(&mut b);
                verify(&b)
                    .map_err(|e| format!("{pass_name} output {i} does not verify: {e}\n{b}"))?;
                out.extend(block_lines(&b));
            }
        }
    }
    Ok(out)
}

/// Does `actual` satisfy `expected`? Equal lines, or for `error:` lines a substring match.
fn line_matches(expected: &str, actual: &str) -> bool {
    match (
        expected.strip_prefix("error:"),
        actual.strip_prefix("error:"),
    ) {
        (Some(want), Some(got)) => got.contains(want.trim()),
        _ => expected == actual,
    }
}

/// A line diff (longest common subsequence): ` ` common, `-` expected only, `+` actual only.
fn diff(expected: &[String], actual: &[String]) -> String {
    let (n, m) = (expected.len(), actual.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if line_matches(&expected[i], &actual[j]) {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < n || j < m {
        if i < n && j < m && line_matches(&expected[i], &actual[j]) {
            out += &format!("  {}\n", actual[j]);
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out += &format!("- {}\n", expected[i]);
            i += 1;
        } else {
            out += &format!("+ {}\n", actual[j]);
            j += 1;
        }
    }
    out
}

fn bless(path: &Path, test: &FileTest, actual: &[String]) {
    let mut text = test.input.join("\n");
    text.push('\n');
    for line in actual {
        text += &if line.is_empty() {
            ";\n".to_owned()
        } else {
            format!("; {line}\n")
        };
    }
    fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Check one file; `Err` carries the report.
fn check_file(path: &Path, blessing: bool) -> Result<(), String> {
    let text = fs::read_to_string(path).map_err(|e| e.to_string())?;
    let test = split(&text)?;
    let actual = run(&test.kind, &test.input.join("\n"))?;
    // Blank separator lines are not kept in the expectations.
    let actual_cmp: Vec<String> = actual.iter().filter(|l| !l.is_empty()).cloned().collect();
    let same = actual_cmp.len() == test.expected.len()
        && test
            .expected
            .iter()
            .zip(&actual_cmp)
            .all(|(e, a)| line_matches(e, a));
    if same {
        return Ok(());
    }
    if blessing {
        bless(path, &test, &actual);
        return Ok(());
    }
    Err(format!(
        "`{}` output differs (- expected, + actual; EMU_BLESS=1 to accept):\n{}",
        test.kind,
        diff(&test.expected, &actual_cmp)
    ))
}

#[test]
fn filetests() {
    common::register_test_helpers();
    let blessing = std::env::var("EMU_BLESS").is_ok_and(|v| v == "1");
    let mut paths: Vec<PathBuf> = fs::read_dir(filetest_dir())
        .expect("testsuite/filetests exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ir"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no filetests found");
    let mut failures = Vec::new();
    for path in &paths {
        if let Err(report) = check_file(path, blessing) {
            failures.push(format!("FAIL {}\n{report}", path.display()));
        }
    }
    eprintln!("{} filetests, {} failed", paths.len(), failures.len());
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn diff_marks_changed_lines() {
    let e: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
    let a: Vec<String> = ["a", "x", "c", "d"].iter().map(|s| s.to_string()).collect();
    assert_eq!(diff(&e, &a), "  a\n- b\n+ x\n  c\n+ d\n");
}
