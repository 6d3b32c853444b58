#!/bin/sh
# The Python package as a user installs it: `pip install ./bindings/python`
# into a fresh virtual environment (of Debian's Python, with its site packages
# for meson-python, meson and ninja: PyPI is not reachable, hence
# --no-build-isolation --no-index) against this build tree's library through
# its uninstalled pkg-config file.  Then, with the venv's interpreter and
# outside both trees: the package imports from the venv (not the build tree),
# its version is the library's, `from powercrm import *` binds __all__ and
# leaves the builtin open() alone, py.typed ships, and a store opens.
#
# The sources are copied first (the package's directory and VERSION, all its
# build reads from the repository), so the build writes nothing into the
# source tree.
#
#   check-package.sh PYTHON SOURCE_ROOT BUILD_ROOT
set -eu

python=$1
source=$2
build=$3

if ! "$python" -c 'import mesonpy, venv' 2>/dev/null; then
	echo "meson-python or venv missing for $python (apt-get install python3-mesonpy python3-venv)"
	case ${CI:-} in true|1|yes) exit 1 ;; esac
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcrm-pypkg-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$tmp/src/bindings"
cp "$source/VERSION" "$tmp/src/"
cp -R "$source/bindings/python" "$tmp/src/bindings/"
rm -rf "$tmp/src/bindings/python/.mesonpy"*

"$python" -m venv --system-site-packages "$tmp/venv"
PKG_CONFIG_PATH="$build/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" \
	"$tmp/venv/bin/python" -m pip install --no-build-isolation --no-index \
	--no-cache-dir --disable-pip-version-check --quiet "$tmp/src/bindings/python"

cd "$tmp"
PYTHONPATH= PYTHONDONTWRITEBYTECODE=1 "$tmp/venv/bin/python" - "$tmp/venv" "$(cat "$source/VERSION")" <<'PY'
import builtins
import os
import sys

venv, want = sys.argv[1], sys.argv[2].strip()
import powercrm
from powercrm import lowlevel

where = os.path.realpath(powercrm.__file__)
assert where.startswith(os.path.realpath(venv) + os.sep), "imported from %s, not the venv" % where
assert os.path.realpath(lowlevel._lowlevel.__file__).startswith(os.path.realpath(venv)), \
    "extension from %s" % lowlevel._lowlevel.__file__
assert powercrm.version() == want, "version %s, VERSION says %s" % (powercrm.version(), want)
assert os.path.exists(os.path.join(os.path.dirname(where), "py.typed")), "no py.typed"

names = {}
exec("from powercrm import *", names)
assert "open" not in names, "from powercrm import * binds open"
missing = [n for n in powercrm.__all__ if n not in names]
assert not missing, missing
assert open is builtins.open

with powercrm.open("sqlite::memory:") as ctx:
    assert not ctx.closed
print("ok: powercrm %s from %s" % (powercrm.version(), os.path.dirname(where)))
PY
