#!/usr/bin/env bash
# Regenerates the oracle: runs every guest program under qemu-riscv64 and writes
# testsuite/expected/riscv64/NAME.out (stdout) and NAME.status (exit status). Check the result
# in. Programs run exactly as the Rust runner (tests/guest_programs.rs) runs them: arguments from
# guest/NAME.args (one a line), stdin from /dev/null, and only the environment below.
#
# Where qemu itself is wrong, testsuite/oracle-fixes/riscv64/NAME.fix corrects its output: lines
# starting '#' give the reason, then pairs of '-LINE' (exactly as qemu prints it) and '+LINE' (what
# the architecture specifies). A '-' line that qemu did not print fails the bless, so a fix cannot
# outlive the qemu bug silently.
#
#   bless.sh [NAME...]     (QEMU_RISCV64 overrides the qemu binary)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
qemu="${QEMU_RISCV64:-qemu-riscv64}"
exp_dir="$here/expected/riscv64"
"$here/build.sh" "$@"
mkdir -p "$exp_dir"

# Replaces the lines a NAME.fix file names in the freshly written NAME.out.
apply_oracle_fix() {
    local fix="$here/oracle-fixes/riscv64/$1.fix" out="$exp_dir/$1.out" old="" line
    [[ -f $fix ]] || return 0
    while IFS= read -r line; do
        case $line in
            '#'* | '') ;;
            -*) old=${line:1} ;;
            +*)
                if ! grep -qxF -- "$old" "$out"; then
                    echo "bless: $fix: qemu no longer prints: $old" >&2
                    exit 1
                fi
                OLD="$old" NEW="${line:1}" perl -i -pe 'chomp; $_ = $ENV{NEW} if $_ eq $ENV{OLD}; $_ .= "\n"' "$out"
                echo "  $1: corrected a line qemu gets wrong ($fix)" >&2
                ;;
        esac
    done < "$fix"
}

names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then
    mapfile -t names < <("$here/build.sh" --list)
fi
for name in "${names[@]}"; do
    args=()
    if [[ -f "$here/guest/$name.args" ]]; then
        mapfile -t args < "$here/guest/$name.args"
    fi
    status=0
    env -i EMU_TEST_GREETING=hello EMU_TEST_LANG=C PATH=/usr/bin:/bin \
        "$qemu" "$here/build/riscv64/$name" "${args[@]}" < /dev/null > "$exp_dir/$name.out" || status=$?
    echo "$status" > "$exp_dir/$name.status"
    apply_oracle_fix "$name"
    echo "  $name: status $status, $(wc -c < "$exp_dir/$name.out") bytes" >&2
done
