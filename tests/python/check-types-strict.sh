#!/bin/sh
# The python-types test must be able to fail: with bindings/python/mypy.ini,
# a copy of the package given one unannotated public method (in a Context
# mixin) and one half-annotated function must be rejected, each by name.
# Guards the configuration itself: if a change loosened it (a module left
# out of the strict section, disallow_untyped_defs dropped), this fails.
#
#   check-types-strict.sh MYPY SOURCE_ROOT CACHE_DIR
set -eu

mypy=$1
source=$2
cache=$3

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcrm-mypy-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cp -R "$source/bindings/python/powercrm" "$tmp/"
cat >> "$tmp/powercrm/kb.py" <<'PY'


class _ProbeMixin(ContextMixinBase):
    def kb_probe(self, actor, article_id):
        """An unannotated public method: must fail the check."""
        return article_id
PY
cat >> "$tmp/powercrm/__init__.py" <<'PY'


def probe_half_typed(status: int, text) -> str:
    """A half-annotated public function: must fail the check."""
    return text
PY

if (cd "$tmp" && MYPYPATH="$tmp" "$mypy" --config-file "$source/bindings/python/mypy.ini" \
	--cache-dir "$cache" powercrm >"$tmp/out" 2>&1); then
	echo "mypy accepted an unannotated method: bindings/python/mypy.ini is not strict"
	exit 1
fi
cat "$tmp/out"
ok=0
grep -q '^powercrm/kb.py:[0-9]*: error: Function is missing a type annotation  \[no-untyped-def\]' "$tmp/out" || ok=1
grep -q '^powercrm/__init__.py:[0-9]*: error: Function is missing a type annotation for one or more arguments  \[no-untyped-def\]' "$tmp/out" || ok=1
errors=$(grep -c ': error: ' "$tmp/out" || true)
if [ "$ok" -ne 0 ] || [ "$errors" -ne 2 ]; then
	echo "expected exactly the two probes to be rejected (no-untyped-def), got $errors error(s)"
	exit 1
fi
echo "both probes rejected"
