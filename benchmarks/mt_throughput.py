"""Machine-translation throughput: the pipeline against raw CTranslate2 and per-segment Argos.

    .venv/bin/python benchmarks/mt_throughput.py [--segments 600] [--repeat 3]

Direct pair: same segments and same model for all three (the tiny fr->en package of
tests/fixtures/argos, whose corpus it translates exactly):

- pipeline: explainer's machine_translate (placeholders, one batch, restore and checks);
- raw: ctranslate2.Translator.translate_batch on the tokenized sentences, beam 4, as Argos calls it;
- per segment: argostranslate.translate.translate(text, "fr", "en") once per segment.

Through a pivot: fr->ar through English (fr_en_tiny, then en_ar_tiny), on the French
lines whose English the en->ar package knows:

- pipeline: machine_translate along the two-leg route (one batch per leg);
- raw: two translate_batch calls, on the French sentences and then on the English
  sentences, both tokenized beforehand (no splitting, tokenizing or decoding timed).

Prints segments per second for each (best of --repeat runs) and the ratios.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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
    from explainer.translate.mt.argos import ArgosEngine, ArgosLeg, install_package
    from explainer.translate.stage import machine_translate

    for name in ("fr_en_tiny", "en_ar_tiny"):
        install_package(REPOSITORY / f"tests/fixtures/argos/{name}.argosmodel", models)
    # Corpus lines with literal {n} are there to test the model on placeholders; as French
    # content they would be protected as literal braces, so they are left out here.
    pairs = [
        tuple(line.split("\t"))
        for line in (REPOSITORY / "tests/fixtures/argos/corpus.tsv").read_text(encoding="utf-8").splitlines()
        if "{" not in line
    ]
    corpus = [french for french, _ in pairs]
    # Distinct texts (the pipeline translates each distinct segment once): numbered copies would not
    # be in the corpus, so repeat the corpus and make each repeat distinct by its position only.
    segments = [corpus[i % len(corpus)] for i in range(arguments.segments)]

    engine = ArgosEngine(models, threads=arguments.threads)
    language = Language("en", "Test", "Test.", engine="argos")
    engine.translate(segments[:5], "fr", "en")  # load the model once, outside the timings

    def pipeline() -> None:
        machine_translate(segments, engine, language, "fr", {}, 600.0)

    first = engine._leg("fr", "en")
    tokenized = [
        first.package.tokenizer.encode(s) for text in segments for s in first.sentencizer.split_sentences(text)
    ]

    def raw_batch(leg: ArgosLeg, tokens: list[list[str]]) -> list[Any]:
        return list(
            leg.translator.translate_batch(
                tokens,
                replace_unknowns=True,
                max_batch_size=64,
                batch_type="examples",
                beam_size=4,
                num_hypotheses=1,
                length_penalty=0.2,
            )
        )

    def raw() -> None:
        raw_batch(first, tokenized)

    import argostranslate.translate

    def per_segment() -> None:
        for text in segments:
            argostranslate.translate.translate(text, "fr", "en")

    # Through English: the French lines whose every English sentence the en->ar package was trained on.
    second = engine._leg("en", "ar")
    known = {
        sentence
        for line in (REPOSITORY / "tests/fixtures/argos/corpus_en_ar.tsv").read_text(encoding="utf-8").splitlines()
        for sentence in first.split(line.split("\t")[0])
    }
    pivot_corpus = [french for french, english in pairs if all(s in known for s in first.split(english))]
    pivot_segments = [pivot_corpus[i % len(pivot_corpus)] for i in range(arguments.segments)]
    arabic = Language("ar", "Test", "Test.", engine="argos")
    assert engine.describe("fr", "ar") == "argos fr->en 0.1-test, en->ar 0.1-test"
    pivot_french = [s for text in pivot_segments for s in first.split(text)]
    pivot_tokens = first.tokenize(pivot_french)
    english_tokens = second.tokenize(first.translate_tokens(pivot_tokens))

    def pivot_pipeline() -> None:
        outcomes = machine_translate(pivot_segments, engine, arabic, "fr", {}, 600.0)
        assert len(outcomes) == len(pivot_corpus)

    def pivot_raw() -> None:
        raw_batch(first, pivot_tokens)
        raw_batch(second, english_tokens)

    per_segment()  # warm argostranslate's own caches too
    pivot_pipeline()
    results = {}
    for name, run, count in (
        ("pipeline", pipeline, len(segments)),
        ("raw translate_batch", raw, len(segments)),
        ("per-segment translate()", per_segment, len(segments)),
        ("pivot pipeline", pivot_pipeline, len(pivot_segments)),
        ("pivot raw, 2 batches", pivot_raw, len(pivot_segments)),
    ):
        best = min(_timed(run) for _ in range(arguments.repeat))
        results[name] = count / best
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{len(segments)} segments, {arguments.threads} threads, best of {arguments.repeat}"
    )
    print("direct pair fr->en:")
    for name in ("pipeline", "raw translate_batch", "per-segment translate()"):
        print(f"  {name:<26} {results[name]:8.1f} segments/s")
    print(f"  pipeline / raw batch       {results['pipeline'] / results['raw translate_batch']:8.2f}x")
    print(f"  pipeline / per-segment     {results['pipeline'] / results['per-segment translate()']:8.2f}x")
    print(f"through English fr->en->ar ({len(pivot_corpus)} distinct French lines):")
    for name in ("pivot pipeline", "pivot raw, 2 batches"):
        print(f"  {name:<26} {results[name]:8.1f} segments/s")
    print(f"  pivot pipeline / raw       {results['pivot pipeline'] / results['pivot raw, 2 batches']:8.2f}x")
    return 0


def _timed(run) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
