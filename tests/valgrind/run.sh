#!/bin/sh
# make valgrind: every Criterion test program of a build under valgrind
# memcheck.  Criterion runs each test in a worker process it executes anew,
# so valgrind follows children (--trace-children=yes) but not the throwaway
# PostgreSQL server's programs or the shell (they are not ours and would
# only be slow).  By default the PostgreSQL variants are filtered out
# (SQLite-backed and store-less tests run); VALGRIND_FILTER='*' runs all.
#
# Fails when a test fails or valgrind reports any error: a definite leak
# (--errors-for-leak-kinds=definite), an invalid read or write, a use of an
# uninitialised value.  "Possibly lost" blocks are Criterion's own (its
# nanomsg threads at exit) and are not counted.
#
#   tests/valgrind/run.sh BUILD_DIR [FILTER]
set -u

build=${1:-build}
filter=${2:-'!(*_pg/*)'}
logs="$build/valgrind"
root=$(pwd)
build_root=$(cd "$build" && pwd) || exit 1

rm -rf "$logs"
mkdir -p "$logs" || exit 1
failed=0
programs=0
tests=0
for t in $(find "$build/tests" -type f -name 'test_*' -perm -u+x | sort); do
	name=$(basename "$t")
	case "$name" in
	# PostgreSQL only, with server hooks of its own: nothing left under the default filter
	test_store_pgtmp) continue ;;
	esac
	programs=$((programs + 1))
	PCRM_SOURCE_ROOT="$root" PCRM_BUILD_ROOT="$build_root" \
	valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
		--trace-children=yes \
		--trace-children-skip='/usr/lib/postgresql/*,/bin/*,/usr/bin/*' \
		--log-file="$logs/$name.%p.log" \
		"$t" --jobs 1 --filter "$filter" --short-filename \
		>"$logs/$name.out" 2>&1
	rc=$?
	ran=$(sed -n 's/.*Tested: \([0-9]*\).*/\1/p' "$logs/$name.out" | tail -1)
	tests=$((tests + ${ran:-0}))
	errors=$(cat "$logs/$name".*.log 2>/dev/null |
		sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' | awk '{s += $1} END {print s + 0}')
	printf '%-28s %4s tests  %3s valgrind errors  exit %s\n' "$name" "${ran:-?}" "$errors" "$rc"
	if [ "$rc" -ne 0 ] || [ "$errors" -ne 0 ]; then
		failed=1
		grep -l 'ERROR SUMMARY: [1-9]' "$logs/$name".*.log 2>/dev/null | head -3 | xargs -r cat
		grep -E 'FAIL|Warning|Crash' "$logs/$name.out" | head -20
	fi
done
definite=$(cat "$logs"/*.log | grep -c 'definitely lost in')
invalid=$(cat "$logs"/*.log | grep -c 'Invalid read\|Invalid write')
echo "valgrind: $programs programs, $tests tests (filter $filter), $definite definite leaks," \
	"$invalid invalid reads/writes; logs in $logs"
exit $failed
