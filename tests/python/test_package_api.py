"""The package's public surface: __all__, docstrings, type information.

`from powercrm import *` binds exactly __all__, which must not shadow a
builtin (open, once); every public class, function and method defined in the
package says what it does; the package ships py.typed.
"""

import builtins
import inspect
import os

import powercrm


def test_all_names_exist_and_shadow_no_builtin():
    assert len(powercrm.__all__) == len(set(powercrm.__all__))
    for name in powercrm.__all__:
        assert hasattr(powercrm, name), name
        assert not hasattr(builtins, name), "%s shadows a builtin" % name
    names = {}
    exec("from powercrm import *", names)
    assert "open" not in names and "lowlevel" not in names
    assert set(powercrm.__all__) <= set(names)
    assert callable(powercrm.open)  # still there, by its full name


def _own(obj):
    """Classes and functions the package defines (not re-exported stdlib or SWIG names)."""
    module = getattr(obj, "__module__", "") or ""
    return module == "powercrm" or module.startswith("powercrm.") and \
        not module.startswith("powercrm.lowlevel")


def test_every_public_class_and_method_has_a_docstring():
    missing = []
    for name in powercrm.__all__:
        obj = getattr(powercrm, name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)) or not _own(obj):
            continue
        if not inspect.getdoc(obj):
            missing.append(name)
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                target = member.fget if isinstance(member, property) else member
                if isinstance(target, (staticmethod, classmethod)):
                    target = target.__func__
                if inspect.isfunction(target) and not inspect.getdoc(target):
                    missing.append("%s.%s" % (name, attr))
    # the Context's methods come from its module mixins
    for klass in powercrm.Context.__mro__:
        if klass is object or not _own(klass):
            continue
        for attr, member in vars(klass).items():
            target = member.fget if isinstance(member, property) else member
            if not attr.startswith("_") and inspect.isfunction(target) and \
                    not inspect.getdoc(target):
                missing.append("%s.%s" % (klass.__name__, attr))
    assert not missing, "no docstring: %s" % ", ".join(sorted(set(missing)))


def test_the_package_carries_its_type_information():
    here = os.path.dirname(powercrm.__file__)
    assert os.path.exists(os.path.join(here, "py.typed"))
    assert os.path.exists(os.path.join(here, "lowlevel.pyi"))
