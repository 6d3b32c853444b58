#!/bin/sh
# Runs libFuzzer targets built by `make fuzz` (meson -Dfuzz=true, clang, ASan + UBSan).
#
#   tests/fuzz/run_fuzz.sh BUILD_DIR SECONDS MERGE TARGET...
#
# (`make fuzz` passes every target, or FUZZ_TARGETS.)
#
# Each target runs SECONDS on a scratch copy of its seed corpus
# (tests/fuzz/corpus/<name>/), so a run never changes the checked-in corpus;
# with MERGE=1 the inputs that reach new coverage are merged back into it
# afterwards (libFuzzer -merge=1, which keeps only inputs adding coverage).
# A crash, leak, sanitizer report or broken invariant leaves the input in
# BUILD_DIR/fuzz-artifacts/ and makes the script fail after all targets ran.
# Prints one line per target: name, seconds, executions, result.
set -u

build=$1 seconds=$2 merge=$3
shift 3
src=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then
	echo "usage: $0 BUILD_DIR SECONDS MERGE TARGET..." >&2
	exit 2
fi
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/pcrm-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=""
summary=""
for name in "$@"; do
	bin="$build/tests/fuzz/fuzz_$name"
	corpus="$src/corpus/$name"
	if [ ! -x "$bin" ]; then
		echo "run_fuzz: no target $bin" >&2
		failed="$failed $name"
		continue
	fi
	work="$scratch/$name"
	mkdir -p "$work"
	cp "$corpus"/* "$work"/ 2>/dev/null
	log="$artifacts/$name.log"
	echo "== fuzz_$name for ${seconds}s (log: $log)"
	"$bin" -max_total_time="$seconds" -print_final_stats=1 \
		-artifact_prefix="$artifacts/$name-" "$work" >"$log" 2>&1
	status=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ $status -eq 0 ]; then
		result=ok
	else
		result="FAILED (exit $status; see $log)"
		failed="$failed $name"
		grep -m 3 -E 'ERROR|invariant failed|runtime error' "$log" >&2
	fi
	summary="$summary$(printf '%-16s %6ss %12s executions  %s' "$name" "$seconds" "${execs:-?}" "$result")
"
	if [ "$merge" = 1 ] && [ $status -eq 0 ]; then
		"$bin" -merge=1 "$corpus" "$work" >>"$log" 2>&1 ||
			{ echo "run_fuzz: merging into $corpus failed (see $log)" >&2; failed="$failed $name"; }
	fi
done
echo
echo "target              time   executions  result"
printf '%s' "$summary"
if [ -n "$failed" ]; then
	echo "run_fuzz: failed:$failed" >&2
	exit 1
fi
