import posixpath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explainer.urls import _relpath, page_dir, relative_url, split_site_link


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("en/news/", "fr/news/", "../../fr/news/"),
        ("en/", "en/news/#x", "news/#x"),
        ("en/news/", "en/", "../"),
        ("en/news/", "en/news/#top", "#top"),
        ("en/a/b/", "assets/style.css", "../../../assets/style.css"),
        ("", "en/", "en/"),
    ],
)
def test_relative_url(source: str, target: str, expected: str) -> None:
    assert relative_url(source, target) == expected


def test_page_dir_and_site_links() -> None:
    assert page_dir("ar", "") == "ar/"
    assert page_dir("ar", "background/coups") == "ar/background/coups/"
    assert split_site_link("/background/coups/#x") == ("background/coups", "#x")


_SEGMENT = st.sampled_from(["en", "fr", "news", "background", "coups", "a-b", "x1"])
_FOLDER = st.lists(_SEGMENT, max_size=4).map(lambda parts: "/" + "/".join(parts))


@settings(deadline=None)
@given(_FOLDER, _FOLDER, st.booleans(), st.booleans())
def test_the_fast_relative_path_is_posixpath_relpath(target: str, base: str, slash: bool, base_slash: bool) -> None:
    target = target + "/" if slash and target != "/" else target
    base = base + "/" if base_slash and base != "/" else base
    assert _relpath(target, base) == posixpath.relpath(target, base)
