#!/bin/sh
# The ABI check itself, on a three-line library built here: a baseline taken
# by abi-baseline.sh, then abi-check.sh must pass the unchanged library and
# one with an added function, and fail one whose caller-allocated struct grew
# a field and one that lost a function.  Guards the flags of both scripts
# (a baseline without source locations, for one, made abidiff file every
# change as private and pass a grown struct).
#
#   abi-selftest.sh ABIDIFF SCRIPTS_DIR
set -u

abidiff=$1
scripts=$2
cc=${CC:-cc}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcrm-abi-selftest-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# variant NAME EXTRA_FIELD EXTRA_FUNCTION KEEP_OLD_FUNCTION
variant() {
	mkdir -p "$tmp/$1/include"
	{
		echo 'typedef struct demo_stats {'
		echo '	unsigned int version;'
		echo '	long calls;'
		[ -n "$2" ] && echo "	long $2;"
		echo '} demo_stats;'
		echo 'int demo_stats_get(demo_stats *out);'
		[ -n "$3" ] && echo "int $3(int x);"
		[ "$4" = 1 ] && echo 'int demo_old(int x);'
	} > "$tmp/$1/include/demo.h"
	{
		echo '#include "demo.h"'
		echo 'int demo_stats_get(demo_stats *out) { out->calls = 1; return 0; }'
		[ -n "$3" ] && echo "int $3(int x) { return x; }"
		[ "$4" = 1 ] && echo 'int demo_old(int x) { return -x; }'
	} > "$tmp/$1/demo.c"
	(cd "$tmp/$1" && "$cc" -g -O0 -fPIC -shared -Iinclude -o libdemo.so demo.c) ||
		{ echo "abi-selftest: cannot build variant $1" >&2; exit 1; }
}

variant base "" "" 1
variant added "" demo_new 1
variant grown dropped "" 1
variant removed "" "" 0

"$scripts/abi-baseline.sh" "$tmp/base/libdemo.so" "$tmp/base/include" "$tmp/base.abi" >/dev/null ||
	{ echo "abi-selftest: abi-baseline.sh failed" >&2; exit 1; }

failed=0
expect() { # pass|fail VARIANT
	"$scripts/abi-check.sh" "$abidiff" "$tmp/base.abi" "$tmp/$2/libdemo.so" \
		"$tmp/$2/include" > "$tmp/$2.out" 2>&1
	rc=$?
	if { [ "$1" = pass ] && [ $rc -ne 0 ]; } || { [ "$1" = fail ] && [ $rc -eq 0 ]; }; then
		echo "abi-selftest: variant $2 should $1, abi-check.sh exited $rc:" >&2
		cat "$tmp/$2.out" >&2
		failed=1
	else
		echo "ok: $2: abi-check.sh ${1}ed as it should"
	fi
}
expect pass base
expect pass added
expect fail grown
expect fail removed
exit $failed
