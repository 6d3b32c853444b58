"""The account ledger through the bindings: Decimal money, idempotency, arrears, dunning, bank."""

import datetime
from decimal import Decimal as D

import pytest

import powercrm
from conftest import CITY_ADMIN, CITY_AGENT, MONITOR, ROOT_ADMIN, T0

BANK = powercrm.Actor("bank-gw", "system", 1, "37")
NOV23 = "2026-11-23T08:00:00+08:00"


@pytest.fixture
def ledger(ctx):
    ctx.customer_create(ROOT_ADMIN, {"customer_no": "C1", "kind": "person", "name": "张三",
                                     "usage_class": "residential", "voltage_level": "220V",
                                     "org_unit": "37010201"})
    ctx.account_create(ROOT_ADMIN, "C1", {"account_no": "A1", "name": "电费",
                                          "payment_method": "cash"})
    ctx.ledger_post_bill(ROOT_ADMIN, "A1", "B1", "2026-09", "2026-10-01", "2026-10-15",
                         D("100.00"))
    ctx.ledger_post_bill(ROOT_ADMIN, "A1", "B2", "2026-10", datetime.date(2026, 11, 1),
                         datetime.date(2026, 11, 15), "80")
    return ctx


def test_payment_allocation_and_idempotency(ledger):
    e = ledger.ledger_post_payment(CITY_AGENT, "A1", "P1", D("150.00"))
    assert isinstance(e, powercrm.LedgerEntry)
    assert (e.kind, e.ref, e.seq, e.replayed) == ("payment", "P1", 3, False)
    assert e.amount == D("-150.00") and e.balance == D("30.00") and isinstance(e.balance, D)
    assert e.date == datetime.date(2026, 11, 23)
    assert e.document["allocations"] == [{"amount": "100.00", "item_no": "B1"},
                                         {"amount": "50.00", "item_no": "B2"}]
    again = ledger.ledger_post_payment(CITY_AGENT, "A1", "P1", 150)
    assert again.replayed and again.seq == e.seq
    with pytest.raises(powercrm.Conflict, match="P1"):
        ledger.ledger_post_payment(CITY_AGENT, "A1", "P1", D("1.00"))
    s = ledger.ledger_summary(CITY_AGENT, "A1")
    assert s == powercrm.LedgerSummary(D("30.00"), D("30.00"), D("0.00"), 3)
    entries = ledger.ledger(CITY_AGENT, "A1")
    assert [x.kind for x in entries] == ["bill", "bill", "payment"]
    assert sum(x.amount for x in entries) == s.balance
    with pytest.raises(TypeError):
        ledger.ledger_post_payment(CITY_AGENT, "A1", "P9", 1.5)


def test_bad_input_and_permissions(ledger):
    with pytest.raises(powercrm.InvalidInput, match="amount: .* more than 2 decimals"):
        ledger.ledger_post_payment(CITY_AGENT, "A1", "P2", D("1.001"))
    with pytest.raises(powercrm.PermissionDenied):
        ledger.ledger_post_payment(MONITOR, "A1", "P2", D("1"))
    with pytest.raises(powercrm.PermissionDenied):
        ledger.ledger_post(CITY_AGENT, "A1", {"kind": "refund", "idempotency_key": "R",
                                              "amount": D("1"), "reason": "x"})
    with pytest.raises(powercrm.PermissionDenied, match="unknown or outside"):
        ledger.ledger_post_payment(CITY_AGENT, "NOPE", "P2", D("1"))
    assert len(ledger.ledger(ROOT_ADMIN, "A1")) == 2


def test_arrears_and_dunning(ledger):
    a = ledger.arrears(CITY_AGENT, "C1", datetime.date(2026, 11, 23))
    assert isinstance(a, powercrm.Arrears) and len(a) == 2 and a.total == D("180.00")
    first = a[0]
    assert (first.item_no, first.days_past_due, first.prior_year, first.residential) == \
        ("B1", 39, False, True)
    assert first.due_date == datetime.date(2026, 10, 15) and first.period == "2026-09"
    assert len(ledger.arrears(CITY_AGENT, "C1", "2027-01-01", account_no="A1")) == 2
    assert ledger.arrears(CITY_AGENT, "C1", "2027-01-01")[0].prior_year
    ledger.dunning_remind(CITY_AGENT, "A1", "sms", note="请尽快缴费")
    d = ledger.dunning_list(CITY_AGENT, "2026-11-23", 7)
    assert [(x.account_no, x.days_past_due, x.reminders, x.arrears) for x in d] == \
        [("A1", 39, 1, D("180.00"))]
    assert d[0].last_reminded_at == T0
    assert ledger.dunning_list(CITY_AGENT, "2026-11-23", 39) == []
    with pytest.raises(powercrm.InvalidInput, match="channel"):
        ledger.dunning_remind(CITY_AGENT, "A1", "fax")


def test_void_refund_and_adjustment(ledger):
    ledger.ledger_post_payment(CITY_AGENT, "A1", "P1", D("180"))
    v = ledger.ledger_post(CITY_ADMIN, "A1", {"kind": "void", "bill_no": "B2",
                                              "credit_note_no": "CN1", "reason": "重算"})
    assert v.credit == D("80.00") and v.document["released"] == "80.00"
    r = ledger.ledger_post(CITY_ADMIN, "A1", {"kind": "refund", "idempotency_key": "R1",
                                              "amount": D("30"), "reason": "退费"})
    assert r.balance == D("-50.00")
    with pytest.raises(powercrm.WrongState):
        ledger.ledger_post(CITY_ADMIN, "A1", {"kind": "refund", "idempotency_key": "R2",
                                              "amount": D("51"), "reason": "退费"})
    j = ledger.ledger_post(CITY_ADMIN, "A1", {"kind": "adjustment", "idempotency_key": "J1",
                                              "direction": "debit", "amount": "50",
                                              "reason": "补收"})
    assert j.balance == D("0.00") and j.credit == D("0.00")


def test_bank_collection_and_reconciliation(ledger):
    e = ledger.bank_payment_post(BANK, "ICBC", "T1", "A1", D("100.00"), NOV23)
    assert e.ref == "T1" and e.balance == D("80.00")
    assert ledger.bank_payment_post(BANK, "ICBC", "T1", "A1", "100", NOV23).replayed
    statement = ("bank_statement,1,ICBC,2026-11-23,2,180.00\n"
                 "T1,A1,100.00,08:00:00\n"
                 "T2,A1,80.00,08:30:00\n")
    items = ledger.bank_reconcile(CITY_ADMIN, statement)
    assert [(i.status, i.transaction_id, i.line) for i in items] == \
        [("matched", "T1", 2), ("missing_ours", "T2", 3)]
    assert items[1].bank_amount == D("80.00") and items[1].ledger_amount == D("0.00")
    # progress counts statement lines; a stop posts nothing
    seen = []
    with pytest.raises(powercrm.WrongState, match="statement lines matched so far: 2"):
        ledger.bank_reconcile(CITY_ADMIN, statement, post_missing=True,
                              progress=lambda n: seen.append(n) or True)
    assert seen == [2]
    assert ledger.ledger_summary(CITY_AGENT, "A1").balance == D("80.00")
    posted = ledger.bank_reconcile(CITY_ADMIN, statement.encode(), post_missing=True)
    assert posted[1].status == "posted"
    assert ledger.ledger_summary(CITY_AGENT, "A1").balance == D("0.00")
    with pytest.raises(powercrm.InvalidInput, match="line 3, amount"):
        ledger.bank_reconcile(CITY_ADMIN, statement.replace("80.00,08:30", "8x,08:30"))
    # a rerun posts nothing again and reports the lines as matched
    again = ledger.bank_reconcile(CITY_ADMIN, statement, post_missing=True)
    assert [i.status for i in again] == ["matched", "matched"]
    # a line the ledger holds with another amount: refused by line, nothing posted
    changed = statement.replace("180.00", "180.01").replace("80.00,08:30", "80.01,08:30")
    with pytest.raises(powercrm.Conflict, match='line 3, transaction_id: "T2" is posted already '
                                                "with amount 80.00, not 80.01"):
        ledger.bank_reconcile(CITY_ADMIN, changed, post_missing=True)
    assert ledger.ledger_summary(CITY_AGENT, "A1").balance == D("0.00")
