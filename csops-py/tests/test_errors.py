"""The exception hierarchy defined in the native module."""

from __future__ import annotations

import types

import pytest

import csops

ALL_ERRORS = [
    csops.CsopsError,
    csops.ValidationError,
    csops.ConfigError,
    csops.FormatError,
    csops.CsopsIOError,
    csops.NotFoundError,
    csops.ArgumentError,
    csops.MoneyError,
]


def test_hierarchy() -> None:
    assert issubclass(csops.CsopsError, Exception)
    for cls in ALL_ERRORS[1:]:
        assert issubclass(cls, csops.CsopsError)
    for cls in (csops.ValidationError, csops.ConfigError, csops.FormatError):
        assert issubclass(cls, ValueError)
    assert issubclass(csops.CsopsIOError, OSError)
    assert not issubclass(csops.CsopsIOError, ValueError)
    assert issubclass(csops.NotFoundError, KeyError)
    assert issubclass(csops.ArgumentError, TypeError)
    assert issubclass(csops.MoneyError, ValueError)


def test_a_wrong_argument_is_a_csops_error_and_a_type_error() -> None:
    # Found by the binding (a table where a mapping belongs) or by the core (an option of the
    # wrong shape): both an ArgumentError, so `except csops.CsopsError` catches every error.
    book = csops.load_book_csv({"accounts": "id,name,currency,arr,start_date\nA1,Acme,USD,100.00,2024-01-01\n"})
    for call in (
        lambda: csops.forecast(book, health="green"),
        lambda: csops.forecast(book, draws="many"),
    ):
        with pytest.raises(csops.ArgumentError) as e:
            call()
        assert isinstance(e.value, TypeError) and isinstance(e.value, csops.CsopsError)
    with pytest.raises(csops.ArgumentError) as e:
        csops.forecast(book, draws="many")
    assert e.value.path == "draws"


@pytest.mark.parametrize("cls", ALL_ERRORS, ids=lambda c: c.__name__)
def test_public_module_name(cls: type[Exception]) -> None:
    assert cls.__module__ == "csops"
    assert cls.__qualname__ == cls.__name__
    assert cls.__doc__


def test_validation_error_caught_as_value_error() -> None:
    with pytest.raises(ValueError, match="bad input"):
        raise csops.ValidationError("bad input")


def test_validation_error_defaults() -> None:
    err = csops.ValidationError("bad input")
    assert err.problems == []
    assert err.report is None
    assert str(err) == "bad input"


def test_config_error_problems() -> None:
    err = csops.ConfigError("bad", problems=("a", "b"))
    assert err.problems == ["a", "b"]
    assert csops.ConfigError("bad").problems == []


def test_io_error_attributes() -> None:
    err = csops.CsopsIOError("x.csv: gone", filename="x.csv", errno=2, strerror="gone")
    assert str(err) == "x.csv: gone"
    assert (err.filename, err.errno, err.strerror) == ("x.csv", 2, "gone")
    with pytest.raises(OSError):
        raise err


def test_same_classes_as_native_module() -> None:
    from csops import _csops

    for cls in ALL_ERRORS:
        assert getattr(_csops, cls.__name__) is cls


def test_all_is_explicit_and_complete() -> None:
    # Submodules imported on request (``import csops.plot``, ``csops.spark``) are not
    # re-exported names.
    public = {
        n for n in dir(csops) if not n.startswith("_") and not isinstance(getattr(csops, n), types.ModuleType)
    }
    assert set(csops.__all__) - {"__version__"} == public
    for name in csops.__all__:
        assert hasattr(csops, name)
