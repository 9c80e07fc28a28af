#!/usr/bin/env bash
# Builds the guest test programs: testsuite/guest/NAME.c -> testsuite/build/riscv64/NAME with
# riscv64-linux-gnu-gcc -O2 -static, plus the flags in guest/NAME.cflags if present (extra words
# for the compiler line, e.g. -latomic), and the -march variants listed below.
# Incremental: a program is rebuilt only when its source, flags or this script are newer.
#
#   build.sh            build every program
#   build.sh NAME...    build only these programs
#   build.sh --list     print the program names, one a line (the variants included)
#
# Environment: RISCV64_CC overrides the compiler.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src_dir="$here/guest"
out_dir="$here/build/riscv64"
cc="${RISCV64_CC:-riscv64-linux-gnu-gcc}"
base_flags=(-O2 -static)

# Extra builds of an existing source: "NAME SOURCE FLAGS...".
variants=(
    "bitmanip_zbb bitmanip.c -march=rv64gc_zba_zbb_zbs"
    "rv64_alu_zbb rv64_alu.c -march=rv64gc_zba_zbb_zbs"
)

# Prints "NAME SOURCE [FLAGS...]" for every program.
programs() {
    local src name
    for src in "$src_dir"/*.c; do
        name="$(basename "$src" .c)"
        echo "$name $name.c"
    done
    printf '%s\n' "${variants[@]}"
}

# build_one NAME SOURCE [EXTRA_FLAGS...]
build_one() {
    local name="$1" source="$src_dir/$2" cflags_file="$src_dir/${2%.c}.cflags"
    shift 2
    local out="$out_dir/$name"
    local extra=()
    if [[ -f "$cflags_file" ]]; then
        read -r -a extra < "$cflags_file"
    fi
    if [[ -f "$out" && "$out" -nt "$source" && "$out" -nt "${BASH_SOURCE[0]}" &&
          ( ! -f "$cflags_file" || "$out" -nt "$cflags_file" ) ]]; then
        return 0
    fi
    echo "  CC  $name" >&2
    # Link to a temporary name and rename, so a reader never sees a half-written binary.
    local tmp="$out.tmp.$$"
    "$cc" "${base_flags[@]}" "$@" -o "$tmp" "$source" -lm "${extra[@]}"
    mv -f "$tmp" "$out"
}

if [[ "${1:-}" == "--list" ]]; then
    programs | cut -d' ' -f1
    exit 0
fi

if ! command -v "$cc" > /dev/null; then
    echo "build.sh: $cc not found (apt-get install gcc-riscv64-linux-gnu libc6-dev-riscv64-cross)" >&2
    exit 2
fi
mkdir -p "$out_dir"
wanted=" $* "
while read -r name source flags; do
    if [[ $# -gt 0 && "$wanted" != *" $name "* ]]; then
        continue
    fi
    # shellcheck disable=SC2086 # flags are words on purpose
    build_one "$name" "$source" $flags
done < <(programs)
