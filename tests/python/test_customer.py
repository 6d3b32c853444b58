"""The customer archive: documents as dicts, search pages, import with progress, export."""

import io
import json

import pytest

import powercrm
from conftest import CITY_AGENT, CITY_CLERK, DATA_KEY, MONITOR, SENIOR_CLERK

ZHANG = {
    "customer_no": "3701000001", "kind": "person", "name": "张三",
    "usage_class": "residential", "voltage_level": "220V", "org_unit": "37010201",
    "transformer_area": "TA-0042", "feeder": "F-10kV-7",
    "phones": {"mobile": "+86 138 0013 8000", "landline": "0531-88888888"},
    "email": "zhang@example.cn", "preferred_channel": "sms",
    "addresses": [{"kind": "supply", "text": "历下区姚家街道1号", "postcode": "250014"}],
    "household_size": 5, "low_income": True, "id_number": "11010519491231002X",
}

STEELWORKS = {
    "customer_no": "3701900001", "kind": "organisation", "name": "济南钢铁厂",
    "usage_class": "large_industry", "voltage_level": "110kV", "org_unit": "370102",
    "vip_level": 3, "account_manager": "agent-jn",
    "phones": {"landline": "(0531) 8888-8888"}, "id_number": "91370100163000000X",
}


def line(no, org="370102", mobile=None, n=0):
    return {"customer_no": no, "kind": "person", "name": "客户" + no,
            "usage_class": "residential", "voltage_level": "220V", "org_unit": org,
            "phones": {"mobile": mobile or "139%08d" % n}}


def test_phone_normalize():
    assert powercrm.phone_normalize("+86 531 8888 8888") == "053188888888"
    assert powercrm.phone_normalize("0086-138-0013-8000") == "13800138000"
    with pytest.raises(powercrm.InvalidInput):
        powercrm.phone_normalize("8888888")


def test_create_get_update_close(ctx):
    c = ctx.customer_create(CITY_CLERK, ZHANG)
    assert isinstance(c, powercrm.Customer)
    assert (c.customer_no, c.name, c.org_unit, c.status, c.vip_level, c.version) == \
        ("3701000001", "张三", "37010201", "active", 0, 1)
    assert c.document["phones"]["mobile"] == "13800138000"
    assert c.document["id_number"] == "1101**********002X"

    got = ctx.customer_get(CITY_AGENT, "3701000001")
    assert got.document == c.document
    revealed = ctx.customer_get(SENIOR_CLERK, "3701000001", reveal_id=True)
    assert revealed.document["id_number"] == "11010519491231002X"

    updated = ctx.customer_update(CITY_CLERK, "3701000001", {"email": None, "vip_level": 2}, 1)
    assert updated.version == 2 and updated.vip_level == 2 and "email" not in updated.document
    with pytest.raises(powercrm.Conflict):
        ctx.customer_update(CITY_CLERK, "3701000001", {"vip_level": 1}, 1)
    ctx.customer_close(CITY_CLERK, "3701000001", 2)
    assert ctx.customer_get(CITY_AGENT, "3701000001").status == "closed"
    with pytest.raises(powercrm.WrongState):
        ctx.customer_close(CITY_CLERK, "3701000001", 3)


def test_create_errors_name_the_field(ctx):
    bad = dict(ZHANG, phones={"mobile": "12345"})
    with pytest.raises(powercrm.InvalidInput, match="phones.mobile"):
        ctx.customer_create(CITY_CLERK, bad)
    ctx.customer_create(CITY_CLERK, ZHANG)
    with pytest.raises(powercrm.Duplicate, match="customer_no"):
        ctx.customer_create(CITY_CLERK, ZHANG)
    # a number nobody has is refused like another unit's customer: no existence oracle
    with pytest.raises(powercrm.PermissionDenied, match="unknown or outside"):
        ctx.customer_get(CITY_AGENT, "nobody")
    with pytest.raises(powercrm.PermissionDenied):
        ctx.customer_create(CITY_AGENT, STEELWORKS)


def test_search_pages_and_screen_pop(ctx):
    ctx.customer_create(CITY_CLERK, ZHANG)
    ctx.customer_create(CITY_CLERK, STEELWORKS)
    page = ctx.customer_search(CITY_AGENT, limit=1)
    assert len(page) == 1 and page.next_cursor is not None
    assert [c.customer_no for c in ctx.customer_search_all(CITY_AGENT, limit=1)] == \
        ["3701000001", "3701900001"]
    # names are sealed: found whole through their blind index, never by prefix
    assert [c.customer_no for c in ctx.customer_search(CITY_AGENT, name="济南钢铁厂")] == \
        ["3701900001"]
    assert len(ctx.customer_search(CITY_AGENT, name="济南")) == 0
    with pytest.raises(powercrm.Unsupported, match="query.name"):
        ctx.customer_search(CITY_AGENT, name_prefix="济南")
    pop = ctx.customer_find_by_phone(CITY_AGENT, "0531 8888 8888")
    assert [c.customer_no for c in pop] == ["3701900001", "3701000001"]  # VIP first
    assert ctx.customer_find_by_phone(CITY_AGENT, "13900000000") == []
    found = ctx.customer_search(CITY_AGENT, id_number="11010519491231002X")
    assert [c.customer_no for c in found] == ["3701000001"]


def test_import_batch_all_or_nothing(ctx):
    assert ctx.customer_import(CITY_CLERK, [line("I001", n=1), line("I002", n=2)]) == 2
    with pytest.raises(powercrm.InvalidInput, match="line 2: phones.mobile") as ei:
        ctx.customer_import(CITY_CLERK, [line("I003", n=3), line("I004", mobile="12345")])
    assert ei.value.imported == 0
    text = json.dumps(line("I005", n=5)) + "\n"
    assert ctx.customer_import(CITY_CLERK, text.encode("utf-8")) == 1
    # the same line again is already there; with other content it is a duplicate
    again = ctx.customer_import(CITY_CLERK, text)
    assert again == 0 and again.imported == 0 and again.already_present == 1
    with pytest.raises(powercrm.Duplicate, match="line 1: .* whose phones differs") as ei:
        ctx.customer_import(CITY_CLERK, [line("I005", mobile="13912345678")])
    assert "13912345678" not in str(ei.value)
    assert ei.value.imported == 0 and ei.value.already_present == 0
    assert len(list(ctx.customer_search_all(CITY_AGENT))) == 3


def test_import_result_is_a_count_with_details(ctx):
    r = ctx.customer_import(CITY_CLERK, [line("J001", n=1), line("J002", n=2)])
    assert isinstance(r, powercrm.ImportResult) and isinstance(r, int)
    assert (r, r.imported, r.already_present) == (2, 2, 0)
    assert repr(r) == "ImportResult(imported=2, already_present=0)"
    r = ctx.customer_import(CITY_CLERK, [line("J001", n=1), line("J002", n=2), line("J003", n=3)])
    assert (r.imported, r.already_present) == (1, 2)


def test_import_file_resumes_after_an_interruption(ctx, tmp_path):
    path = tmp_path / "customers.jsonl"
    write_jsonl(path, 25)
    # stopped after the second batch, as a killed import would be
    with pytest.raises(powercrm.WrongState) as ei:
        ctx.customer_import_file(CITY_CLERK, path, batch_lines=10,
                                 progress=lambda done: done >= 20)
    assert (ei.value.imported, ei.value.already_present) == (20, 0)
    seen = []
    r = ctx.customer_import_file(CITY_CLERK, path, batch_lines=10, progress=seen.append)
    assert (r.imported, r.already_present) == (5, 20)
    assert seen == [10, 20, 25]
    assert len(list(ctx.customer_search_all(CITY_AGENT))) == 25
    # a changed line of the rerun names its line; its batch writes nothing
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    lines[6] = lines[6].replace("客户F007", "客户F007-renamed")
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(lines)
    with pytest.raises(powercrm.Duplicate, match='line 7: customer_no: "F007" .* whose name '
                                                 'differs') as ei:
        ctx.customer_import_file(CITY_CLERK, path)
    assert "renamed" not in str(ei.value)
    assert (ei.value.imported, ei.value.already_present) == (0, 0)


def write_jsonl(path, count, bad_line=None, prefix="F"):
    with open(path, "w", encoding="utf-8") as f:
        for i in range(1, count + 1):
            doc = line("%s%03d" % (prefix, i), n=i,
                       mobile="not-a-phone" if i == bad_line else None)
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")


def test_import_file_reports_progress(ctx, tmp_path):
    path = tmp_path / "customers.jsonl"
    write_jsonl(path, 25)
    seen = []
    assert ctx.customer_import_file(CITY_CLERK, path, batch_lines=10, progress=seen.append) == 25
    assert seen == [10, 20, 25]


def test_import_file_failure_keeps_committed_batches(ctx, tmp_path):
    path = tmp_path / "customers.jsonl"
    write_jsonl(path, 25, bad_line=23)
    with pytest.raises(powercrm.InvalidInput, match="line 23: phones.mobile") as ei:
        ctx.customer_import_file(CITY_CLERK, str(path), batch_lines=10)
    assert ei.value.imported == 20
    with pytest.raises(powercrm.IOFailure, match="/nonexistent/x.jsonl"):
        ctx.customer_import_file(CITY_CLERK, "/nonexistent/x.jsonl")


def test_progress_can_stop_and_its_exceptions_propagate(ctx, tmp_path):
    path = tmp_path / "customers.jsonl"
    write_jsonl(path, 30)
    with pytest.raises(powercrm.WrongState, match="progress") as ei:
        ctx.customer_import_file(CITY_CLERK, path, batch_lines=10, progress=lambda done: True)
    assert ei.value.imported == 10

    class Cancel(Exception):
        pass

    def cancel(done):
        raise Cancel(done)

    write_jsonl(path, 30, prefix="G")
    with pytest.raises(Cancel) as ci:
        ctx.customer_import_file(CITY_CLERK, path, batch_lines=10, progress=cancel)
    assert ci.value.args == (10,)  # the callback's own exception, unchanged
    assert len(list(ctx.customer_search_all(CITY_AGENT))) == 20
    with pytest.raises(TypeError):
        ctx.customer_import_file(CITY_CLERK, path, progress=42)


def test_export_round_trip(ctx, tmp_path):
    ctx.customer_create(CITY_CLERK, ZHANG)
    ctx.customer_create(CITY_CLERK, STEELWORKS)
    buf = io.BytesIO()
    assert ctx.customer_export(CITY_AGENT, buf) == 2
    assert b"id_number" not in buf.getvalue()
    path = tmp_path / "export.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        assert ctx.customer_export(CITY_AGENT, f) == 2
    assert path.read_bytes() == buf.getvalue()
    docs = ctx.customer_export_list(SENIOR_CLERK, org_unit="370102", reveal_id=True)
    assert [d["customer_no"] for d in docs] == ["3701000001", "3701900001"]
    assert docs[0]["id_number"] == "11010519491231002X"
    with pytest.raises(powercrm.PermissionDenied, match="pii.read"):
        ctx.customer_export(CITY_AGENT, io.BytesIO(), reveal_id=True)

    with powercrm.open("sqlite::memory:", data_key=DATA_KEY) as other:
        from conftest import make_tree
        make_tree(other)
        assert other.customer_import(CITY_CLERK, buf.getvalue()) == 2


def test_export_writer_exceptions_propagate(ctx):
    ctx.customer_create(CITY_CLERK, ZHANG)

    def broken(data):
        raise BrokenPipeError("reader went away")

    with pytest.raises(BrokenPipeError, match="reader went away"):
        ctx.customer_export(CITY_AGENT, broken)
    with pytest.raises(powercrm.IOFailure, match="stopped by the writer") as ei:
        ctx.customer_export(CITY_AGENT, lambda data: True)
    assert ei.value.exported == 0


def test_customer_audit_entries(ctx):
    ctx.customer_create(CITY_CLERK, ZHANG)
    last = ctx.audit_list(MONITOR)[-1]
    assert last.object_type == "customer" and last.object_id == "3701000001"
    assert "11010519491231002X" not in json.dumps(last.summary, ensure_ascii=False)


def test_erase_shreds_personal_data(ctx):
    ctx.customer_create(CITY_CLERK, ZHANG)
    ctx.contact_record(CITY_AGENT, "3701000001",
                       {"channel": "phone", "direction": "inbound", "summary": "张三来电"})
    with pytest.raises(powercrm.WrongState, match="close it"):
        ctx.customer_erase(SENIOR_CLERK, "3701000001", 1)
    ctx.customer_close(CITY_CLERK, "3701000001", 1)
    with pytest.raises(powercrm.PermissionDenied):
        ctx.customer_erase(CITY_CLERK, "3701000001", 2)
    ctx.customer_erase(SENIOR_CLERK, "3701000001", 2)
    c = ctx.customer_get(CITY_AGENT, "3701000001")
    assert c.name == "(erased)" and "phones" not in c.document and "email" not in c.document
    assert [x.summary for x in ctx.contact_list(CITY_AGENT, "3701000001")] == ["(erased)"]
    assert ctx.customer_find_by_phone(CITY_AGENT, "13800138000") == []
    with pytest.raises(powercrm.WrongState, match="already erased"):
        ctx.customer_erase(SENIOR_CLERK, "3701000001", 3)
    assert ctx.audit_verify(MONITOR) > 0


def test_reseal_reports_what_remains(ctx):
    ctx.customer_create(CITY_CLERK, ZHANG)
    # everything written through the library is sealed already
    assert ctx.customer_reseal(CITY_CLERK, 10) == 0
    with pytest.raises(powercrm.InvalidInput, match="batch"):
        ctx.customer_reseal(CITY_CLERK, -1)
    with pytest.raises(powercrm.PermissionDenied):
        ctx.customer_reseal(CITY_AGENT)
