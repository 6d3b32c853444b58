#!/bin/sh
# Installs the build into a scratch DESTDIR and uses it the way a user
# would: pkg-config for the flags, the installed soname at run time.  Catches
# headers missing from the install list, a broken .pc file, a wrong soname and
# rpaths that point back into the build tree.
#
#   check-install.sh BUILD_ROOT SOURCE_ROOT HELLO_C
set -eu

build=$1
source=$2
hello=$3
meson=${MESON:-meson}
cc=${CC:-cc}

fail() {
	echo "check-install: $*" >&2
	exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcrm-install-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Make a signal run the EXIT trap too.
trap 'exit 130' INT
trap 'exit 143' TERM
root=$tmp/root

"$meson" install -C "$build" --no-rebuild --destdir "$root" --quiet

pc=$(find "$root" -path '*/pkgconfig/powercrm.pc' | head -n 1)
[ -n "$pc" ] || fail "no pkgconfig/powercrm.pc under the install"
pcdir=$(dirname "$pc")
libdir=$(dirname "$pcdir")
echo "installed: $pc"

# The .pc file holds the real prefix; the sysroot maps it into the DESTDIR.
# PKG_CONFIG_LIBDIR hides the system's .pc files: a user who has only
# powercrm.pc (no sqlite3.pc, libpq.pc, ... of the library's private
# dependencies) must still get the flags, and none of the private
# dependencies' flags may reach the compile line (the public headers
# include none of them).
PKG_CONFIG_PATH=$pcdir
PKG_CONFIG_LIBDIR=$pcdir
PKG_CONFIG_SYSROOT_DIR=$root
export PKG_CONFIG_PATH PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
flags=$(pkg-config --cflags --libs powercrm) || fail "pkg-config --cflags --libs powercrm failed with only powercrm.pc installed"
for word in $flags; do
	case $word in
	-lpowercrm | -L* | -I"$root"*) ;;
	*) fail "a private dependency leaks into the flags ($word): $flags" ;;
	esac
done
pkg-config --static --libs powercrm >/dev/null || fail "pkg-config --static --libs powercrm failed"
echo "pkg-config: $flags"
case $flags in
*"$build"*) fail "the pkg-config flags point into the build tree: $flags" ;;
esac
includedir=$root$(PKG_CONFIG_SYSROOT_DIR='' pkg-config --variable=includedir powercrm)

# Headers: the umbrella, the generated version header, and every module
# header of the source tree (a header missing from include/powercrm/meson.build
# would only break users).
for h in powercrm.h powercrm/version.h; do
	[ -f "$includedir/$h" ] || fail "$h is not installed in $includedir"
done
for h in "$source"/include/powercrm/*.h; do
	[ -e "$h" ] || continue
	name=$(basename "$h")
	[ -f "$includedir/powercrm/$name" ] || fail "include/powercrm/$name is not installed"
done

# The library: the soname carries the ABI version, the dev symlink exists,
# and no rpath leads back into the build tree.
lib=$libdir/libpowercrm.so.0
[ -f "$lib" ] || fail "$lib is not installed"
[ -L "$libdir/libpowercrm.so" ] || fail "the libpowercrm.so development symlink is missing"
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
[ "$soname" = libpowercrm.so.0 ] || fail "soname is '$soname', expected libpowercrm.so.0"
if readelf -d "$lib" | grep -E '\((RPATH|RUNPATH)\)' | grep -F "$build" >/dev/null; then
	fail "the installed library keeps an rpath into the build tree"
fi

# A sanitizer build installs an instrumented library; its users link the runtime too.
case ${PCRM_SANITIZE:-none} in
none | '') ;;
*) flags="-fsanitize=$PCRM_SANITIZE $flags" ;;
esac
# shellcheck disable=SC2086 # $flags is a list of words
"$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror -o "$tmp/hello" "$hello" $flags ||
	fail "hello.c does not build against the installed library"
out=$(LD_LIBRARY_PATH=$libdir "$tmp/hello") || fail "hello failed: $out"
echo "$out"
loaded=$(LD_LIBRARY_PATH=$libdir ldd "$tmp/hello" | sed -n 's/.*libpowercrm[^ ]* => \([^ ]*\).*/\1/p')
case $loaded in
"$libdir"/*) ;;
*) fail "hello loaded libpowercrm from '$loaded', not from the install" ;;
esac

header_version=$(sed -n 's/^#define PCRM_VERSION_STRING "\(.*\)"$/\1/p' "$includedir/powercrm/version.h")
[ -n "$header_version" ] || fail "no PCRM_VERSION_STRING in the installed version.h"
echo "$out" | grep -qx "libpowercrm $header_version" || fail "hello printed no 'libpowercrm $header_version'"
echo "$out" | grep -qx 'EINVAL: invalid input' || fail "pcrm_strerror(PCRM_EINVAL) is not 'invalid input'"
# The operator's tool: installed beside the library with its man page, and it
# runs from the install (the installed soname, not the build tree's).
tool=$(find "$root" -path '*/bin/powercrm' -type f | head -n 1)
[ -n "$tool" ] || fail "bin/powercrm is not installed"
find "$root" -path '*/man1/powercrm.1*' | grep -q . || fail "the powercrm(1) man page is not installed"
tool_out=$(LD_LIBRARY_PATH=$libdir "$tool" --version) || fail "powercrm --version failed: $tool_out"
echo "$tool_out" | grep -q "libpowercrm $header_version" || fail "powercrm --version printed '$tool_out'"
echo "ok: libpowercrm $header_version installs and links; $tool_out"
