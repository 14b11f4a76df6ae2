"""The locator map: Mali and its neighbours, with the places of the story, as inline SVG.

The borders are data made once by ``scripts/make_map.py`` (Natural Earth, simplified and
projected) and kept in ``templates/map/borders.json``; the places come from
``content/places.yaml``. Their labels are the glossary's name forms (``i18n/glossary.yaml``),
the country names are CLDR's (Babel). Pure: the caller reads the files.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..config import Language
from ..errors import Problem, TemplateError
from ..model import Place, SiteMap
from ..translate.glossary import Glossary
from ..urls import split_site_link

BORDERS_FILE = "map/borders.json"  # under templates/
_TIMELINE_ANCHOR = re.compile(r"^e-(\d{4}(?:-\d{2}(?:-\d{2})?)?)(?:-n\d+)?$")
# Where a label sits beside its dot: offset (x, y) in map units and the text anchor.
_LABEL_POSITIONS = {
    "right": (5, 4, "start"),
    "left": (-5, 4, "end"),
    "above": (0, -6, "middle"),
    "below": (0, 13, "middle"),
}


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166 alpha-2: Babel names it
    path: str  # SVG path data, in map units
    label: tuple[int, int] | None  # where its name goes, if it is named


@dataclass(frozen=True)
class Borders:
    """The map's background: its size, its projection and the countries' outlines."""

    width: int
    height: int
    projection: dict[str, float]
    countries: tuple[Country, ...]
    source: str

    def project(self, latitude: float, longitude: float) -> tuple[float, float]:
        """Map units of a point: the projection ``scripts/make_map.py`` drew the borders with."""
        p = self.projection
        x = (longitude - p["west"]) * math.cos(math.radians(p["parallel"])) * p["scale"]
        y = (p["north"] - latitude) * p["scale"]
        return x, y

    def contains(self, latitude: float, longitude: float) -> bool:
        x, y = self.project(latitude, longitude)
        return 0 <= x <= self.width and 0 <= y <= self.height


def parse_borders(text: str, shown: str) -> Borders:
    """Read the JSON written by ``scripts/make_map.py``; raises ``TemplateError`` if it is not that."""
    try:
        data = json.loads(text)
        return Borders(
            width=int(data["width"]),
            height=int(data["height"]),
            projection={key: float(data["projection"][key]) for key in ("west", "north", "parallel", "scale")},
            countries=tuple(
                Country(
                    str(c["code"]), str(c["path"]), (int(c["label"][0]), int(c["label"][1])) if c["label"] else None
                )
                for c in data["countries"]
            ),
            source=str(data["source"]),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise TemplateError(
            [Problem(shown, 0, f"not a map made by scripts/make_map.py ({error}); run the script again")]
        ) from None


def check_places(places: tuple[Place, ...], shown: str, glossary: Glossary, site_map: SiteMap) -> list[Problem]:
    """Problems with the places, each at its line of ``places.yaml``: a name with no glossary entry
    (its label could not be written in every language), a mention that leads nowhere."""
    problems: list[Problem] = []
    names = {term.french for term in glossary.terms if term.is_name}
    for place in places:
        if place.name not in names:
            problems.append(
                Problem(
                    shown,
                    place.name_line or place.line,
                    f"'{place.name}' is not among the names of i18n/glossary.yaml: add it there"
                    " (with its Arabic form) so that its label can be written in every language",
                )
            )
        lines = place.mention_lines or (place.line,) * len(place.mentions)
        for mention, line in zip(place.mentions, lines, strict=True):
            path, fragment = split_site_link(mention)
            if path not in site_map.published:
                problems.append(Problem(shown, line, f"mention {mention!r} of '{place.name}': there is no such page"))
            elif fragment and fragment[1:] not in site_map.anchors[path]:
                problems.append(
                    Problem(
                        shown,
                        line,
                        f"mention {mention!r} of '{place.name}': that page has no heading or entry with id"
                        f" '{fragment[1:]}'",
                    )
                )
    return problems


def outside(places: tuple[Place, ...], shown: str, borders: Borders) -> list[Problem]:
    """Places the map's frame does not show."""
    return [
        Problem(
            shown,
            place.line,
            f"'{place.name}' ({place.latitude:g}, {place.longitude:g}) lies outside the map;"
            " check its coordinates (latitude first, west is negative)",
        )
        for place in places
        if not borders.contains(place.latitude, place.longitude)
    ]


def timeline_date(anchor: str) -> str | None:
    """The date written in a timeline entry's id (``e-2023-11-14-n2`` -> ``2023-11-14``)."""
    match = _TIMELINE_ANCHOR.match(anchor)
    return match.group(1) if match else None


@dataclass(frozen=True)
class MapLabels:
    """What the map needs from the reader's language."""

    language: Language
    glossary: Glossary
    link: Callable[[str], str]  # a site link "/path/#anchor" -> its URL from the current page
    page_title: Callable[[str], str]  # page path -> its title, as the link leads to it
    section: Callable[[str, str], str]  # (page path, anchor) -> the text of a link to that heading or entry
    # page path -> the language its title and headings are shown in, when it is not the reader's
    # (a page not published in the reader's language: its French), marked with ``lang``
    text_language: Callable[[str], str | None] = lambda path: None


def map_context(places: tuple[Place, ...], borders: Borders, labels: MapLabels) -> dict[str, Any]:
    """What ``map.html`` draws: countries, named in the reader's language, and the places with
    their labels and the links to where the story mentions them."""
    territories = labels.language.babel_locale.territories
    forms = labels.glossary.for_language(labels.language.code)
    drawn = []
    for place in places:
        x, y = borders.project(place.latitude, place.longitude)
        dx, dy, anchor = _LABEL_POSITIONS[place.label]
        pages: dict[str, list[dict[str, str | None]]] = {}  # the mentions, grouped by page
        for mention in place.mentions:
            path, fragment = split_site_link(mention)
            text = labels.section(path, fragment[1:]) if fragment else labels.page_title(path)
            date = timeline_date(fragment[1:]) if fragment else None  # a timeline entry: named by its date
            pages.setdefault(path, []).append({"url": labels.link(mention), "text": text, "date": date})
        drawn.append(
            {
                "id": f"place-{place.id}",
                "name": forms.get(place.name, place.name),
                "x": round(x, 1),
                "y": round(y, 1),
                "label_x": round(x + dx, 1),
                "label_y": round(y + dy, 1),
                "anchor": anchor,
                "pages": [
                    {"title": labels.page_title(path), "lang": labels.text_language(path), "links": links}
                    for path, links in pages.items()
                ],
            }
        )
    return {
        "width": borders.width,
        "height": borders.height,
        "countries": [
            {
                "code": country.code,
                "path": country.path,
                "name": territories.get(country.code, country.code),
                "label": country.label,
            }
            for country in borders.countries
        ],
        "places": drawn,
    }


def places_by_anchor(places: tuple[Place, ...], page_path: str) -> dict[str, list[Place]]:
    """Anchor on ``page_path`` -> the places mentioned there: the timeline links back to them."""
    found: dict[str, list[Place]] = {}
    for place in places:
        for mention in place.mentions:
            path, fragment = split_site_link(mention)
            if path == page_path and fragment:
                found.setdefault(fragment[1:], []).append(place)
    return found
