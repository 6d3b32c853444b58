"""Data key versions: a key provider (an HSM's stand-in), rotation in batches, retirement."""

import pytest

import powercrm
from conftest import CITY_ADMIN, CITY_CLERK, DATA_KEY, ROOT_ADMIN, make_tree

KEY2 = b"the second key, after rotation!\0"


def person(i):
    return {"customer_no": "37010%05d" % i, "kind": "person", "name": "轮换%d" % i,
            "usage_class": "residential", "voltage_level": "220V", "org_unit": "370102",
            "phones": {"mobile": "139%08d" % i}}


def test_rotate_with_a_key_provider_then_retire(store_uri, clock):
    with powercrm.open(store_uri, clock=clock, data_key=DATA_KEY) as ctx:
        assert ctx.key_version == 1
        make_tree(ctx)
        for i in range(1, 8):
            ctx.customer_create(CITY_CLERK, person(i))

    asked = []

    def hsm(version):
        asked.append(version)
        return {1: DATA_KEY, 2: KEY2}.get(version)

    # the provider must still give version 1 while customers use it
    with pytest.raises(powercrm.PermissionDenied, match="version 1"):
        powercrm.open(store_uri, clock=clock, key_version=2, key_provider={2: KEY2})
    with powercrm.open(store_uri, clock=clock, key_version=2, key_provider=hsm) as ctx:
        assert sorted(asked) == [1, 2]
        assert ctx.key_version == 2
        ctx.customer_create(CITY_CLERK, person(8))
        assert ctx.customer_key_rotate(ROOT_ADMIN, 3) == 4
        # read during the rotation: moved and not yet moved alike
        for i in range(1, 9):
            assert ctx.customer_get(CITY_CLERK, "37010%05d" % i).name == "轮换%d" % i
        assert [c.customer_no for c in ctx.customer_find_by_phone(CITY_CLERK, "13900000007")] \
            == ["3701000007"]
        with pytest.raises(powercrm.WrongState, match="still"):
            ctx.customer_key_retire(ROOT_ADMIN, 1)
        with pytest.raises(powercrm.PermissionDenied):
            ctx.customer_key_retire(CITY_ADMIN, 1)
        with pytest.raises(powercrm.InvalidInput, match="batch"):
            ctx.customer_key_rotate(ROOT_ADMIN, -1)
        while ctx.customer_key_rotate(ROOT_ADMIN, 3):
            pass
        ctx.customer_key_retire(ROOT_ADMIN, 1)
        assert ctx.audit_verify(ROOT_ADMIN) > 0

    asked.clear()
    with powercrm.open(store_uri, clock=clock, key_version=2, key_provider=hsm) as ctx:
        assert asked == [2]  # a retired version is never asked for
        assert ctx.customer_get(CITY_CLERK, "3701000001").name == "轮换1"
    with pytest.raises(powercrm.PermissionDenied, match="retired"):
        powercrm.open(store_uri, clock=clock, data_key=DATA_KEY)
    with pytest.raises(powercrm.PermissionDenied, match="version 2"):
        powercrm.open(store_uri, clock=clock, key_version=2,
                      key_provider=lambda v: b"x" * 32)


def test_key_provider_is_checked(tmp_path):
    with pytest.raises(TypeError, match="key_provider"):
        powercrm.open("sqlite:%s" % (tmp_path / "a.db"), key_provider=42)
    with pytest.raises(powercrm.InvalidInput, match="options.key_version"):
        powercrm.open("sqlite:%s" % (tmp_path / "b.db"), data_key=DATA_KEY, key_version=0)
    # a provider that has nothing: a keyless context is not what was asked for
    with pytest.raises(powercrm.PermissionDenied, match="version 1"):
        powercrm.open("sqlite:%s" % (tmp_path / "c.db"), key_provider=lambda v: None)
