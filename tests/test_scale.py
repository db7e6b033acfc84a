import pytest

from lgcore import scale


def test_current_reads_variable(monkeypatch):
    for name in scale.SCALES:
        monkeypatch.setenv("LGCORE_SCALE", name)
        assert scale.current() == name


def test_current_defaults_to_book(monkeypatch):
    monkeypatch.delenv("LGCORE_SCALE")
    assert scale.current() == "book"

    monkeypatch.setenv("LGCORE_SCALE", "")
    assert scale.current() == "book"


def test_current_normalizes_case(monkeypatch):
    monkeypatch.setenv("LGCORE_SCALE", " Paper ")
    assert scale.current() == "paper"


def test_unknown_scale_lists_valid_names(monkeypatch):
    monkeypatch.setenv("LGCORE_SCALE", "huge")
    with pytest.raises(ValueError, match=r"unknown scale 'huge'; valid scales are smoke, book, paper") as error:
        scale.current()
    assert "LGCORE_SCALE" in str(error.value)


def test_validate_rejects_unknown_name():
    assert scale.validate("SMOKE") == "smoke"
    with pytest.raises(ValueError, match="unknown scale 'tiny'"):
        scale.validate("tiny")


def test_pick_follows_active_scale(monkeypatch):
    values = dict(smoke=1, book=2, paper=3)
    for name, expected in values.items():
        monkeypatch.setenv("LGCORE_SCALE", name)
        assert scale.pick(**values) == expected


def test_pick_explicit_scale_wins(monkeypatch):
    monkeypatch.setenv("LGCORE_SCALE", "smoke")
    assert scale.pick(smoke="s", book="b", paper="p", scale="paper") == "p"
    with pytest.raises(ValueError, match="unknown scale 'medium'"):
        scale.pick(smoke="s", book="b", paper="p", scale="medium")


def test_pick_requires_all_three():
    with pytest.raises(TypeError):
        scale.pick(smoke=1, book=2)


def test_asserts_claims_only_off_at_smoke(monkeypatch):
    monkeypatch.setenv("LGCORE_SCALE", "smoke")
    assert scale.asserts_claims() is False
    monkeypatch.setenv("LGCORE_SCALE", "book")
    assert scale.asserts_claims() is True
    monkeypatch.setenv("LGCORE_SCALE", "paper")
    assert scale.asserts_claims() is True


def test_asserts_claims_explicit_scale(monkeypatch):
    monkeypatch.setenv("LGCORE_SCALE", "book")
    assert scale.asserts_claims("smoke") is False
    assert scale.asserts_claims("paper") is True
    with pytest.raises(ValueError, match="unknown scale 'fast'"):
        scale.asserts_claims("fast")
