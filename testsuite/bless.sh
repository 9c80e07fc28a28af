#!/usr/bin/env bash
# Regenerates the oracle: runs every guest program of an arch under qemu-ARCH and writes
# testsuite/expected/ARCH/NAME.out (stdout) and NAME.status (exit status). Check the result in.
# Programs run exactly as the Rust runner (tests/guest_programs.rs) runs them: arguments from
# the NAME.args file next to the source (one a line), stdin from /dev/null, and only the
# environment below.
#
# Where qemu itself is wrong, testsuite/oracle-fixes/ARCH/NAME.fix corrects its output: lines
# starting '#' give the reason, then pairs of '-LINE' (exactly as qemu prints it) and '+LINE' (what
# the architecture specifies). A '-' line that qemu did not print fails the bless, so a fix cannot
# outlive the qemu bug silently.
#
#   bless.sh [--arch A]... [NAME...]
#
# Without --arch every arch whose compiler is installed is blessed. A NAME selects programs as in
# build.sh (hello -> hello and hello.vec). QEMU_RISCV64 and QEMU_AARCH64 override the qemu binaries.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

qemu_for() {
    case $1 in
        riscv64) echo "${QEMU_RISCV64:-qemu-riscv64}" ;;
        aarch64) echo "${QEMU_AARCH64:-qemu-aarch64}" ;;
    esac
}

compiler_for() {
    case $1 in
        riscv64) echo "${RISCV64_CC:-riscv64-linux-gnu-gcc}" ;;
        aarch64) echo "${AARCH64_CC:-aarch64-linux-gnu-gcc}" ;;
    esac
}

# apply_oracle_fix ARCH NAME OUT: replaces the lines oracle-fixes/ARCH/NAME.fix names in OUT,
# the fresh output of NAME.
apply_oracle_fix() {
    local arch="$1" name="$2" out="$3"
    local fix="$here/oracle-fixes/$arch/$name.fix" old="" line
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
                echo "  $arch/$name: corrected a line qemu gets wrong ($fix)" >&2
                ;;
        esac
    done < "$fix"
}

# bless_arch ARCH [NAME...]
bless_arch() {
    local arch="$1"
    shift
    local qemu exp_dir name source args status tmp
    qemu="$(qemu_for "$arch")"
    exp_dir="$here/expected/$arch"
    "$here/build.sh" --arch "$arch" "$@"
    mkdir -p "$exp_dir"
    while read -r name source; do
        args=()
        if [[ -f "$here/guest/${source%.c}.args" ]]; then
            mapfile -t args < "$here/guest/${source%.c}.args"
        fi
        status=0
        # Write temporary files and rename them, so a test running meanwhile never reads a
        # half-written expected output.
        tmp="$exp_dir/.$name.tmp.$$"
        env -i EMU_TEST_GREETING=hello EMU_TEST_LANG=C PATH=/usr/bin:/bin \
            "$qemu" "$here/build/$arch/$name" "${args[@]}" < /dev/null > "$tmp.out" || status=$?
        echo "$status" > "$tmp.status"
        apply_oracle_fix "$arch" "$name" "$tmp.out"
        mv -f "$tmp.out" "$exp_dir/$name.out"
        mv -f "$tmp.status" "$exp_dir/$name.status"
        echo "  $arch/$name: status $status, $(wc -c < "$exp_dir/$name.out") bytes" >&2
    done < <("$here/build.sh" --arch "$arch" --list "$@")
}

arches=()
names=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --arch)
            IFS=, read -r -a more <<< "${2:?--arch needs a value}"
            arches+=("${more[@]}")
            shift 2
            ;;
        --arch=*)
            IFS=, read -r -a more <<< "${1#--arch=}"
            arches+=("${more[@]}")
            shift
            ;;
        -*) echo "bless.sh: unknown option $1" >&2; exit 2 ;;
        *) names+=("$1"); shift ;;
    esac
done
if [[ ${#arches[@]} -eq 0 ]]; then
    for arch in riscv64 aarch64; do
        if command -v "$(compiler_for "$arch")" > /dev/null; then
            arches+=("$arch")
        else
            echo "bless.sh: skipping $arch: $(compiler_for "$arch") not found" >&2
        fi
    done
fi
for arch in "${arches[@]}"; do
    bless_arch "$arch" "${names[@]}"
done
