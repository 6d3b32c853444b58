#!/bin/sh
# The compile-time pins of lib/core/out_layouts.c can fail: compiled against
# the real headers they pass; against a copy whose pcrm_ledger_summary gained
# a field without PCRM_LEDGER_SUMMARY_VERSION raised, the compile fails
# naming the struct.  (On ABIs where the pins are skipped: exit 77.)
#
#   check-out-layouts.sh SOURCE_ROOT BUILD_INCLUDE_DIR CC [CC_ARGS...]
set -eu

source=$1
build_include=$2
shift 2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcrm-layouts-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! printf '#if !(defined(__LP64__) && (defined(__x86_64__) || defined(__aarch64__)))\n#error skipped\n#endif\n' |
	"$@" -x c -fsyntax-only - 2>/dev/null; then
	echo "the pins are skipped on this ABI"
	exit 77
fi


if ! "$@" -std=c11 -fsyntax-only -I"$source/include" -I"$build_include" \
	"$source/lib/core/out_layouts.c"; then
	echo "the pins fail against the real headers"
	exit 1
fi

cp -R "$source/include" "$tmp/include"
sed 's/^} pcrm_ledger_summary;$/\tint64_t grown; \/* appended without a version *\/\n} pcrm_ledger_summary;/' \
	"$source/include/powercrm/ledger.h" >"$tmp/include/powercrm/ledger.h"
if ! grep -q 'int64_t grown;' "$tmp/include/powercrm/ledger.h"; then
	echo "could not grow pcrm_ledger_summary in the copy (ledger.h changed?)"
	exit 1
fi
if "$@" -std=c11 -fsyntax-only -I"$tmp/include" -I"$build_include" \
	"$source/lib/core/out_layouts.c" 2>"$tmp/err"; then
	echo "a grown pcrm_ledger_summary compiled: the pin does not hold"
	exit 1
fi
if ! grep -q 'pcrm_ledger_summary changed' "$tmp/err"; then
	cat "$tmp/err"
	echo "the compile failed, but not on the pin of pcrm_ledger_summary"
	exit 1
fi
echo "pins hold; a grown pcrm_ledger_summary is refused"
