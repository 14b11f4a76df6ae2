"""The benchmark suite: explainer's builds beside Hugo's, on one seeded synthetic corpus.

    make bench                                    # 1,000 pages x 4 languages, 3 runs
    .venv/bin/python benchmarks/run.py --pages 10000 --runs 1 --scenarios hugo,cold,noop,edit

Writes the corpus (benchmarks/corpus.py: French pages with a complete, or with --memory empty an
empty, translation memory in en, ar and es, and the same 4 x N pages as a Hugo site) into a
scratch folder (on tmpfs where /dev/shm exists, as Hugo's reference figures were), then runs every
scenario in a fresh process and measures its wall time (process start included) and its peak
resident memory:

  hugo      Hugo's full build of the equivalent site (skipped when `hugo` is not installed)
  floor     the floor of this stack: Python-Markdown and Jinja2 alone, once per page, as many
            processes as cores (benchmarks/floor.py)
  cold      explainer build with no site and no cache
  noop      the same build again, nothing changed (the first no-op after the cold build)
  again     one more, nothing changed
  edit      one word changed in one paragraph of one page
  template  one line added to templates/page.html (every page is rendered again)

and, unless --no-mt, machine-translation throughput (benchmarks/mt_throughput.py). Prints the
machine, the median of the runs of each scenario, its ratios to Hugo's and to the floor's medians,
and the targets.
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
SCENARIOS = ("hugo", "floor", "cold", "noop", "again", "edit", "template")
# Targets, as ratios to Hugo's full build (issue: performance), and the cold build's to the floor.
TARGETS = {"cold": 4.0, "noop": 0.2, "again": 0.2, "edit": 0.3, "template": 2.0}
FLOOR_TARGETS = {"cold": 1.5}
EDITED_PAGE = "page-00000.md"


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total = int(meminfo.read_text().split()[1])
        memory = f", {total / 1024 / 1024:.0f} GB RAM"
    hugo = ""
    if shutil.which("hugo"):
        hugo = ", " + subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.split("+")[0].strip()
    return f"{cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}{hugo}"


def measure(command: list[str], cwd: Path) -> tuple[float, int]:
    """Run ``command``; return its wall time in seconds and its peak RSS in MB (the largest
    of the process and the worker processes it waited for)."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            sys.exit(f"{' '.join(command)} failed:\n{errors.read().decode(errors='replace')}")
    return elapsed, usage.ru_maxrss // 1024


def toggle(path: Path, old: str, new: str) -> None:
    """Make the edit, or undo it if it is already made: every run changes the file."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(new, old, 1) if new in text else text.replace(old, new, 1), encoding="utf-8")


def run_scenario(name: str, corpus: Path) -> tuple[float, int]:
    project, python = corpus / "explainer", sys.executable
    build = [python, str(REPOSITORY / "build.py"), "--project", str(project), "build", "--no-mt"]
    if name == "hugo":
        shutil.rmtree(corpus / "hugo-out", ignore_errors=True)
        return measure(["hugo", "--quiet", "-s", str(corpus / "hugo"), "-d", str(corpus / "hugo-out")], corpus)
    if name == "floor":
        shutil.rmtree(corpus / "floor-out", ignore_errors=True)
        return measure(
            [python, str(REPOSITORY / "benchmarks" / "floor.py"), str(corpus), str(corpus / "floor-out")], corpus
        )
    if name == "cold":
        shutil.rmtree(project / "site", ignore_errors=True)
        shutil.rmtree(project / ".cache", ignore_errors=True)
    elif name == "edit":
        page = project / "content" / EDITED_PAGE
        lines = page.read_text(encoding="utf-8").splitlines()
        first_paragraph = next(line for line in lines[12:] if line[:1].isupper())
        word = first_paragraph.split()[2]
        toggle(page, f" {word} ", f" {word} modifié ")
    elif name == "template":
        toggle(project / "templates" / "page.html", "{% block main %}", "{% block main %}<!-- edited -->")
    return measure(build, project)


def _ratios(name: str, median: float, hugo: float | None, floor: float | None) -> list[str]:
    """The ratios of a scenario to Hugo and to the floor, and its targets, met or missed."""
    to_hugo = f"{median / hugo:.2f}x" if hugo and name != "hugo" else ""
    to_floor = f"{median / floor:.2f}x" if floor and name not in ("hugo", "floor") else ""
    targets = []
    for reference, limits, label in ((hugo, TARGETS, "Hugo"), (floor, FLOOR_TARGETS, "floor")):
        if name in limits:
            met = "" if reference is None else (" met" if median / reference <= limits[name] else " missed")
            targets.append(f"<= {limits[name]}x {label}{met}")
    return [to_hugo, to_floor, ", ".join(targets)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--memory", choices=("complete", "empty"), default="complete", help="translation memory of the corpus"
    )
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated, in this order")
    parser.add_argument("--scratch", type=Path, default=Path("/dev/shm") if Path("/dev/shm").is_dir() else None)
    parser.add_argument("--no-mt", action="store_true", help="skip the machine-translation throughput")
    args = parser.parse_args()
    scenarios = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    unknown = sorted(set(scenarios) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenarios {unknown}; choose from {', '.join(SCENARIOS)}")
    if "hugo" in scenarios and not shutil.which("hugo"):
        print("hugo is not installed (apt-get install hugo): its column is left out", file=sys.stderr)
        scenarios.remove("hugo")

    print(f"Machine: {machine()}")
    print(f"Corpus: {args.pages:,} pages x 4 languages, memory {args.memory}, seed 1")
    # The generator's bytecode, as an installed package has it (pip compiles what it installs): a
    # Python run with PYTHONDONTWRITEBYTECODE would otherwise compile every module on every build.
    compileall.compile_dir(REPOSITORY / "explainer", quiet=1)
    with tempfile.TemporaryDirectory(dir=args.scratch, prefix="explainer-bench-") as scratch:
        corpus = Path(scratch)
        subprocess.run(
            [
                *(sys.executable, str(REPOSITORY / "benchmarks" / "corpus.py"), str(corpus)),
                *("--pages", str(args.pages), "--memory", args.memory),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        if "cold" not in scenarios and any(name in scenarios for name in ("noop", "again", "edit", "template")):
            run_scenario("cold", corpus)  # the rebuilds need a first build
        results: dict[str, list[tuple[float, int]]] = {name: [] for name in scenarios}
        for run in range(args.runs):
            for name in scenarios:
                results[name].append(run_scenario(name, corpus))
                seconds, megabytes = results[name][-1]
                print(f"  run {run + 1}: {name:<9} {seconds:7.2f} s {megabytes:6,} MB", file=sys.stderr)

    medians = {name: statistics.median(seconds for seconds, _ in runs) for name, runs in results.items()}
    print()
    print(f"| scenario | median of {args.runs} | runs | peak RSS | / Hugo | / floor | target |")
    print("|---|---|---|---|---|---|---|")
    for name in scenarios:
        median = medians[name]
        print(f"| {name} | {median:.2f} s | {', '.join(f'{seconds:.2f}' for seconds, _ in results[name])} | ", end="")
        print(f"{max(megabytes for _, megabytes in results[name]):,} MB | ", end="")
        print(" | ".join(_ratios(name, median, medians.get("hugo"), medians.get("floor"))) + " |")
    if not args.no_mt:
        print()
        print("Machine translation (benchmarks/mt_throughput.py --segments 600 --repeat 3):")
        sys.stdout.flush()
        subprocess.run(
            [sys.executable, str(REPOSITORY / "benchmarks" / "mt_throughput.py"), "--segments", "600", "--repeat", "3"],
            check=False,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
