"""Argos Translate: installed ``.argosmodel`` packages, run through CTranslate2.

The argostranslate API gives the package (metadata, SentencePiece tokenizer,
sentence splitter); the translation itself is one ``translate_batch`` call
for every sentence of every segment of a language pair, with the settings
Argos uses, instead of one call per paragraph. A pair with no direct model
is chained through a pivot language (English by default), as argostranslate
itself does: one batch per leg. Packages live in a models
folder of the project (``.cache/argos-packages`` by default), not in the
user's home. Nothing is imported until the first translation.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from . import EngineError, EngineSpec, Setting
from .route import DEFAULT_PIVOT, Leg, Route

# A sentence may end inside the text only where . ! ? (or …) is followed by a space.
_POSSIBLE_BOUNDARY = re.compile(r"[.!?…][\"'»”)\]]*\s+\S")


@dataclass(frozen=True)
class ModelInfo:
    """An installed package, as its metadata describes it."""

    path: Path
    source: str
    target: str
    version: str

    @property
    def label(self) -> str:
        return f"argos {self.source}->{self.target} {self.version}".rstrip()


def installed_models(models_dir: Path) -> list[ModelInfo]:
    """Every translation package under ``models_dir``, sorted by pair. Reads only metadata."""
    models: list[ModelInfo] = []
    if not models_dir.is_dir():
        return models
    for folder in sorted(models_dir.iterdir()):
        metadata_file = folder / "metadata.json"
        if not metadata_file.is_file():
            continue
        try:
            metadata = json.loads(metadata_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if metadata.get("type", "translate") != "translate":
            continue
        models.append(
            ModelInfo(folder, metadata["from_code"], metadata["to_code"], str(metadata.get("package_version", "")))
        )
    return sorted(models, key=lambda model: (model.source, model.target, model.version))


def install_package(archive: Path, models_dir: Path) -> ModelInfo:
    """Install an ``.argosmodel`` file into ``models_dir``; return what was installed.

    The archive is checked first (a zip with one top-level folder holding a
    translate ``metadata.json``, no member outside that folder) and extracted
    next to its destination, then renamed into place, so a failed install
    leaves nothing behind. Raises ``EngineError`` with the reason.
    """
    if not archive.is_file():
        raise EngineError(f"{archive}: no such file")
    if not zipfile.is_zipfile(archive):
        raise EngineError(f"{archive}: not an Argos package (an .argosmodel is a zip archive)")
    with zipfile.ZipFile(archive) as bundle:
        names = [info.filename for info in bundle.infolist()]
        tops = {PurePosixPath(name).parts[0] for name in names if name.strip("/")}
        if len(tops) != 1:
            raise EngineError(f"{archive}: expected one top-level folder, found {len(tops)}")
        top = tops.pop()
        for name in names:
            parts = PurePosixPath(name).parts
            if name.startswith("/") or ".." in parts or "\\" in name:
                raise EngineError(f"{archive}: unsafe path in archive: {name}")
        try:
            metadata = json.loads(bundle.read(f"{top}/metadata.json"))
        except KeyError:
            raise EngineError(f"{archive}: no metadata.json in {top}/") from None
        except ValueError as error:
            raise EngineError(f"{archive}: metadata.json is not valid JSON: {error}") from None
        missing = [key for key in ("from_code", "to_code") if not isinstance(metadata.get(key), str)]
        if missing or metadata.get("type", "translate") != "translate":
            raise EngineError(f"{archive}: metadata.json is not a translation package ({', '.join(missing) or 'type'})")
        if f"{top}/model/model.bin" not in names:
            raise EngineError(f"{archive}: no CTranslate2 model ({top}/model/model.bin)")
        models_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=models_dir, prefix=".install-"))
        try:
            bundle.extractall(staging)
            destination = models_dir / top
            if destination.exists():
                shutil.rmtree(destination)
            os.replace(staging / top, destination)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return next(model for model in installed_models(models_dir) if model.path == models_dir / top)


class ArgosLeg:
    """One loaded model: SentencePiece in, one ``translate_batch`` for every sentence, text out."""

    def __init__(self, model: ModelInfo, package: Any, sentencizer: Any, translator: Any, prefix: str) -> None:
        self.model = model
        self.package = package
        self.sentencizer = sentencizer
        self.translator = translator
        self.prefix = prefix

    def split(self, text: str) -> list[str]:
        """The sentences of ``text``, as Argos splits them (the splitter runs only where one may end)."""
        if not _POSSIBLE_BOUNDARY.search(text):
            return [text]  # one sentence: no need to run the splitter's model
        return [s for s in self.sentencizer.split_sentences(text) if s.strip()] or [text]

    def tokenize(self, sentences: Sequence[str]) -> list[list[str]]:
        return [self.package.tokenizer.encode(sentence) for sentence in sentences]

    def translate_tokens(self, tokenized: list[list[str]]) -> list[str]:
        """One batched ``translate_batch`` call, with the settings Argos uses; the decoded sentences."""
        if not tokenized:
            return []
        prefix = self.prefix
        try:
            results = self.translator.translate_batch(
                tokenized,
                target_prefix=[[prefix]] * len(tokenized) if prefix else None,
                replace_unknowns=True,
                max_batch_size=int(os.environ.get("ARGOS_BATCH_SIZE", "64")),
                batch_type="examples",
                beam_size=4,
                num_hypotheses=1,
                length_penalty=0.2,
            )
        except RuntimeError as error:
            raise EngineError(f"argos {self.model.source}->{self.model.target} failed: {error}") from None
        decoded = []
        for result in results:
            value = self.package.tokenizer.decode(result.hypotheses[0])
            if prefix and value.startswith(prefix):
                value = value[len(prefix) :]
            decoded.append(value.strip())
        return decoded

    def translate_sentences(self, sentences: Sequence[str]) -> list[str]:
        return self.translate_tokens(self.tokenize(sentences))


class ArgosEngine:
    """Installed Argos packages; a pair with no direct model goes through ``pivot`` (English by default)."""

    name = "argos"

    def __init__(self, models_dir: Path, threads: int | None = None, pivot: str = DEFAULT_PIVOT) -> None:
        self.models_dir = models_dir
        self.threads = threads or os.cpu_count() or 1
        self.pivot = pivot
        self._loaded: dict[tuple[str, str], ArgosLeg] = {}

    def _model(self, source: str, target: str) -> ModelInfo | None:
        candidates = [m for m in installed_models(self.models_dir) if (m.source, m.target) == (source, target)]
        return candidates[-1] if candidates else None

    def route(self, source: str, target: str) -> Route | None:
        """The direct model where one is installed, else the two through the pivot; None if neither."""
        direct = self._model(source, target)
        if direct is not None:
            return Route(self.name, (Leg(source, target, direct.version),))
        if self.pivot in (source, target):
            return None
        first, second = self._model(source, self.pivot), self._model(self.pivot, target)
        if first is None or second is None:
            return None
        return Route(self.name, (Leg(source, self.pivot, first.version), Leg(self.pivot, target, second.version)))

    def describe(self, source: str, target: str) -> str | None:
        route = self.route(source, target)
        return route.label if route else None

    def _leg(self, source: str, target: str) -> ArgosLeg:
        """The loaded model for one leg (loaded once per engine)."""
        if (source, target) in self._loaded:
            return self._loaded[(source, target)]
        model = self._model(source, target)
        if model is None:
            raise EngineError(f"no Argos model {source}->{target} in {self.models_dir}")
        # Argos reads its settings once, at import: point them at the project's folder first.
        os.environ.setdefault("ARGOS_PACKAGES_DIR", str(self.models_dir))
        try:
            import ctranslate2
            from argostranslate.package import Package
            from argostranslate.sbd import MiniSBDSentencizer
        except ImportError as error:
            raise EngineError(
                f"the argos engine needs the 'mt' extra (pip install -e '.[mt]'): {error.name} is missing"
            ) from None
        package = Package(model.path)
        sentencizer = MiniSBDSentencizer(package)
        device = os.environ.get("ARGOS_DEVICE_TYPE", "cpu")
        options: dict[str, Any] = {"device": device, "inter_threads": 1, "intra_threads": self.threads}
        if os.environ.get("ARGOS_COMPUTE_TYPE", "auto") != "auto":
            options["compute_type"] = os.environ["ARGOS_COMPUTE_TYPE"]
        translator = ctranslate2.Translator(str(model.path / "model"), **options)
        leg = ArgosLeg(model, package, sentencizer, translator, str(getattr(package, "target_prefix", "") or ""))
        self._loaded[(source, target)] = leg
        return leg

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        """Translate ``texts`` along the route: each leg is one batch over every sentence of every text.

        Sentences are split once, by the first leg, and kept apart through the
        legs, so the pivot text is never split again. Raises ``EngineError``
        when no route exists or a model fails.
        """
        if not texts:
            return []
        route = self.route(source, target)
        if route is None:
            raise EngineError(f"no Argos model {source}->{target} (nor through {self.pivot}) in {self.models_dir}")
        legs = [self._leg(leg.source, leg.target) for leg in route.legs]
        sentences_per_text: list[int] = []
        sentences: list[str] = []
        for text in texts:
            split = legs[0].split(text)
            sentences_per_text.append(len(split))
            sentences.extend(split)
        for leg in legs:
            translated = leg.translate_sentences(sentences)
            if len(translated) != len(sentences):
                raise EngineError(
                    f"argos {leg.model.source}->{leg.model.target} returned {len(translated)} "
                    f"sentences for {len(sentences)}"
                )
            sentences = translated
        translations = []
        position = 0
        for count in sentences_per_text:
            translations.append(" ".join(sentences[position : position + count]))
            position += count
        return translations


def _pivot_problem(pivot: str) -> str | None:
    if re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", pivot):
        return None
    return f"pivot '{pivot}' is not a language code like 'en'"


ENGINE = EngineSpec(
    "argos",
    lambda settings: ArgosEngine(settings["models_dir"], settings["threads"] or None, settings["pivot"]),
    {
        "models_dir": Setting(Path, ".cache/argos-packages"),  # where the .argosmodel packages are installed
        "threads": Setting(int, 0),  # 0: one per core
        "pivot": Setting(str, DEFAULT_PIVOT, _pivot_problem),  # the language a pair without a model goes through
    },
)
