"""The editor's loop: from a save in an editor to the new word on the previewed page, in a real browser.

    make bench-loop
    .venv/bin/python benchmarks/editor_loop.py --pages 1000 --runs 10
    .venv/bin/python benchmarks/editor_loop.py --site --runs 10
    .venv/bin/python benchmarks/editor_loop.py --pages 1000 --runs 10 --each-page

Writes the corpus of benchmarks/corpus.py (complete memory) into a scratch folder, or with --site
copies this repository's own explainer (content/, i18n/, templates/, explainer.toml), builds it once
(`build.py build --no-mt`, as an editor's project is built before it is previewed), starts
`build.py serve` on a free port and opens the French page of one article in Chromium (Playwright
driving the system's browser, $EXPLAINER_CHROMIUM or /usr/bin/chromium, as the browser tests do).
Then, --runs times, it changes one word of the page's first paragraph, saved as editors save:
alternately written to a hidden temporary file and renamed over the page, and overwritten in
place. Each run is timed from the save until the browser shows the new word, and split where the
timestamps allow:

  watch    the save until serve starts rebuilding (when serve's "... changed" line is read)
  rebuild  serve's own figure for the build until the tabs are told ("rebuilt ... in X s", to 10 ms;
           the build cache is saved after that, while the page loads)
  notice   the build's end (the two above) until the browser starts loading the page again
           (the reload script, told by serve that the build ended)
  load     that load until the page is painted with the new word (first contentful paint)

With --each-page (the corpus only), each save is to another page, opened in the browser first:
the first save to a page whose translations are up to date makes it outdated, which changes the
translation dashboards, as an editor's first save to each page does (the saves of one page after
the first leave them as they are).

Python's and Chromium's clocks are the same system clock. Prints the machine, every run, and the
medians. The pause between runs (--pause) leaves the page settled, as an editor types between saves.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from run import machine

REPOSITORY = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("EXPLAINER_CHROMIUM", "/usr/bin/chromium"))
EDITED_PAGE = "page-00000"
SITE_PAGE = "news"  # with --site: the explainer's main article
# What the shown page's timestamps are read from (milliseconds since the document's time origin).
_PAINTED = """() => {
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const navigation = performance.getEntriesByType("navigation")[0];
  return {origin: performance.timeOrigin, painted: paint ? paint.startTime : navigation.domContentLoadedEventEnd};
}"""


@dataclass(frozen=True)
class Line:
    """A line serve printed, and when it was read (seconds since the epoch)."""

    at: float
    text: str


@dataclass(frozen=True)
class Run:
    mode: str
    total: float  # save -> the new word painted
    watch: float | None
    rebuild: float | None
    notice: float | None
    load: float


class Serve:
    """`build.py serve` in its own process; its output read line by line, each line timestamped."""

    def __init__(self, project: Path) -> None:
        command = [sys.executable, str(REPOSITORY / "build.py"), "--project", str(project), "serve", "--port", "0"]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8", bufsize=1
        )
        self.lines: queue.Queue[Line] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for text in self.process.stdout:
            self.lines.put(Line(time.time(), text.rstrip("\n")))

    def next_line(self, timeout: float) -> Line:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            self.stop()
            sys.exit(f"serve printed nothing for {timeout:.0f} s")

    def wait_for(self, pattern: str, timeout: float) -> tuple[Line, re.Match[str]]:
        deadline = time.monotonic() + timeout
        while True:
            line = self.next_line(max(0.1, deadline - time.monotonic()))
            found = re.search(pattern, line.text)
            if found:
                return line, found
            if line.text.startswith("build failed"):
                self.stop()
                sys.exit(f"the preview build failed: {line.text}")

    def drain(self) -> list[Line]:
        lines = []
        while not self.lines.empty():
            lines.append(self.lines.get())
        return lines

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def save(page: Path, text: str, mode: str) -> float:
    """Save ``text`` as an editor does; return when the save was made (seconds since the epoch)."""
    if mode == "rename":
        # Hidden, as editors name theirs: the preview does not rebuild for the temporary file itself.
        temporary = page.with_name(f".{page.name}.tmp")
        temporary.write_text(text, encoding="utf-8")
        saved = time.time()
        os.replace(temporary, page)
    else:
        saved = time.time()
        page.write_text(text, encoding="utf-8")
    return saved


def one_run(serve: Serve, browser_page: Any, page: Path, paragraph: str, edited: str, new_word: str, mode: str) -> Run:
    """Save ``page`` with ``paragraph`` replaced by ``edited`` (which has ``new_word``); time until it shows."""
    text = page.read_text(encoding="utf-8")
    serve.drain()
    saved = save(page, text.replace(paragraph, edited, 1), mode)
    browser_page.wait_for_function(
        "word => document.body !== null && document.body.innerText.includes(word)",
        arg=new_word,
        polling="raf",
        timeout=120_000,
    )
    shown = browser_page.evaluate(_PAINTED)
    started_loading = shown["origin"] / 1000
    painted = (shown["origin"] + shown["painted"]) / 1000
    lines = [line for line in serve.drain() if line.at >= saved]  # not a late line of the last run
    seen = next((line.at for line in lines if " changed" in line.text), None)
    built = next((line for line in lines if line.text.startswith("rebuilt")), None)
    rebuild = float(re.findall(r"in ([\d.]+) s", built.text)[-1]) if built else None
    return Run(
        mode=mode,
        total=painted - saved,
        watch=seen - saved if seen is not None else None,
        rebuild=rebuild,
        notice=started_loading - (seen + rebuild) if seen is not None and rebuild is not None else None,
        load=painted - started_loading,
    )


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:,.0f} ms"


def _median(values: list[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return statistics.median(known) if known else None


def report(runs: list[Run]) -> None:
    print(f"{'run':>4} {'save':<9} {'total':>9} {'watch':>9} {'rebuild':>9} {'notice':>9} {'load':>9}")
    for number, run in enumerate(runs, 1):
        cells = (run.total, run.watch, run.rebuild, run.notice, run.load)
        print(f"{number:>4} {run.mode:<9} " + " ".join(f"{_ms(cell):>9}" for cell in cells))
    for label, chosen in (
        ("all", runs),
        *((mode, [r for r in runs if r.mode == mode]) for mode in ("rename", "overwrite")),
    ):
        if not chosen:
            continue
        medians = [
            _median([getattr(run, name) for run in chosen]) for name in ("total", "watch", "rebuild", "notice", "load")
        ]
        print(f"{'median':>4} {label:<9} " + " ".join(f"{_ms(cell):>9}" for cell in medians))


def launch_browser(playwright: Any) -> Any:
    if not CHROMIUM.exists():
        sys.exit(f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set EXPLAINER_CHROMIUM)")
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        args=["--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-sandbox"],
    )


def measure(project: Path, edited_pages: list[str], runs: int, pause: float) -> list[Run]:
    """``runs`` saves, of ``edited_pages`` in turn (one page: every save to it)."""
    from playwright.sync_api import sync_playwright

    serve = Serve(project)
    try:
        started = time.monotonic()
        _, found = serve.wait_for(r"serving on (http://127\.0\.0\.1:\d+/)", timeout=3600)
        print(f"serve: first preview build and start {time.monotonic() - started:.1f} s")
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            browser_page = browser.new_page()
            results = []
            shown_page, paragraph = None, ""
            for number in range(runs):
                edited_page = edited_pages[number % len(edited_pages)]
                page = project / "content" / f"{edited_page}.md"
                if edited_page != shown_page:
                    browser_page.goto(f"{found.group(1)}fr/{edited_page}/")
                    body = page.read_text(encoding="utf-8").split("\n---\n", 1)[1]
                    paragraph = next(line for line in body.splitlines() if line[:1].isupper())
                    shown_page = edited_page
                time.sleep(pause)
                # The paragraph's third word changed each time: a word no page has.
                words = paragraph.split(" ")
                new_word = f"retouche{number}"
                edited = " ".join([*words[:2], new_word, *words[3:]])
                mode = "rename" if number % 2 == 0 else "overwrite"
                results.append(one_run(serve, browser_page, page, paragraph, edited, new_word, mode))
                paragraph = edited
            browser.close()
        return results
    finally:
        serve.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--site", action="store_true", help="this repository's explainer instead of the corpus")
    parser.add_argument("--each-page", action="store_true", help="each save to another page of the corpus")
    parser.add_argument("--runs", type=int, default=10, help="saves, alternately renamed and overwritten")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between a page shown and the next save")
    parser.add_argument("--scratch", type=Path, default=Path("/dev/shm") if Path("/dev/shm").is_dir() else None)
    args = parser.parse_args()
    if args.site and args.each_page:
        parser.error("--each-page edits pages of the corpus: not with --site")
    print(f"Machine: {machine()}")
    if args.site:
        print(f"Project: this repository's explainer, the page {SITE_PAGE}.md edited; {args.runs} saves")
    else:
        each = ", each to another page" if args.each_page else ""
        print(f"Corpus: {args.pages:,} pages x 4 languages, memory complete, seed 1; {args.runs} saves{each}")
    with tempfile.TemporaryDirectory(dir=args.scratch, prefix="explainer-loop-") as scratch:
        python = sys.executable
        project = Path(scratch) / "explainer"
        if args.site:
            for folder in ("content", "i18n", "templates"):
                shutil.copytree(REPOSITORY / folder, project / folder)
            shutil.copy(REPOSITORY / "explainer.toml", project / "explainer.toml")
        else:
            corpus = [python, str(REPOSITORY / "benchmarks" / "corpus.py"), scratch, "--pages", str(args.pages)]
            subprocess.run(corpus, check=True, stdout=subprocess.DEVNULL)
        started = time.monotonic()
        build = [python, str(REPOSITORY / "build.py"), "--project", str(project), "build", "--no-mt"]
        subprocess.run(build, check=True, stdout=subprocess.DEVNULL)
        print(f"build: {time.monotonic() - started:.1f} s")
        if args.site:
            pages = [SITE_PAGE]
        elif args.each_page:
            pages = [f"page-{number:05d}" for number in range(min(args.runs, args.pages))]
        else:
            pages = [EDITED_PAGE]
        report(measure(project, pages, args.runs, args.pause))
    return 0


if __name__ == "__main__":
    sys.exit(main())
