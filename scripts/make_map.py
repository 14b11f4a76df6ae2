"""Make ``templates/map/borders.json``: the borders of Mali and its neighbours for the locator map.

Run once, by hand, when the map's frame or detail should change; the build reads only the
JSON this writes (it needs neither npm nor this script). The borders are Natural Earth's
(public domain) as published in the ``world-atlas`` npm package, version 2.0.2
(``countries-50m.json``, TopoJSON)::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/make_map.py package/countries-50m.json

What it does: decodes the TopoJSON arcs, simplifies each shared arc once (Douglas-Peucker,
so neighbouring countries keep a common border), projects them (equirectangular, scaled by
the cosine of the frame's middle latitude, which keeps shapes true to within a few per cent
at these latitudes), clips each country to the frame and writes whole-number SVG paths.
The projection is written beside the paths, so the build places towns with the same one.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "templates" / "map" / "borders.json"
# The frame: Mali (lon -12.2..4.3, lat 10.1..25.0) with a margin.
WEST, EAST, SOUTH, NORTH = -13.2, 5.6, 9.4, 25.6
WIDTH = 400  # SVG units across the frame
TOLERANCE = 0.9  # Douglas-Peucker tolerance, in SVG units (about 5 km)
# ISO 3166 numeric -> alpha-2 (Babel names countries by the alpha-2 code), and where each
# country's name goes on the map (longitude, latitude: inside the frame and the country).
COUNTRIES = {
    "466": ("ML", (-3.2, 17.6)),
    "012": ("DZ", (1.0, 24.6)),
    "478": ("MR", (-10.6, 20.6)),
    "562": ("NE", (3.9, 13.1)),
    "854": ("BF", (-1.6, 12.2)),
    "384": ("CI", (-6.4, 10.1)),
    "324": ("GN", (-11.1, 10.6)),
    "686": ("SN", (-13.0, 14.4)),
    "288": ("GH", (-1.2, 9.7)),
    "204": ("BJ", (2.3, 10.6)),
    "768": ("TG", (0.9, 9.9)),
    "566": ("NG", (5.0, 11.0)),
}
LABELLED = {"ML", "DZ", "MR", "NE", "BF", "CI", "GN"}  # Senegal: too thin a strip to name


def projection() -> dict[str, float]:
    parallel = (SOUTH + NORTH) / 2
    scale = WIDTH / ((EAST - WEST) * math.cos(math.radians(parallel)))
    return {"west": WEST, "north": NORTH, "parallel": parallel, "scale": round(scale, 6)}


def project(lon: float, lat: float, p: dict[str, float]) -> tuple[float, float]:
    """The same formula as ``explainer.render.placemap.project``."""
    x = (lon - p["west"]) * math.cos(math.radians(p["parallel"])) * p["scale"]
    y = (p["north"] - lat) * p["scale"]
    return x, y


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, keeping both ends."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay)
        farthest, distance = 0, 0.0
        for index in range(first + 1, last):
            px, py = points[index]
            if length == 0:
                d = math.hypot(px - ax, py - ay)
            else:
                d = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            if d > distance:
                farthest, distance = index, d
        if distance > tolerance:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def clip(points: list[tuple[float, float]], box: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    """Sutherland-Hodgman: the part of a closed ring inside ``box`` (left, top, right, bottom)."""
    left, top, right, bottom = box
    edges = (
        (lambda p: p[0] >= left, lambda a, b: _cross_x(a, b, left)),
        (lambda p: p[0] <= right, lambda a, b: _cross_x(a, b, right)),
        (lambda p: p[1] >= top, lambda a, b: _cross_y(a, b, top)),
        (lambda p: p[1] <= bottom, lambda a, b: _cross_y(a, b, bottom)),
    )
    for inside, cross in edges:
        if not points:
            break
        result = []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    result.append(cross(previous, point))
                result.append(point)
            elif inside(previous):
                result.append(cross(previous, point))
            previous = point
        points = result
    return points


def _cross_x(a: tuple[float, float], b: tuple[float, float], x: float) -> tuple[float, float]:
    t = (x - a[0]) / (b[0] - a[0])
    return x, a[1] + t * (b[1] - a[1])


def _cross_y(a: tuple[float, float], b: tuple[float, float], y: float) -> tuple[float, float]:
    t = (y - a[1]) / (b[1] - a[1])
    return a[0] + t * (b[0] - a[0]), y


def path(rings: list[list[tuple[float, float]]]) -> str:
    """Whole-number SVG path data, relative moves after the first point of each ring."""
    parts = []
    for points in rings:
        rounded = [(round(x), round(y)) for x, y in points]
        deduplicated = [rounded[0]]
        for point in rounded[1:]:
            if point != deduplicated[-1]:
                deduplicated.append(point)
        if deduplicated[0] == deduplicated[-1]:
            deduplicated.pop()
        if len(deduplicated) < 3:
            continue
        (x, y), *rest = deduplicated
        steps = []
        for nx, ny in rest:
            steps.append(f"{nx - x} {ny - y}".replace(" -", "-"))
            x, y = nx, ny
        parts.append(f"M{deduplicated[0][0]} {deduplicated[0][1]}l" + " ".join(steps).replace(" -", "-") + "z")
    return "".join(parts)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("topojson", type=Path, help="world-atlas countries-50m.json")
    arguments = parser.parse_args(argv)
    topology = json.loads(arguments.topojson.read_text(encoding="utf-8"))
    p = projection()
    height = round((NORTH - SOUTH) * p["scale"])
    arcs = [simplify([project(lon, lat, p) for lon, lat in arc], TOLERANCE) for arc in decode_arcs(topology)]
    margin = 3  # clip a little outside the frame, so the cut edges' strokes fall outside the picture
    box = (-margin, -margin, WIDTH + margin, height + margin)
    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("id") not in COUNTRIES:
            continue
        code, (label_lon, label_lat) = COUNTRIES[geometry["id"]]
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = [clip(ring(indexes, arcs), box) for polygon in polygons for indexes in polygon]
        data = path([r for r in rings if r])
        if not data:
            continue
        label = [round(value) for value in project(label_lon, label_lat, p)] if code in LABELLED else None
        countries.append({"code": code, "path": data, "label": label})
    countries.sort(key=lambda country: country["code"] == "ML")  # Mali last, drawn over its neighbours
    result = {
        "source": "Natural Earth (public domain), via the world-atlas npm package 2.0.2, countries-50m.json;"
        " simplified and projected by scripts/make_map.py",
        "width": WIDTH,
        "height": height,
        "projection": p,
        "countries": countries,
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{OUTPUT.name}: {OUTPUT.stat().st_size:,} bytes, {len(countries)} countries", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
