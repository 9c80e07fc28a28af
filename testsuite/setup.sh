#!/usr/bin/env bash
# Installs what building and testing emu needs on Debian: the riscv64 and aarch64 cross compilers
# and libcs, qemu-user (the oracle and the benchmark peer), cmake (softfloat-sys), a C toolchain,
# and Rust through rustup when cargo is missing; then Debian's busybox-static for arm64 (enables
# the arm64 foreign architecture once, downloads the .deb with apt-get download and unpacks it
# into testsuite/build/sysroot-arm64/ for tests/busybox.rs; a failed download only warns, and
# that test skips). Only missing pieces are installed; safe to rerun.
# Non-interactive; uses sudo when not root.
set -euo pipefail

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    sudo_cmd=(sudo)
fi

# "command package" pairs: the package is needed when the command is missing.
needed=()
while read -r cmd pkg; do
    command -v "$cmd" > /dev/null || needed+=("$pkg")
done <<'LIST'
riscv64-linux-gnu-gcc gcc-riscv64-linux-gnu
aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
qemu-riscv64 qemu-user
cmake cmake
cc build-essential
make build-essential
curl curl
LIST
for pkg in libc6-dev-riscv64-cross libc6-dev-arm64-cross; do
    if ! dpkg -s "$pkg" > /dev/null 2>&1; then
        needed+=("$pkg")
    fi
done

if [[ ${#needed[@]} -gt 0 ]]; then
    echo "setup: installing ${needed[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -q
    "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends ca-certificates "${needed[@]}"
fi

if ! command -v cargo > /dev/null && [[ ! -x "$HOME/.cargo/bin/cargo" ]]; then
    echo "setup: installing Rust with rustup (the toolchain is pinned by rust-toolchain.toml)" >&2
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain none
    echo "setup: Rust is in ~/.cargo/bin; open a new shell or run: . \"\$HOME/.cargo/env\"" >&2
fi

# busybox-static:arm64, unpacked (not installed) into testsuite/build/sysroot-arm64/.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sysroot="$here/build/sysroot-arm64"
if [[ ! -x "$sysroot/bin/busybox" ]]; then
    fetch_busybox() {
        local tmp
        if ! dpkg --print-foreign-architectures | grep -qx arm64; then
            echo "setup: enabling the arm64 architecture for apt (dpkg --add-architecture arm64)" >&2
            "${sudo_cmd[@]}" dpkg --add-architecture arm64
            "${sudo_cmd[@]}" apt-get update -q
        fi
        tmp="$(mktemp -d)"
        chmod 777 "$tmp" # apt's sandbox user (_apt) writes the .deb there
        # apt-get download writes into the current directory, as the calling user.
        if ! (cd "$tmp" && apt-get download -q busybox-static:arm64 > /dev/null); then
            # The package lists may predate the arm64 architecture: refresh them once.
            "${sudo_cmd[@]}" apt-get update -q
            (cd "$tmp" && apt-get download -q busybox-static:arm64 > /dev/null) || { rm -rf "$tmp"; return 1; }
        fi
        rm -rf "$sysroot.tmp"
        mkdir -p "$sysroot.tmp"
        dpkg -x "$tmp"/busybox-static_*_arm64.deb "$sysroot.tmp" || { rm -rf "$tmp"; return 1; }
        rm -rf "$tmp" "$sysroot"
        mv "$sysroot.tmp" "$sysroot"
    }
    if fetch_busybox; then
        echo "setup: unpacked busybox-static:arm64 into $sysroot" >&2
    else
        echo "setup: warning: could not download busybox-static:arm64; tests/busybox.rs will skip" >&2
    fi
fi
