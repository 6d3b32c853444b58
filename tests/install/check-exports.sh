#!/bin/sh
# The shared library exports exactly the public API: functions named pcrm_*
# (PCRM_EXTERN), each under the symbol version POWERCRM_0 of the version
# script lib/libpowercrm.map, nothing else.  An internal pcrm__* function, a helper that
# lost its `static`, a global variable or a symbol of a static dependency in
# the dynamic symbol table becomes ABI that users can link against.
#
#   check-exports.sh LIBRARY
set -eu

lib=$1
[ -f "$lib" ] || { echo "check-exports: no $lib" >&2; exit 1; }

# nm -D --defined-only prints "ADDRESS TYPE NAME"; T is a function in .text.
# _init, _fini, _edata, _end and __bss_start are made by the linker, not by
# our code; binutils 2.40 (Debian 12) keeps them out of .dynsym, older or
# other linkers put them in.  They and the version node itself (an absolute
# symbol POWERCRM_0) are the only names let through.  nm prints a versioned
# name as pcrm_foo@@POWERCRM_0.
symbols=$(nm -D --defined-only "$lib")
[ -n "$symbols" ] || { echo "check-exports: $lib exports nothing" >&2; exit 1; }
bad=$(echo "$symbols" | awk '
	NF < 3 { next }
	$3 ~ /^(_init|_fini|_edata|_end|__bss_start)$/ { next }
	$2 == "A" && $3 ~ /^POWERCRM_0(@@POWERCRM_0)?$/ { next }
	$2 == "T" && $3 ~ /^pcrm_[a-z0-9][a-z0-9_]*@@POWERCRM_0$/ { next }
	{ print "  " $2 " " $3 }')
count=$(echo "$symbols" | awk '$2 == "T" && $3 ~ /^pcrm_[a-z0-9]/' | wc -l)
[ "$count" -gt 0 ] || { echo "check-exports: $lib exports no pcrm_* function" >&2; exit 1; }
if [ -n "$bad" ]; then
	echo "check-exports: $lib exports symbols outside the public API:" >&2
	echo "$bad" >&2
	exit 1
fi
echo "ok: $count pcrm_* functions exported as POWERCRM_0, nothing else"
