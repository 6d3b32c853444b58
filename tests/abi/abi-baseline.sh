#!/bin/sh
# Writes the ABI baseline (abi/libpowercrm.abi) from a built library: what
# `make abi-baseline` runs, on purpose, at a release or after an intended
# break (docs/abi.md).  Only types reachable from the public headers are kept;
# no source locations or build paths, so the file changes only when the ABI does.
#
#   abi-baseline.sh LIBRARY HEADERS_DIR OUT
set -eu

lib=$1
headers=$2
out=$3

abidw --headers-dir "$headers" --drop-private-types \
	--no-corpus-path --no-comp-dir-path --out-file "$out.tmp" "$lib"
mv "$out.tmp" "$out"
echo "abi-baseline: wrote $out from $lib"
