"""CONV: typed converters and the Python type the view receives."""

import uuid

import pytest

from conformance.handlers import typed
from conformance.harness import requirement
from conformance.model import AppModel, Request, rule
from conformance.verdict import Expectation, found, not_found

BLOG = AppModel.of(rule("/blog/<int:postID>", "blog"))
REV = AppModel.of(rule("/rev/<float:revNo>", "rev"))
FILES = AppModel.of(rule("/files/<path:p>", "files"))
EDIT = AppModel.of(rule("/files/<path:p>/edit", "edit"))


@requirement("CONV-INT-001")
@pytest.mark.parametrize("raw, value", [("555", 555), ("0", 0), ("1234567890123", 1234567890123)])
def test_CONV_INT_001_int_passes_int(conformance, raw, value):
    conformance.check(BLOG, Request(f"/blog/{raw}"), found("CONV-INT-001", "blog", {"postID": typed(value)}))


@requirement("CONV-INT-002")
@pytest.mark.parametrize("raw", ["abc", "1.5", "1e3", "%201", "0x10", "12a", "+5"])
def test_CONV_INT_002_int_rejects_non_digits(conformance, raw):
    conformance.check(BLOG, Request(f"/blog/{raw}"), not_found("CONV-INT-002"))


@requirement("CONV-INT-003")
@pytest.mark.parametrize("raw", ["-1", "-555"])
def test_CONV_INT_003_int_rejects_negatives(conformance, raw):
    conformance.check(BLOG, Request(f"/blog/{raw}"), not_found("CONV-INT-003"))


@requirement("CONV-INT-004")
def test_CONV_INT_004_leading_zeros(conformance):
    conformance.check(BLOG, Request("/blog/007"), Expectation("CONV-INT-004", None))


@requirement("CONV-INT-005")
@pytest.mark.parametrize("raw", ["%D9%A3", "%E0%A5%A8", "%EF%BC%95"],
                         ids=["arabic-indic-3", "devanagari-2", "fullwidth-5"])
def test_CONV_INT_005_int_rejects_non_ascii_digits(conformance, raw):
    conformance.check(BLOG, Request(f"/blog/{raw}"), not_found("CONV-INT-005"))


@requirement("CONV-INT-006")
def test_CONV_INT_006_int_arguments(conformance):
    model = AppModel.of(rule("/r/<int(min=1, max=9):n>", "ranged"),
                        rule("/f/<int(fixed_digits=3):n>", "fixed"),
                        rule("/s/<int(signed=True):n>", "signed"))
    for path, exp in [
        ("/r/1", found("CONV-INT-006", "ranged", {"n": typed(1)})),
        ("/r/9", found("CONV-INT-006", "ranged", {"n": typed(9)})),
        ("/r/0", not_found("CONV-INT-006")),
        ("/r/10", not_found("CONV-INT-006")),
        ("/f/042", found("CONV-INT-006", "fixed", {"n": typed(42)})),
        ("/f/42", not_found("CONV-INT-006")),
        ("/f/0042", not_found("CONV-INT-006")),
        ("/s/-5", found("CONV-INT-006", "signed", {"n": typed(-5)})),
        ("/s/5", found("CONV-INT-006", "signed", {"n": typed(5)})),
    ]:
        conformance.check(model, Request(path), exp)


@requirement("CONV-FLOAT-001")
@pytest.mark.parametrize("raw, value", [("1.5", 1.5), ("0.0", 0.0), ("3.14159", 3.14159), ("10.25", 10.25)])
def test_CONV_FLOAT_001_float_passes_float(conformance, raw, value):
    conformance.check(REV, Request(f"/rev/{raw}"), found("CONV-FLOAT-001", "rev", {"revNo": typed(value)}))


@requirement("CONV-FLOAT-002")
@pytest.mark.parametrize("raw", ["abc", "1.2.3", ".", "1.", ".5", "nan", "inf", "1.5x", "1,5"])
def test_CONV_FLOAT_002_float_rejects_non_numbers(conformance, raw):
    conformance.check(REV, Request(f"/rev/{raw}"), not_found("CONV-FLOAT-002"))


@requirement("CONV-FLOAT-003")
@pytest.mark.parametrize("raw", ["1", "42"])
def test_CONV_FLOAT_003_float_requires_a_decimal_point(conformance, raw):
    conformance.check(REV, Request(f"/rev/{raw}"), not_found("CONV-FLOAT-003"))


@requirement("CONV-FLOAT-004")
def test_CONV_FLOAT_004_float_rejects_negatives(conformance):
    conformance.check(REV, Request("/rev/-1.5"), not_found("CONV-FLOAT-004"))


@requirement("CONV-FLOAT-005")
def test_CONV_FLOAT_005_float_arguments(conformance):
    model = AppModel.of(rule("/s/<float(signed=True):x>", "signed"),
                        rule("/r/<float(min=1.0, max=2.0):x>", "ranged"))
    for path, exp in [
        ("/s/-1.5", found("CONV-FLOAT-005", "signed", {"x": typed(-1.5)})),
        ("/r/1.5", found("CONV-FLOAT-005", "ranged", {"x": typed(1.5)})),
        ("/r/2.5", not_found("CONV-FLOAT-005")),
        ("/r/0.5", not_found("CONV-FLOAT-005")),
    ]:
        conformance.check(model, Request(path), exp)


@requirement("CONV-FLOAT-006")
@pytest.mark.parametrize("raw", ["%D9%A3.5", "1.%EF%BC%95"], ids=["arabic-indic-3", "fullwidth-5"])
def test_CONV_FLOAT_006_float_rejects_non_ascii_digits(conformance, raw):
    conformance.check(REV, Request(f"/rev/{raw}"), not_found("CONV-FLOAT-006"))


@requirement("CONV-PATH-001")
@pytest.mark.parametrize("value", ["a", "a/b/c.txt", "dir/sub dir/file"])
def test_CONV_PATH_001_path_crosses_slashes(conformance, value):
    raw = value.replace(" ", "%20")
    conformance.check(FILES, Request(f"/files/{raw}"), found("CONV-PATH-001", "files", {"p": typed(value)}))


@requirement("CONV-PATH-002")
def test_CONV_PATH_002_path_rejects_empty(conformance):
    conformance.check(FILES, Request("/files/"), not_found("CONV-PATH-002"))


@requirement("CONV-PATH-003")
def test_CONV_PATH_003_path_leaves_static_suffix(conformance):
    conformance.check(EDIT, Request("/files/a/b/edit"), found("CONV-PATH-003", "edit", {"p": typed("a/b")}))
    conformance.check(EDIT, Request("/files/edit/edit"), found("CONV-PATH-003", "edit", {"p": typed("edit")}))
    conformance.check(EDIT, Request("/files/a/b"), not_found("CONV-PATH-003"))


@requirement("CONV-STRING-001")
def test_CONV_STRING_001_string_arguments(conformance):
    model = AppModel.of(rule("/m/<string(minlength=2, maxlength=4):s>", "bounded"),
                        rule("/l/<string(length=3):s>", "exact"))
    for path, exp in [
        ("/m/ab", found("CONV-STRING-001", "bounded", {"s": typed("ab")})),
        ("/m/abcd", found("CONV-STRING-001", "bounded", {"s": typed("abcd")})),
        ("/m/a", not_found("CONV-STRING-001")),
        ("/m/abcde", not_found("CONV-STRING-001")),
        ("/l/abc", found("CONV-STRING-001", "exact", {"s": typed("abc")})),
        ("/l/ab", not_found("CONV-STRING-001")),
    ]:
        conformance.check(model, Request(path), exp)


@requirement("CONV-UUID-001")
def test_CONV_UUID_001_uuid_passes_uuid(conformance):
    model = AppModel.of(rule("/u/<uuid:u>", "by_uuid"))
    value = uuid.UUID("12345678-1234-5678-1234-567812345678")
    conformance.check(model, Request(f"/u/{value}"), found("CONV-UUID-001", "by_uuid", {"u": typed(value)}))
    for bad in ["12345678", "not-a-uuid", "12345678-1234-5678-1234-56781234567g"]:
        conformance.check(model, Request(f"/u/{bad}"), not_found("CONV-UUID-001"))


@requirement("CONV-ANY-001")
def test_CONV_ANY_001_any_matches_its_items(conformance):
    model = AppModel.of(rule("/lang/<any('en', 'fr', 'de'):lang>", "lang"))
    for item in ["en", "fr", "de"]:
        conformance.check(model, Request(f"/lang/{item}"), found("CONV-ANY-001", "lang", {"lang": typed(item)}))
    for bad in ["es", "e", "enfr", "EN"]:
        conformance.check(model, Request(f"/lang/{bad}"), not_found("CONV-ANY-001"))


@requirement("CONV-PATH-004")
@pytest.mark.parametrize("raw", ["a/", "a//b"])
def test_CONV_PATH_004_path_with_empty_segments(conformance, raw):
    conformance.check(FILES, Request(f"/files/{raw}"), Expectation("CONV-PATH-004", None))
