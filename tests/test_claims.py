import json
import logging
import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from lgcore import claims
from lgcore.claims import Claims, ClaimResult

WHY = "spread over 5 seeds"


@pytest.fixture
def book_scale(monkeypatch):
    monkeypatch.setenv("LGCORE_SCALE", "book")


def read_record(book: Claims) -> dict:
    return json.loads(book.path.read_text())


def test_records_dir_from_variable(tmp_path):
    assert claims.records_dir() == tmp_path / "claims"


def test_records_dir_in_book_checkout(monkeypatch):
    monkeypatch.delenv("LGCORE_CLAIMS_DIR")
    root = Path(claims.__file__).resolve().parents[1]
    expected = root / "_build" / "claims" if (root / "_toc.yml").exists() else Path.home() / ".cache/lgcore/claims"
    assert claims.records_dir() == expected


def test_claims_writes_record_on_creation(tmp_path):
    book = Claims("robustness/feature-averaging", paper="li2024averaging", seeds=[0, 1])
    assert book.path == tmp_path / "claims" / "robustness__feature-averaging.json"
    record = read_record(book)
    assert record["chapter"] == "robustness/feature-averaging"
    assert record["paper"] == "li2024averaging"
    assert record["claims"] == []
    assert record["provenance"]["seeds"] == [0, 1]


def test_claims_folder_argument(tmp_path):
    book = Claims("part/chapter", paper="key", folder=tmp_path / "elsewhere")
    assert book.path == tmp_path / "elsewhere" / "part__chapter.json"
    assert book.path.is_file()


@pytest.mark.parametrize("chapter", ["", "Robustness/x", "/leading-slash", "has space"])
def test_claims_rejects_bad_chapter(chapter):
    with pytest.raises(ValueError, match=re.escape(f"chapter slug {chapter!r} is invalid")):
        Claims(chapter, paper="key")


def test_passing_claim_at_book_scale(book_scale):
    book = Claims("part/chapter", paper="key")
    result = book.check("accuracy", "the model learns", 0.97, why=WHY, at_least=0.95, paper_value="0.98")
    assert result == ClaimResult(id="accuracy", statement="the model learns", value=0.97, bound=">= 0.95",
                                 paper_value="0.98", why=WHY, passed=True)


def test_failing_claim_raises_at_book_scale(book_scale):
    book = Claims("part/chapter", paper="key")
    with pytest.raises(AssertionError) as error:
        book.check("accuracy", "the model learns", 0.9, why=WHY, at_least=0.95)
    message = str(error.value)
    assert "part/chapter:accuracy" in message
    assert "Measured 0.9," in message
    assert "required >= 0.95" in message
    assert WHY in message

    # The failure is recorded before it is raised, so the reproduction table shows it.
    stored = read_record(book)["claims"]
    assert [(claim["id"], claim["passed"]) for claim in stored] == [("accuracy", False)]


def test_failing_claim_raises_at_paper_scale(monkeypatch):
    monkeypatch.setenv("LGCORE_SCALE", "paper")
    book = Claims("part/chapter", paper="key")
    with pytest.raises(AssertionError, match=r"claim part/chapter:radius failed"):
        book.check("radius", "radius matches", 2.0, why=WHY, expected=1.0, rtol=0.1)


def test_failing_claim_recorded_at_smoke_scale(caplog):
    book = Claims("part/chapter", paper="key")
    with caplog.at_level(logging.WARNING, logger="lgcore.claims"):
        result = book.check("accuracy", "the model learns", 0.5, why=WHY, at_least=0.95)
    assert result.passed is False
    assert read_record(book)["claims"][0]["passed"] is False
    assert "claim part/chapter:accuracy failed" in caplog.text
    assert "Not asserted at smoke scale" in caplog.text


@pytest.mark.parametrize("bound", [dict(at_least=0.0), dict(at_most=1.0), dict(at_least=-1.0, at_most=1.0),
                                   dict(expected=0.0, atol=1.0)])
def test_nan_never_passes(book_scale, bound):
    book = Claims("part/chapter", paper="key")
    with pytest.raises(AssertionError, match="Measured nan"):
        book.check("value", "value is finite", float("nan"), why=WHY, **bound)
    assert read_record(book)["claims"][0]["passed"] is False


def test_infinity_never_passes():
    assert claims.within(math.inf, at_least=0.0) is False
    assert claims.within(-math.inf, at_most=0.0) is False


def test_record_has_provenance_and_claims(book_scale):
    book = Claims("part/chapter", paper="key", seeds=(3, 4))
    book.check("first", "first claim", 1.0, why=WHY, at_most=2.0)
    book.check("second", "second claim", np.float32(0.5), why=WHY, expected=0.45, rtol=0.2, paper_value="0.45")
    book.check("third", "third claim", torch.tensor(3), why=WHY, at_least=1, at_most=5)

    record = read_record(book)
    assert set(record) == {"chapter", "paper", "written", "provenance", "claims"}
    assert set(record["provenance"]) == {"lgcore_version", "git_commit", "torch_version", "python_version",
                                         "device", "hardware", "scale", "seeds"}
    assert record["provenance"]["scale"] == "book"
    assert record["provenance"]["seeds"] == [3, 4]
    assert [claim["id"] for claim in record["claims"]] == ["first", "second", "third"]
    assert [claim["bound"] for claim in record["claims"]] == ["<= 2", "0.45 ± 20%", "in [1, 5]"]
    assert all(claim["passed"] for claim in record["claims"])
    assert record["claims"][1]["paper_value"] == "0.45"
    assert not book.path.with_suffix(".json.tmp").exists()


def test_check_rejects_duplicate_id():
    book = Claims("part/chapter", paper="key")
    book.check("accuracy", "first", 1.0, why=WHY, at_least=0.0)
    with pytest.raises(ValueError, match=r"claim id 'accuracy' was already checked in part/chapter"):
        book.check("accuracy", "second", 1.0, why=WHY, at_least=0.0)


@pytest.mark.parametrize("claim_id", ["", "Accuracy", "has space", "-leading-dash", "accuracy\n"])
def test_check_rejects_bad_id(claim_id):
    book = Claims("part/chapter", paper="key")
    with pytest.raises(ValueError, match=re.escape(f"claim id {claim_id!r} is invalid")):
        book.check(claim_id, "statement", 1.0, why=WHY, at_least=0.0)


@pytest.mark.parametrize("why", ["", "   ", None])
def test_check_requires_why(why):
    book = Claims("part/chapter", paper="key")
    with pytest.raises(ValueError, match=r"claim 'accuracy': why= must give the reason"):
        book.check("accuracy", "statement", 1.0, why=why, at_least=0.0)


def test_check_requires_bound():
    book = Claims("part/chapter", paper="key")
    with pytest.raises(ValueError, match=r"claim 'accuracy' has no bound"):
        book.check("accuracy", "statement", 1.0, why=WHY)


@pytest.mark.parametrize("tolerance", [dict(), dict(rtol=0.0), dict(atol=0.0, rtol=None)])
def test_expected_requires_tolerance(tolerance):
    book = Claims("part/chapter", paper="key")
    with pytest.raises(ValueError, match=r"claim 'radius': expected=1.5 needs a tolerance"):
        book.check("radius", "statement", 1.5, why=WHY, expected=1.5, **tolerance)


@pytest.mark.parametrize("bound, message", [
    (dict(expected=1.0, rtol=0.1, at_least=0.0), "pass either expected="),
    (dict(expected=1.0, rtol=-0.1, atol=0.1), "rtol=-0.1 is negative"),
    (dict(expected=1.0, atol=-0.1, rtol=0.1), "atol=-0.1 is negative"),
    (dict(at_least=2.0, at_most=1.0), "at_least=2.0 is above at_most=1.0"),
])
def test_check_rejects_inconsistent_bound(bound, message):
    book = Claims("part/chapter", paper="key")
    with pytest.raises(ValueError, match=message):
        book.check("value", "statement", 1.0, why=WHY, **bound)


@pytest.mark.parametrize("value", ["0.9", None, True, [0.9], torch.tensor([0.9, 0.8])])
def test_check_rejects_non_number(value):
    book = Claims("part/chapter", paper="key")
    with pytest.raises(TypeError, match=r"claim 'value': value must be a real number"):
        book.check("value", "statement", value, why=WHY, at_least=0.0)
    assert read_record(book)["claims"] == []


def test_within_bounds():
    assert claims.within(1.0, at_least=1.0)
    assert not claims.within(0.999, at_least=1.0)
    assert claims.within(1.0, at_most=1.0)
    assert not claims.within(1.001, at_most=1.0)
    assert claims.within(1.09, expected=1.0, rtol=0.1)
    assert not claims.within(1.11, expected=1.0, rtol=0.1)
    assert claims.within(0.96, expected=1.0, atol=0.05)
    assert not claims.within(0.94, expected=1.0, atol=0.05)
    assert claims.within(-1.14, expected=-1.0, rtol=0.1, atol=0.05)
    assert not claims.within(-1.16, expected=-1.0, rtol=0.1, atol=0.05)


def test_describe_bound_forms():
    assert claims.describe_bound(at_least=0.95) == ">= 0.95"
    assert claims.describe_bound(at_most=0.1) == "<= 0.1"
    assert claims.describe_bound(at_least=0.1, at_most=0.2) == "in [0.1, 0.2]"
    assert claims.describe_bound(expected=0.4472, rtol=0.1) == "0.4472 ± 10%"
    assert claims.describe_bound(expected=2.0, rtol=0.001) == "2 ± 0.001 rel"
    assert claims.describe_bound(expected=2.0, atol=0.05) == "2 ± 0.05"
    assert claims.describe_bound(expected=2.0, rtol=0.1, atol=0.05) == "2 ± 10% + 0.05"


def test_in_kernel_false_under_pytest():
    assert claims.in_kernel() is False


def test_glue_outside_kernel_returns_value():
    assert claims.glue("name", 1.5) == 1.5


def test_glue_in_kernel_publishes(monkeypatch):
    import myst_nb

    published = []
    monkeypatch.setattr(claims, "in_kernel", lambda: True)
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: published.append((name, value, display)))
    assert claims.glue("accuracy", 0.9) == 0.9
    assert published == [("accuracy", 0.9, False)]


def test_check_glues_value(monkeypatch):
    glued = []
    monkeypatch.setattr(claims, "glue", lambda name, value: glued.append((name, value)))
    book = Claims("part/chapter", paper="key")
    book.check("accuracy", "statement", np.float64(0.5), why=WHY, at_least=0.0)
    assert glued == [("accuracy", 0.5)]


def test_load_records_sorted_by_chapter(tmp_path):
    Claims("part/zeta", paper="key").check("one", "statement", 1.0, why=WHY, at_least=0.0)
    Claims("part/alpha", paper="key").check("two", "statement", 2.0, why=WHY, at_least=0.0)
    records = claims.load_records()
    assert [record["chapter"] for record in records] == ["part/alpha", "part/zeta"]
    assert claims.load_records(tmp_path / "claims") == records


def test_load_records_missing_folder(tmp_path):
    assert claims.load_records(tmp_path / "absent") == []


def test_load_records_rejects_bad_json(tmp_path):
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "broken.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"claim record .*broken\.json is not valid JSON"):
        claims.load_records(folder)


def test_table_rows_flatten_claims():
    book = Claims("part/chapter", paper="key", seeds=[0, 1])
    book.check("accuracy", "the model learns", 0.97, why=WHY, at_least=0.95, paper_value="0.98")
    book.check("radius", "radius matches", 0.5, why=WHY, expected=1.0, rtol=0.1)
    (record,) = claims.load_records()
    rows = claims.table_rows(record)

    assert len(rows) == 2
    assert all(len(row) == len(claims.TABLE_COLUMNS) for row in rows)
    first = dict(zip(claims.TABLE_COLUMNS, rows[0]))
    assert first["claim"] == "accuracy"
    assert first["statement"] == "the model learns"
    assert first["paper"] == "0.98"
    assert first["ours"] == "0.97"
    assert first["required"] == ">= 0.95"
    assert first["result"] == "pass"
    assert first["why this tolerance"] == WHY
    assert dict(zip(claims.TABLE_COLUMNS, rows[1]))["result"] == "FAIL"


def test_provenance_line_names_scale_seeds_and_hardware():
    book = Claims("part/chapter", paper="key", seeds=[0, 1])
    (record,) = claims.load_records()
    line = claims.provenance_line(record)
    assert "scale smoke" in line
    assert "seeds 0, 1" in line
    assert f"lgcore {book.provenance['lgcore_version']}" in line
    assert book.provenance["hardware"] in line


def test_provenance_line_without_git_or_seeds():
    record = {
        "chapter": "part/chapter",
        "provenance": {"lgcore_version": "0.1.0", "git_commit": None, "scale": "book", "hardware": "CPU",
                       "torch_version": "2.13.0"},
        "claims": [dict(id="x", statement="s", value=1.0, bound=">= 0", paper_value="", why=WHY, passed=True)],
    }
    line = claims.provenance_line(record)
    assert "no git checkout" in line
    assert "seeds none" in line
    assert "written at an unknown time" in line
    (row,) = claims.table_rows(record)
    assert dict(zip(claims.TABLE_COLUMNS, row))["paper"] == ""


@pytest.mark.parametrize("bound", ["at_least", "at_most"])
def test_check_rejects_nan_bound(tmp_path, bound):
    book = Claims("part/chapter", paper="key", folder=tmp_path)
    with pytest.raises(ValueError, match=rf"{bound}=nan is not a finite number"):
        book.check("claim", "statement", 1.0, why="reason", **{bound: float("nan")})
