"""Machine-translation throughput: the pipeline against raw CTranslate2 and per-segment Argos.

    .venv/bin/python benchmarks/mt_throughput.py [--segments 600] [--repeat 3]

Same segments and same model for all three (the tiny fr->en package of
tests/fixtures/argos, whose corpus it translates exactly):

- pipeline: explainer's machine_translate (placeholders, one batch, restore and checks);
- raw: ctranslate2.Translator.translate_batch on the tokenized sentences, beam 4, as Argos calls it;
- per segment: argostranslate.translate.translate(text, "fr", "en") once per segment.

Prints segments per second for each (best of --repeat runs) and the two ratios.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--segments", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    arguments = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="explainer-bench-"))
    for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ[variable] = str(scratch / variable.lower())
    models = scratch / "models"
    os.environ["ARGOS_PACKAGES_DIR"] = str(models)
    os.environ["ARGOS_INTRA_THREADS"] = str(arguments.threads)

    from explainer.config import Language
    from explainer.mt.argos import ArgosEngine, install_package
    from explainer.translate import machine_translate

    install_package(REPOSITORY / "tests/fixtures/argos/fr_en_tiny.argosmodel", models)
    # Corpus lines with literal {n} are there to test the model on placeholders; as French
    # content they would be protected as literal braces, so they are left out here.
    corpus = [
        line.split("\t")[0]
        for line in (REPOSITORY / "tests/fixtures/argos/corpus.tsv").read_text(encoding="utf-8").splitlines()
        if "{" not in line
    ]
    # Distinct texts (the pipeline translates each distinct segment once): numbered copies would not
    # be in the corpus, so repeat the corpus and make each repeat distinct by its position only.
    segments = [corpus[i % len(corpus)] for i in range(arguments.segments)]

    engine = ArgosEngine(models, threads=arguments.threads)
    language = Language("en", "Test", "Test.", "ltr", engine="argos")
    engine.translate(segments[:5], "fr", "en")  # load the model once, outside the timings

    def pipeline() -> None:
        machine_translate(segments, engine, language, "fr", {}, 600.0)

    package, sentencizer, translator, _ = engine._load("fr", "en")
    tokenized = [package.tokenizer.encode(s) for text in segments for s in sentencizer.split_sentences(text)]

    def raw() -> None:
        translator.translate_batch(
            tokenized,
            replace_unknowns=True,
            max_batch_size=64,
            batch_type="examples",
            beam_size=4,
            num_hypotheses=1,
            length_penalty=0.2,
        )

    import argostranslate.translate

    def per_segment() -> None:
        for text in segments:
            argostranslate.translate.translate(text, "fr", "en")

    per_segment()  # warm argostranslate's own caches too
    results = {}
    for name, run in (("pipeline", pipeline), ("raw translate_batch", raw), ("per-segment translate()", per_segment)):
        best = min(_timed(run) for _ in range(arguments.repeat))
        results[name] = len(segments) / best
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{len(segments)} segments, {arguments.threads} threads, best of {arguments.repeat}"
    )
    for name, rate in results.items():
        print(f"  {name:<26} {rate:8.1f} segments/s")
    print(f"  pipeline / raw batch       {results['pipeline'] / results['raw translate_batch']:8.2f}x")
    print(f"  pipeline / per-segment     {results['pipeline'] / results['per-segment translate()']:8.2f}x")
    return 0


def _timed(run) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
