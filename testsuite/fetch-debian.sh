#!/usr/bin/env bash
# Usage: fetch-debian.sh ARCH   (ARCH: a Debian architecture, arm64 or amd64)
#
# Downloads real Debian programs of ARCH (busybox-static, interpreters, compressors, sqlite3,
# text tools) and the libraries they need with `apt-get download` (nothing is installed) and
# unpacks them into testsuite/build/debian-ARCH/root: the sysroot tests/real_programs.rs runs
# them from (with -L) under emu-user and the oracle (qemu-aarch64 for arm64; for amd64 the host
# itself, through the sysroot's own ld.so). Enables dpkg's ARCH architecture if it is foreign.
# Safe to rerun: does nothing once the sysroot holds this package list. Exit status 1 when the
# download fails (the tests then skip with the reason).
set -euo pipefail

arch="${1:?usage: fetch-debian.sh ARCH (arm64 or amd64)}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="$here/build/debian-$arch"
root="$dest/root"
packages=(
    libc6 libgcc-s1 libstdc++6 zlib1g libtinfo6 libncursesw6 libreadline8 libselinux1
    libpcre2-8-0 libacl1 libattr1 libgmp10 libmpfr6 libsigsegv2 libcrypt1 libexpat1 libssl3
    busybox-static lua5.4 liblua5.4-0 gzip xz-utils liblzma5 bzip2 libbz2-1.0 sqlite3
    libsqlite3-0 bc jq libjq1 libonig5 gawk grep sed coreutils perl-base
    python3.11-minimal libpython3.11-minimal
)
stamp="$dest/complete"
if [[ -f $stamp && $(cat "$stamp") == "${packages[*]}" ]]; then
    exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    sudo_cmd=(sudo)
fi
if [[ $(dpkg --print-architecture) != "$arch" ]] && ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    echo "fetch-debian: enabling the $arch architecture (dpkg --add-architecture $arch)" >&2
    "${sudo_cmd[@]}" dpkg --add-architecture "$arch"
    "${sudo_cmd[@]}" apt-get update -q
fi

rm -rf "$dest"
mkdir -p "$dest/debs"
cd "$dest/debs"
chmod 777 . # apt's sandbox user (_apt) writes the .deb files here
if ! apt-get download -q "${packages[@]/%/:$arch}" > /dev/null; then
    # The package lists may predate the architecture (or be missing): refresh them once.
    "${sudo_cmd[@]}" apt-get update -q
    apt-get download -q "${packages[@]/%/:$arch}" > /dev/null
fi
mkdir -p "$root.tmp"
for deb in *.deb; do
    dpkg -x "$deb" "$root.tmp"
done
mv "$root.tmp" "$root"
echo "${packages[*]}" > "$stamp"
echo "fetch-debian: $(ls | wc -l) $arch packages unpacked into ${root#"$here/"}" >&2
