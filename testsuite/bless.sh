#!/usr/bin/env bash
# Regenerates the oracle: runs every guest program under qemu-riscv64 and writes
# testsuite/expected/riscv64/NAME.out (stdout) and NAME.status (exit status). Check the result
# in. Programs run exactly as the Rust runner (tests/guest_programs.rs) runs them: arguments from
# guest/NAME.args (one a line), stdin from /dev/null, and only the environment below.
#
#   bless.sh [NAME...]     (QEMU_RISCV64 overrides the qemu binary)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
qemu="${QEMU_RISCV64:-qemu-riscv64}"
exp_dir="$here/expected/riscv64"
"$here/build.sh" "$@"
mkdir -p "$exp_dir"

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
    echo "  $name: status $status, $(wc -c < "$exp_dir/$name.out") bytes" >&2
done
