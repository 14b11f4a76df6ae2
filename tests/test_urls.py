import pytest

from explainer.urls import page_dir, relative_url, split_site_link


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
