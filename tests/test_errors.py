import pytest

from mldebt.errors import CatalogInvalidError, MldebtError, NotFoundError, StoreError, UserInputError


@pytest.mark.parametrize(
    ("cls", "code", "status"),
    [(UserInputError, "invalid_input", 400), (NotFoundError, "not_found", 404),
     (CatalogInvalidError, "catalog_invalid", 422), (StoreError, "store_error", 503)],
)
def test_each_error_has_a_code_status_and_exit_code(cls, code, status):
    exc = cls("bad thing", ["detail 1"])
    assert isinstance(exc, MldebtError)
    assert (exc.code, exc.http_status, exc.exit_code) == (code, status, 2)
    assert (str(exc), exc.details) == ("bad thing", ["detail 1"])
