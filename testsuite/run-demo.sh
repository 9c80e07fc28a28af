#!/usr/bin/env bash
# The demo: builds the `hello` guest for riscv64 and the emu-user binary (release), then runs
# the guest under emu-user next to qemu-riscv64. Extra arguments name other guest programs to
# run instead (e.g. run-demo.sh sha256 nbody); `--arch aarch64` picks the other guest arch
# (e.g. run-demo.sh --arch aarch64 hello nbody.vec).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
export PATH="$HOME/.cargo/bin:$PATH"
arch=riscv64
programs=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --arch) arch="${2:?--arch needs riscv64 or aarch64}"; shift 2 ;;
        --arch=*) arch="${1#--arch=}"; shift ;;
        *) programs+=("$1"); shift ;;
    esac
done
if [[ ${#programs[@]} -eq 0 ]]; then
    programs=(hello)
fi

"$here/build.sh" --arch "$arch" "${programs[@]}"
(cd "$root" && cargo build --release -p emu-linux-user --bin emu-user)
emu="${CARGO_TARGET_DIR:-$root/target}/release/emu-user"
for name in "${programs[@]}"; do
    guest="$here/build/$arch/$name"
    args=()
    source="$("$here/build.sh" --arch "$arch" --list "$name" | awk -v n="$name" '$1 == n { print $2 }')"
    if [[ -n $source && -f "$here/guest/${source%.c}.args" ]]; then
        mapfile -t args < "$here/guest/${source%.c}.args"
    fi
    echo "\$ emu-user ${guest#"$root/"}"
    status=0
    "$emu" "$guest" "${args[@]}" || status=$?
    echo "(exit status $status)"
    if command -v "qemu-$arch" > /dev/null; then
        echo "\$ qemu-$arch ${guest#"$root/"}"
        "qemu-$arch" "$guest" "${args[@]}" || echo "(exit status $?)"
    fi
done
