"""Bad input through the Python layer: one status for input that does not fit,
names that hide text, garbage cursors, and messages without personal data or
passwords (issue 14)."""

import os

import pytest

import powercrm
from conftest import CITY_AGENT, CITY_CLERK, ROOT_ADMIN

TOO_MANY_DIGITS = "99999999999999999999"


def test_decimal_text_that_does_not_fit_is_invalid_input_naming_the_argument():
    with pytest.raises(powercrm.InvalidInput, match="does not fit in 64-bit units"):
        powercrm.decimal_parse(TOO_MANY_DIGITS)
    with pytest.raises(powercrm.InvalidInput, match=r"^shrinkage: decimal .*does not fit"):
        powercrm.staffing_shrink(10, TOO_MANY_DIGITS)
    with pytest.raises(powercrm.InvalidInput, match=r"^kwh: decimal .*does not fit"):
        powercrm.power_factor(TOO_MANY_DIGITS, 1)
    with pytest.raises(powercrm.InvalidInput, match=r"^current_year: decimal .*does not fit"):
        powercrm.late_fee(TOO_MANY_DIGITS, 0, 10)
    with pytest.raises(powercrm.InvalidInput, match=r"^customer.ytd_kwh: decimal .*does not fit"):
        powercrm.BillCustomer("residential", ytd_kwh=TOO_MANY_DIGITS)._to_c()
    # arithmetic on valid values still overflows
    with pytest.raises(powercrm.Overflow):
        powercrm.decimal_add("9223372036854775807", 1)


def test_reading_value_that_does_not_fit_is_invalid_input(sctx):
    with pytest.raises(powercrm.InvalidInput, match=r"^value: decimal .*does not fit"):
        sctx.reading_record(ROOT_ADMIN, "M-1", "total", TOO_MANY_DIGITS, 0)


def test_ledger_amount_too_large_for_fen_is_invalid_input(sctx):
    with pytest.raises(powercrm.InvalidInput, match='amount: "922337203685477580.7" is too large'):
        sctx.ledger_post(ROOT_ADMIN, "A-1", {"kind": "payment", "idempotency_key": "K",
                                             "amount": "922337203685477580.7",
                                             "channel": "counter"})


@pytest.mark.parametrize("name", ["   ", "\u3000", "\u202e三张", "张\u200b三", "张三\ufeff"])
def test_blank_and_invisible_names_are_refused(ctx, name):
    with pytest.raises(powercrm.InvalidInput, match="^name: "):
        ctx.customer_create(CITY_CLERK, {
            "customer_no": "3701000001", "kind": "person", "name": name,
            "usage_class": "residential", "voltage_level": "220V", "org_unit": "3701"})
    with pytest.raises(powercrm.InvalidInput, match="^name: "):
        ctx.org_create(ROOT_ADMIN, "3703", "37", name, "city")
    assert list(ctx.customer_search(ROOT_ADMIN)) == []


def test_audit_actions_and_summaries_that_could_spoof_a_report_are_refused(ctx):
    with pytest.raises(powercrm.InvalidInput, match=r"action: invisible formatting character U\+202E"):
        ctx.audit_record(ROOT_ADMIN, "pay.\u202ednufer", "call", "c-1")
    with pytest.raises(powercrm.InvalidInput, match="summary: longer than 4096 bytes"):
        ctx.audit_record(ROOT_ADMIN, "note", "call", "c-1", {"note": "a" * 5000})
    spoofing = powercrm.Actor("agent\u202e-jn", "agent", 1, "3701")
    with pytest.raises(powercrm.InvalidInput, match="actor.operator_id: invisible formatting"):
        ctx.audit_record(spoofing, "note", "call", "c-1")


def test_a_garbage_cursor_is_refused(ctx):
    with pytest.raises(powercrm.InvalidInput, match="query.cursor: not a cursor"):
        ctx.customer_search(CITY_AGENT, cursor="'; DROP TABLE customer; --")


def test_messages_do_not_quote_personal_data(ctx):
    with pytest.raises(powercrm.InvalidInput) as ei:
        ctx.customer_create(CITY_CLERK, {
            "customer_no": "3701000001", "kind": "person", "name": "张三",
            "usage_class": "residential", "voltage_level": "220V", "org_unit": "3701",
            "phones": {"mobile": "0531-88889999"}})
    assert "phones.mobile" in ei.value.message and "88889999" not in ei.value.message
    with pytest.raises(powercrm.InvalidInput) as ei:
        powercrm.phone_normalize("+44 20 7946 0958")
    assert "7946" not in ei.value.message


def test_store_errors_never_contain_the_password():
    with pytest.raises(powercrm.InvalidInput) as ei:
        powercrm.open("postgresql://crm:s3cr3t-pw@[::1:5432/crm")
    assert "s3cr3t" not in ei.value.message
    with pytest.raises(powercrm.InvalidInput, match='uri: sslmode "bogus" is not one of'):
        powercrm.open("postgresql://crm:s3cr3t-pw@127.0.0.1:1/crm?sslmode=bogus")
    with pytest.raises(powercrm.ConnectionLost) as ei:
        powercrm.open("postgresql://crm:s3cr3t-pw@127.0.0.1:1/crm?connect_timeout=5")
    assert "s3cr3t" not in ei.value.message


def test_a_file_that_is_not_a_database_says_so(tmp_path):
    path = tmp_path / "passwd"
    path.write_text("root:x:0:0:root:/root:/bin/bash\n")
    with pytest.raises(powercrm.NotADatabase) as ei:
        powercrm.open("sqlite:%s" % path)
    assert ei.value.status == powercrm.Status.ENOTDB
    assert ei.value.message == "sqlite:%s: not a database" % path
    assert path.read_text() == "root:x:0:0:root:/root:/bin/bash\n"
    assert not os.path.exists("%s-wal" % path)
