#!/bin/sh
# The shared library's ABI against the committed baseline (abi/libpowercrm.abi,
# docs/abi.md).  abidiff compares the two; only types reachable from the public
# headers count (--headers-dir2), so internal structs may change freely.
#
# What passes: no change, or only additions (new functions, new variables):
# other work adds public functions between releases and the baseline is taken
# again at release time (`make abi-baseline`).  What fails: a removed function
# or variable, or a changed one: a changed parameter or return type, or a type
# it reaches that changed size or layout (a field added to a caller-allocated
# struct).  abidiff's own exit status is a bit set (ABIDIFF_ERROR 1,
# ABIDIFF_USAGE_ERROR 2, ABIDIFF_ABI_CHANGE 4, ABIDIFF_ABI_INCOMPATIBLE_CHANGE
# 8); bit 8 only covers removals, and a grown struct sets bit 4 just as an
# added function does, so with bit 4 the summary lines decide.
#
#   abi-check.sh ABIDIFF BASELINE LIBRARY HEADERS_DIR
set -u

abidiff=$1
baseline=$2
lib=$3
headers=$4

[ -f "$baseline" ] || { echo "abi-check: no baseline $baseline (make abi-baseline)" >&2; exit 1; }
[ -f "$lib" ] || { echo "abi-check: no $lib" >&2; exit 1; }

report=$("$abidiff" --headers-dir2 "$headers" "$baseline" "$lib" 2>&1)
rc=$?

if [ $((rc & 3)) -ne 0 ]; then
	echo "abi-check: abidiff failed (exit $rc):" >&2
	echo "$report" >&2
	exit 1
fi
if [ "$rc" -eq 0 ]; then
	echo "ok: the ABI is the baseline's"
	exit 0
fi

# "Functions changes summary: 0 Removed, 1 Changed (2 filtered out), 3 Added
# functions", the same for variables and for ELF symbols without debug
# information.  Any removed or (not filtered out) changed entry is a break.
breaks=$(echo "$report" | awk '
	/changes summary:/ {
		line = $0
		sub(/.*summary: */, "", line)
		n = split(line, part, ",")
		for (i = 1; i <= n; i++) {
			p = part[i]
			sub(/^ */, "", p)
			split(p, w, " ")
			if ((w[2] == "Removed" || w[2] == "Changed") && w[1] + 0 > 0)
				print
		}
	}' | sort -u)

if [ $((rc & 8)) -ne 0 ] || [ -n "$breaks" ]; then
	echo "abi-check: incompatible ABI change against $baseline (abidiff exit $rc):" >&2
	echo "$report" >&2
	echo "" >&2
	echo "A change users must recompile for.  Keep the old layout or signature, or," >&2
	echo "if the break is intended, see docs/abi.md (make abi-baseline)." >&2
	exit 1
fi

echo "ok: compatible additions only (abidiff exit $rc); the baseline is taken again at release:"
echo "$report"
exit 0
