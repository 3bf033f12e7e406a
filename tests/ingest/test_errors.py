from mldebt.errors import ForbiddenError, MldebtError, PayloadError, PayloadTooLargeError, UnauthorizedError


def test_ingest_errors_have_their_codes_and_statuses():
    classes = (UnauthorizedError, ForbiddenError, PayloadError, PayloadTooLargeError)
    assert all(issubclass(c, MldebtError) for c in classes)
    assert [(c.code, c.http_status) for c in classes] == [
        ("unauthorized", 401), ("forbidden", 403), ("invalid_payload", 422), ("payload_too_large", 413)]
