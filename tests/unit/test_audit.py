"""Decision records: canonical, digested, read strictly, and verified by recomputation."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskreview
from riskreview.audit import DecisionRecord, record, verify
from riskreview.errors import (
    ArgumentError,
    CaseError,
    PolicyNotInForceError,
    RiskReviewError,
    VerificationError,
)
from riskreview.pack import default_pack, default_pack_path
from riskreview.strategies import case_dicts

AS_OF = date(2026, 11, 23)
CASE = {
    "case_id": "AU-1",
    "supervision": {"stage": "community", "start_date": "2026-11-02"},
    "index_offence": {"categories": ["domestic_abuse"]},
    "household": {"children": [{"date_of_birth": "2021-02-03", "contact": True}]},
    "events": [{"type": "arrest", "date": "2026-11-20"}],
    "risk": {"screening_date": "2026-11-03", "levels": {"known_adult": "high"}},
}
Json = dict[str, Any]


def _stored(trace: bool = False) -> str:
    return record(riskreview.evaluate(CASE, as_of=AS_OF, trace=trace)).to_json()


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _redigest(data: Json) -> Json:
    """What a forger who knows the digest's definition does after an edit."""
    content = {k: v for k, v in data.items() if k != "digest"}
    data["digest"] = "sha256:" + hashlib.sha256(_canonical(content).encode()).hexdigest()
    return data


def _nodes(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every value in a JSON document with its path of keys and indexes."""
    yield path, data
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for key, value in items:
        yield from _nodes(value, (*path, key))


def _json_path(path: tuple[Any, ...]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def _find(data: Json, test: Callable[[tuple[Any, ...], Any], bool]) -> tuple[Any, ...]:
    return next(path for path, value in _nodes(data) if test(path, value))


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        data = data[step]
    return data


def _differences(text: str, case: Any = CASE, **kwargs: Any) -> tuple[str, ...]:
    with pytest.raises(VerificationError) as caught:
        verify(text, case, **kwargs)
    return caught.value.differences


# ---------------------------------------------------------------- writing


def test_record_round_trips_through_json_byte_for_byte() -> None:
    rec = record(riskreview.evaluate(CASE, as_of=AS_OF, trace=True))
    again = DecisionRecord.from_json(rec.to_json())
    assert again == rec
    assert again.to_json() == rec.to_json()
    assert rec.engine.startswith("durable_rules ")


def test_the_record_json_is_canonical_and_carries_the_sha256_of_everything_else() -> None:
    text = _stored(trace=True)
    data = json.loads(text)
    assert text == _canonical(data)
    assert _redigest(json.loads(text))["digest"] == data["digest"]
    assert DecisionRecord.from_json(text).digest == data["digest"]
    assert set(data) == {a.name for a in attrs.fields(DecisionRecord)} | {"digest"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("as_of", "2026-11-23"),
        ("traced", 0),
        ("case_id", None),
        ("decision", {"working_days": float("nan")}),
        ("decision", {"rule_ids": {"CS-02"}}),
    ],
)
def test_a_record_with_a_field_of_the_wrong_type_cannot_be_built(field: str, value: Any) -> None:
    rec = DecisionRecord.from_json(_stored())
    with pytest.raises(ArgumentError, match=field) as caught:
        attrs.evolve(rec, **{field: value})
    assert isinstance(caught.value, TypeError)


def test_verify_recomputes_and_accepts_an_honest_record_as_text_or_object() -> None:
    for trace in (False, True):
        text = _stored(trace)
        decision = verify(text, CASE)
        assert json.loads(decision.to_json()) == json.loads(text)["decision"]
        assert verify(DecisionRecord.from_json(text), CASE).to_json() == decision.to_json()


# ---------------------------------------------------------------- tampering


def _set_field(name: str, value: Any) -> Callable[[Json], str]:
    def edit(data: Json) -> str:
        data[name] = value
        return f"$.{name}"

    return edit


def _working_days_as_float(data: Json) -> str:
    path = _find(data, lambda p, v: p[-1:] == ("working_days",) and type(v) is int and v != 0)
    _parent(data, path)[path[-1]] = float(_parent(data, path)[path[-1]])
    return _json_path(path)


def _evidence_true_as_one(data: Json) -> str:
    path = _find(data, lambda p, v: p[-1:] == ("value",) and v is True)
    _parent(data, path)["value"] = 1
    return _json_path(path)


def _null_key_added(data: Json) -> str:
    data["decision"]["x"] = None
    return "$.decision.x"


def _null_key_deleted(data: Json) -> str:
    path = _find(data, lambda p, v: p[-1:] == ("value",) and v is None)
    del _parent(data, path)["value"]
    return _json_path(path)


def _as_of_moved(data: Json) -> str:
    data["as_of"] = (date.fromisoformat(data["as_of"]) + timedelta(days=1)).isoformat()
    return "$.as_of"


def _traced_flipped(data: Json) -> str:
    data["traced"] = not data["traced"]
    return "$.traced"


def _due_date_moved(data: Json) -> str:
    data["decision"]["actions"][0]["due_date"] = "2030-01-01"
    return "$.decision.actions[0].due_date"


TAMPERING: dict[str, Callable[[Json], str]] = {
    "case_id": _set_field("case_id", "AU-2"),
    "pack_name": _set_field("pack_name", "scotland"),
    "pack_version": _set_field("pack_version", "9.9.9"),
    "pack_digest": _set_field("pack_digest", "sha256:" + "0" * 64),
    "library_version": _set_field("library_version", "0.0.1"),
    "engine": _set_field("engine", "durable_rules 9.9.9"),
    "input_digest": _set_field("input_digest", "sha256:" + "1" * 64),
    "as_of": _as_of_moved,
    "traced": _traced_flipped,
    "working_days 10 as 10.0": _working_days_as_float,
    "evidence true as 1": _evidence_true_as_one,
    "null key added": _null_key_added,
    "null key deleted": _null_key_deleted,
    "due date moved": _due_date_moved,
}


@pytest.mark.parametrize("redigested", [False, True], ids=["digest-kept", "digest-recomputed"])
@pytest.mark.parametrize("tamper", TAMPERING.values(), ids=TAMPERING.keys())
def test_verify_names_each_tampered_field_by_json_path(
    tamper: Callable[[Json], str], redigested: bool
) -> None:
    data = json.loads(_stored())
    path = tamper(data)
    text = json.dumps(_redigest(data) if redigested else data)
    differences = _differences(text)
    assert any(d.startswith(f"{path}: ") for d in differences), differences
    assert redigested or any(d.startswith("$.digest: ") for d in differences), differences


@pytest.mark.parametrize("tamper", TAMPERING.values(), ids=TAMPERING.keys())
def test_reading_a_tampered_record_without_its_digest_updated_is_refused(
    tamper: Callable[[Json], str],
) -> None:
    data = json.loads(_stored())
    tamper(data)
    with pytest.raises(VerificationError) as caught:
        DecisionRecord.from_json(json.dumps(data))
    assert any(d.startswith("$.digest: ") for d in caught.value.differences)


def test_a_changed_digest_alone_is_named() -> None:
    data = json.loads(_stored())
    data["digest"] = "sha256:" + "2" * 64
    assert [d.split(":")[0] for d in _differences(json.dumps(data))] == ["$.digest"]


def test_a_record_object_with_a_changed_field_is_named_too() -> None:
    rec = DecisionRecord.from_json(_stored())
    decision = json.loads(json.dumps(rec.decision))
    decision["actions"][0]["priority"] = "low"
    forged = attrs.evolve(rec, decision=decision)
    with pytest.raises(VerificationError) as caught:
        verify(forged, CASE)
    assert any(d.startswith("$.decision.actions[0].priority: ") for d in caught.value.differences)


def test_a_duplicate_key_forgery_is_refused_at_any_depth() -> None:
    text = _stored()
    data = json.loads(text)
    # a reader keeping the first of two keys sees the forged values
    forged = '{"case_id":"AU-9",' + text[1:]
    first = data["decision"]["actions"][0]
    original = '"code":"' + first["code"] + '"'
    forged = forged.replace(original, '"code":"FORGED",' + original, 1)
    keep_first = json.loads(forged, object_pairs_hook=lambda pairs: dict(reversed(pairs)))
    assert (keep_first["case_id"], keep_first["decision"]["actions"][0]["code"]) == (
        "AU-9",
        "FORGED",
    )
    for read in (DecisionRecord.from_json, lambda t: verify(t, CASE)):
        with pytest.raises(VerificationError) as caught:
            read(forged)
        differences = caught.value.differences
        assert any(d.startswith("$.case_id: appears more than once") for d in differences)
        assert any(
            d.startswith("$.decision.actions[0].code: appears more than once") for d in differences
        )


def test_as_of_moved_before_the_pack_starts_cannot_be_recomputed() -> None:
    before = default_pack().effective_from - timedelta(days=1)
    data = json.loads(_stored())
    data["as_of"] = data["decision"]["as_of"] = before.isoformat()
    with pytest.raises(VerificationError, match="cannot be recomputed") as caught:
        verify(json.dumps(_redigest(data)), CASE)
    assert isinstance(caught.value.__cause__, PolicyNotInForceError)
    assert any(d.startswith("PolicyNotInForceError: ") for d in caught.value.differences)


def test_an_invalid_case_is_a_verification_error_chained_to_the_case_error() -> None:
    with pytest.raises(VerificationError, match="cannot be recomputed") as caught:
        verify(_stored(), {"case_id": "AU-1", "houshold": {}})
    assert isinstance(caught.value.__cause__, CaseError)
    assert any(d.startswith("$.houshold: is not a known field") for d in caught.value.differences)


def test_verify_refuses_another_case() -> None:
    differences = _differences(_stored(), dict(CASE, events=[]))
    assert any(d.startswith("$.input_digest: the case given is not") for d in differences)


def test_verify_refuses_a_changed_pack(tmp_path: Path) -> None:
    copy = tmp_path / "pack"
    shutil.copytree(default_pack_path(), copy)
    (copy / "pack.yaml").write_text(
        (copy / "pack.yaml").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8"
    )
    differences = _differences(_stored(), pack=riskreview.load_pack(copy))
    assert any(d.startswith("$.pack_digest: ") for d in differences)


def test_every_failure_of_verify_is_one_error_type() -> None:
    before = default_pack().effective_from - timedelta(days=1)
    data = json.loads(_stored())
    data["as_of"] = data["decision"]["as_of"] = before.isoformat()
    for text, case in ((json.dumps(_redigest(data)), CASE), (_stored(), {"household": 1})):
        try:
            verify(text, case)
        except RiskReviewError as error:
            assert type(error) is VerificationError
        else:
            pytest.fail("verify accepted a record it cannot recompute")


# ---------------------------------------------------------------- versions and old records


def _other_versions(data: Json) -> Json:
    data["library_version"] = data["decision"]["library_version"] = "0.0.1"
    data["engine"] = "durable_rules 0.0.1"
    return _redigest(data)


def test_a_record_from_other_versions_is_refused_unless_allowed() -> None:
    text = json.dumps(_other_versions(json.loads(_stored())))
    differences = _differences(text)
    assert any(d.startswith("$.library_version: ") for d in differences)
    assert any(d.startswith("$.engine: ") for d in differences)
    assert all("allow_other_versions=True" in d for d in differences)
    assert verify(text, CASE, allow_other_versions=True).to_json() == _canonical(
        json.loads(_stored())["decision"]
    )


def test_allowing_other_versions_still_compares_everything_else() -> None:
    data = _other_versions(json.loads(_stored()))
    path = _working_days_as_float(data)
    differences = _differences(json.dumps(_redigest(data)), allow_other_versions=True)
    assert [d.split(": ")[0] for d in differences] == [path]


def test_a_record_without_a_digest_is_refused_as_written_before_digests() -> None:
    data = json.loads(_stored())
    del data["digest"]
    for read in (DecisionRecord.from_json, lambda t: verify(t, CASE)):
        with pytest.raises(VerificationError) as caught:
            read(json.dumps(data))
        assert any(
            d.startswith("$.digest: is missing: the record was written before records carried")
            for d in caught.value.differences
        ), caught.value


# ---------------------------------------------------------------- what messages show


def test_differences_describe_text_that_could_come_from_the_case_never_show_it() -> None:
    data = json.loads(_stored())
    data["decision"]["actions"][0]["reasons"][0] = "Ruby Smith, 1 Acacia Avenue"
    evidence = _find(data, lambda p, v: p[-1:] == ("value",) and isinstance(v, str))
    _parent(data, evidence)["value"] = "Ruby Smith"
    data["decision"]["Ruby Smith"] = None
    with pytest.raises(VerificationError) as caught:
        verify(json.dumps(_redigest(data)), CASE)
    assert "Ruby" not in str(caught.value)
    assert "$.decision.actions[0].reasons[0]: recorded a text of 27 characters" in str(caught.value)
    assert f"{_json_path(evidence)}: recorded a text of 10 characters" in str(caught.value)


def test_a_case_id_in_a_message_has_its_control_characters_escaped() -> None:
    data = json.loads(_stored())
    data["case_id"] = "AU-1\x1b[2J"
    with pytest.raises(VerificationError) as caught:
        verify(json.dumps(_redigest(data)), CASE)
    assert "\x1b" not in str(caught.value)
    assert '$.case_id: recorded "AU-1\\u001b[2J"' in str(caught.value)


@pytest.mark.parametrize(
    ("rec", "pack", "named"),
    [(123, None, "rec"), (None, None, "rec"), ("stored", "rules/england-wales", "pack")],
)
def test_verify_given_something_other_than_a_record_or_pack_is_an_argument_error(
    rec: Any, pack: Any, named: str
) -> None:
    with pytest.raises(ArgumentError, match=f"^{named} must be a"):
        verify(_stored() if rec == "stored" else rec, CASE, pack)


def test_the_error_for_unreadable_record_text_never_quotes_it() -> None:
    text = _stored().replace('"case_id":"AU-1"', '"case_id":Ruby Smith')
    with pytest.raises(VerificationError) as caught:
        DecisionRecord.from_json(text)
    assert "Ruby" not in str(caught.value)


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda text: text[: len(text) // 2], "not JSON at character"),
        (lambda text: "[]", "$: expected a JSON object, got a list"),
        (lambda text: text.replace('"pack_digest"', '"pack_digets"'), "$.pack_digest: is required"),
        (lambda text: text.replace('"pack_digest"', '"pack_digets"'), "$.pack_digets: is not a"),
        (lambda text: text.replace('"traced":false', '"traced":"no"'), "$.traced: expected true"),
        (lambda text: text.replace('"traced":false', '"traced":0'), "$.traced: expected true"),
        (lambda text: text.replace('"as_of":"2026-11-23"', '"as_of":"23/11/2026"'), "$.as_of: is"),
        (lambda text: text.replace('"as_of":"2026-11-23"', '"as_of":"20261123"'), "$.as_of: is"),
        (lambda text: text.replace('"as_of":"2026-11-23"', '"as_of":null'), "$.as_of: expected a"),
        (lambda text: text.replace('"digest":"sha256:', '"digest":"md5:'), "$.digest: is not"),
        (lambda text: text.replace("{", '{"x":null,', 1), "$.x: is not a record field"),
        (lambda text: text.replace('"working_days":10', '"working_days":NaN'), "not JSON"),
    ],
)
def test_a_damaged_record_is_a_verification_error_naming_what_is_wrong(
    damage: Callable[[str], str], problem: str
) -> None:
    text = damage(_stored())
    assert text != _stored()
    for read in (DecisionRecord.from_json, lambda t: verify(t, CASE)):
        with pytest.raises(VerificationError) as caught:
            read(text)
        assert any(d.startswith(problem) for d in caught.value.differences), caught.value


@settings(max_examples=300)
@given(st.data())
def test_a_record_cut_or_changed_anywhere_is_read_or_refused_never_crashes(
    data: st.DataObject,
) -> None:
    text = _stored()
    at = data.draw(st.integers(0, len(text) - 1))
    change = data.draw(st.sampled_from(["cut", "drop", "insert"]))
    if change == "cut":
        text = text[:at]
    elif change == "drop":
        text = text[:at] + text[at + 1 :]
    else:
        extra = data.draw(st.sampled_from(['"', "{", "]", "1", "x", ",", "null"]))
        text = text[:at] + extra + text[at:]
    try:
        rec = DecisionRecord.from_json(text)
    except VerificationError as error:
        assert error.differences
    else:
        assert isinstance(rec.as_of, date) and isinstance(rec.decision, dict)


# ---------------------------------------------------------------- properties

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
_VALUES = st.one_of(
    _SCALARS,
    st.lists(_SCALARS, max_size=2),
    st.dictionaries(st.text(max_size=5), _SCALARS, max_size=2),
)


def _mutate(draw: st.DrawFn, data: Json) -> tuple[Any, ...]:
    """One change to one value of ``data``: replaced (often by the same value in
    another JSON type), deleted, or a key added beside it; the path changed."""
    nodes = [(path, value) for path, value in _nodes(data) if path]
    path, old = draw(st.sampled_from(nodes))
    parent = _parent(data, path)
    kind = draw(st.sampled_from(["replace", "retype", "delete", "add"]))
    if kind == "delete" and isinstance(parent, dict):
        del parent[path[-1]]
        return path
    if kind == "add" and isinstance(parent, dict):
        key = draw(st.text(max_size=8).filter(lambda k: k not in parent))
        parent[key] = draw(_VALUES)
        return (*path[:-1], key)
    retype: Callable[[Any], Any] | None = {bool: int, int: float, float: str}.get(type(old))
    new = retype(old) if kind == "retype" and retype is not None else draw(_VALUES)
    if _canonical(new) == _canonical(old):
        new = [old]
    parent[path[-1]] = new
    return path


@given(case=case_dicts(AS_OF), trace=st.booleans(), data=st.data())
def test_any_single_change_to_a_record_is_caught_and_an_untouched_record_verifies(
    case: Json, trace: bool, data: st.DataObject
) -> None:
    text = record(riskreview.evaluate(case, as_of=AS_OF, trace=trace)).to_json()
    assert verify(text, case).to_json() == _canonical(json.loads(text)["decision"])
    changed = json.loads(text)
    path = _mutate(data.draw, changed)
    with pytest.raises(VerificationError):
        verify(json.dumps(changed), case)
    if path != ("digest",) and "digest" in changed:
        # a forger who also recomputes the digest is caught by the recomputation
        with pytest.raises(VerificationError):
            verify(json.dumps(_redigest(changed)), case)
