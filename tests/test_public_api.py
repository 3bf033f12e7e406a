import mldebt


def test_public_surface_is_deliberate():
    assert mldebt.__all__ == ["__version__"]
    assert mldebt.__version__ == "0.1.0"
