"""Argos Translate: installed ``.argosmodel`` packages, run through CTranslate2.

The argostranslate API gives the package (metadata, SentencePiece tokenizer,
sentence splitter); the translation itself is one ``translate_batch`` call
for every sentence of every segment of a language pair, with the settings
Argos uses, instead of one call per paragraph. Packages live in a models
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

from . import EngineError

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


class ArgosEngine:
    name = "argos"

    def __init__(self, models_dir: Path, threads: int | None = None) -> None:
        self.models_dir = models_dir
        self.threads = threads or os.cpu_count() or 1
        self._loaded: dict[tuple[str, str], tuple[Any, Any, Any, str]] = {}

    def _model(self, source: str, target: str) -> ModelInfo | None:
        candidates = [m for m in installed_models(self.models_dir) if (m.source, m.target) == (source, target)]
        return candidates[-1] if candidates else None

    def describe(self, source: str, target: str) -> str | None:
        model = self._model(source, target)
        return model.label if model else None

    def _load(self, source: str, target: str) -> tuple[Any, Any, Any, str]:
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
        loaded = (package, sentencizer, translator, str(getattr(package, "target_prefix", "") or ""))
        self._loaded[(source, target)] = loaded
        return loaded

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        if not texts:
            return []
        package, sentencizer, translator, prefix = self._load(source, target)
        sentences_per_text: list[int] = []
        tokenized: list[list[str]] = []
        for text in texts:
            if _POSSIBLE_BOUNDARY.search(text):
                sentences = [s for s in sentencizer.split_sentences(text) if s.strip()] or [text]
            else:
                sentences = [text]  # one sentence: no need to run the splitter's model
            sentences_per_text.append(len(sentences))
            tokenized.extend(package.tokenizer.encode(sentence) for sentence in sentences)
        try:
            results = translator.translate_batch(
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
            raise EngineError(f"argos {source}->{target} failed: {error}") from None
        decoded = []
        for result in results:
            value = package.tokenizer.decode(result.hypotheses[0])
            if prefix and value.startswith(prefix):
                value = value[len(prefix) :]
            decoded.append(value.strip())
        translations = []
        position = 0
        for count in sentences_per_text:
            translations.append(" ".join(decoded[position : position + count]))
            position += count
        return translations
