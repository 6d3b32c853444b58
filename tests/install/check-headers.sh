#!/bin/sh
# Every public header compiles on its own, twice in a row (include guards),
# as C11 with warnings as errors, and as C++ when g++ is around.  In C++ each
# function a header declares with PCRM_EXTERN is declared again with C
# linkage, which is an error unless the header's extern "C" block already
# gave it that.  The headers are globbed here, so new ones are covered
# without touching this script.
#
#   check-headers.sh SOURCE_ROOT BUILD_ROOT
set -eu

source=$1
build=$2
cc=${CC:-cc}
cxx=${CXX:-g++}
have_cxx=0
command -v "$cxx" >/dev/null 2>&1 && have_cxx=1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcrm-headers-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

incs="-I$source/include -I$build/include"
failed=0
checked=0

check() { # include-name file
	name=$1
	file=$2
	# The typedef keeps a macro-only header from leaving an empty translation unit.
	printf '#include <%s>\n#include <%s>\ntypedef int pcrm_header_check_;\n' "$name" "$name" >"$tmp/t.c"
	# shellcheck disable=SC2086 # $incs is a list of words
	if ! "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only $incs "$tmp/t.c" 2>"$tmp/err"; then
		echo "FAIL (C11): <$name>" >&2
		cat "$tmp/err" >&2
		failed=1
		return 0
	fi
	checked=$((checked + 1))
	[ "$have_cxx" = 1 ] || return 0

	cp "$tmp/t.c" "$tmp/t.cc"
	# PCRM_EXTERN(type) name( on one line, as the headers write it.
	sed -n 's/.*PCRM_EXTERN([^)]*)[[:space:]]*\**[[:space:]]*\(pcrm_[A-Za-z0-9_]*\)[[:space:]]*(.*/\1/p' \
		"$file" | sort -u | while read -r fn; do
		echo "extern \"C\" decltype($fn) $fn;"
	done >>"$tmp/t.cc"
	# shellcheck disable=SC2086
	if ! "$cxx" -x c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only $incs "$tmp/t.cc" 2>"$tmp/err"; then
		echo "FAIL (C++, extern \"C\"): <$name>" >&2
		cat "$tmp/err" >&2
		failed=1
	fi
}

check powercrm.h "$source/include/powercrm.h"
for h in "$source"/include/powercrm/*.h "$build"/include/powercrm/*.h; do
	[ -e "$h" ] || continue
	check "powercrm/$(basename "$h")" "$h"
done

[ "$failed" = 0 ] || exit 1
if [ "$have_cxx" = 1 ]; then
	echo "ok: $checked headers compile alone as C11 and as C++ with C linkage"
else
	echo "ok: $checked headers compile alone as C11 (no $cxx: C++ not checked)"
fi
