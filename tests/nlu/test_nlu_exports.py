import nlu


def test_all_lists_exactly_the_public_names() -> None:
    public = {name for name in vars(nlu) if not name.startswith("_")} | set(nlu._LAZY)
    modules = {name for name, value in vars(nlu).items() if type(value).__name__ == "module"}
    assert set(nlu.__all__) == public - modules
    assert all(getattr(nlu, name) is not None for name in nlu.__all__)  # every lazy name resolves
    assert nlu.__all__ == sorted(nlu.__all__, key=lambda n: (not n.isupper(), not n[0].isupper(), n))


def test_every_error_has_one_root() -> None:
    errors = [getattr(nlu, name) for name in nlu.__all__ if name.endswith(("Error", "Datetime", "Rejected",
                                                                          "NotFound", "Missing", "Unavailable"))]
    assert errors and all(issubclass(error, nlu.NluError) for error in errors)
