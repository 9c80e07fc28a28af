#!/usr/bin/env bash
# The demo: builds the `hello` guest for riscv64 and the emu-user binary (release), then runs
# the guest under emu-user next to qemu-riscv64. Extra arguments name other guest programs from
# testsuite/guest/ to run instead (e.g. run-demo.sh sha256 nbody).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
export PATH="$HOME/.cargo/bin:$PATH"
programs=("$@")
if [[ ${#programs[@]} -eq 0 ]]; then
    programs=(hello)
fi

"$here/build.sh" "${programs[@]}"
(cd "$root" && cargo build --release -p emu-linux-user --bin emu-user)
emu="${CARGO_TARGET_DIR:-$root/target}/release/emu-user"
for name in "${programs[@]}"; do
    guest="$here/build/riscv64/$name"
    echo "\$ emu-user ${guest#"$root/"}"
    status=0
    "$emu" "$guest" || status=$?
    echo "(exit status $status)"
    if command -v qemu-riscv64 > /dev/null; then
        echo "\$ qemu-riscv64 ${guest#"$root/"}"
        qemu-riscv64 "$guest" || echo "(exit status $?)"
    fi
done
