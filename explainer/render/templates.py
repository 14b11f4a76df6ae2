"""The Jinja environment of each language, and template errors as ``path:line: message``."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import jinja2
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations
from markupsafe import Markup

from ..config import Config
from ..errors import Problem, TemplateError, relative
from ..fsutil import digest


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates, by template name and file, in memory only; Jinja checks each against its source."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


def make_environment(
    config: Config, language: str, translations: NullTranslations, bytecode_cache: jinja2.BytecodeCache
) -> jinja2.Environment:
    """The template environment of ``language``: its UI translations, dates and numbers."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(config.templates_dir)),
        bytecode_cache=bytecode_cache,
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # An environment lives for one build, which renders the templates as read once (a file
        # saved meanwhile is the next build's): no file is looked at again for each page.
        auto_reload=False,
    )
    # Translations are text, like content: escaped, with only their placeholders filled in
    # (Jinja's newstyle gettext would publish them as HTML).
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: Markup.escape(translations.gettext(message)),
        ngettext=lambda singular, plural, number: Markup.escape(translations.ngettext(singular, plural, number)),
        pgettext=lambda context, message: Markup.escape(translations.pgettext(context, message)),
        npgettext=lambda context, singular, plural, number: Markup.escape(
            translations.npgettext(context, singular, plural, number)
        ),
        newstyle=True,
    )
    _remember_translations(environment)
    locale = config.language(language).format_locale
    # Few distinct dates, each shown on many pages (last changed, published, sources): formatted once.
    environment.filters["date"] = functools.lru_cache(maxsize=4096)(
        lambda value, form="long": format_date(value, form, locale=locale)
    )
    environment.filters["number"] = lambda value: format_decimal(value, locale=locale)
    # The dashboard shows thousands of shares, out of few distinct values.
    environment.filters["percent"] = functools.lru_cache(maxsize=4096)(
        lambda value: format_percent(value, locale=locale)
    )
    environment.globals["language_name"] = lambda code: config.language(code).autonym
    environment.globals["og_locale"] = lambda code: config.language(code).og_locale
    return environment


def _remember_translations(environment: jinja2.Environment) -> None:
    """Make ``_()`` and ``gettext()`` give each message without placeholders from a dictionary.

    Pages ask for the same few UI messages thousands of times, and each call went through two
    of Jinja's calls, an escape and a format. The environment's translations never change, and
    newstyle gettext does not depend on the template's context (its ``Markup`` result is the
    same with autoescape on or off), so the first answer is the answer.
    """
    gettext = cast("Callable[..., Markup]", environment.globals["gettext"])
    known: dict[str, Markup] = {}

    @jinja2.pass_context
    def remembered(context: jinja2.runtime.Context, message: str, **variables: Any) -> Markup:
        if variables:
            return gettext(context, message, **variables)
        found = known.get(message)
        if found is None:
            found = known[message] = gettext(context, message)
        return found

    environment.globals["_"] = environment.globals["gettext"] = remembered


def render_template(
    environment: jinja2.Environment, config: Config, template: str, where: str, context: dict[str, Any]
) -> str:
    """``template`` rendered with ``context``. Raises ``TemplateError`` naming the template's file
    and line (``where`` says what was being rendered)."""
    try:
        return environment.get_template(template).render(**context)
    except jinja2.TemplateSyntaxError as error:
        shown = relative(config.templates_dir / (error.filename or template), config.root)
        if error.filename:
            shown = relative(Path(error.filename), config.root)
        raise TemplateError([Problem(shown, error.lineno, f"template syntax error: {error.message}")]) from None
    except jinja2.UndefinedError as error:
        file, line = _template_position(error, config.templates_dir / template)
        raise TemplateError(
            [Problem(relative(file, config.root), line, f"undefined variable while rendering {where}: {error.message}")]
        ) from None
    except jinja2.TemplateNotFound as error:
        raise TemplateError(
            [Problem(relative(config.templates_dir, config.root), 0, f"template not found: {error.name}")]
        ) from None


def _template_position(error: jinja2.UndefinedError, default: Path) -> tuple[Path, int]:
    """The template file and line an UndefinedError was raised at, from its traceback."""
    traceback = error.__traceback__
    position = (default, 0)
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml")):
            position = (Path(filename), traceback.tb_lineno)
        traceback = traceback.tb_next
    return position


_TEMPLATE_ID = re.compile(r"""\bid=["']([^"'{}]+)["']""")


def template_ids(templates_dir: Path, root: Path) -> dict[str, str]:
    """The ids written literally in the templates (``id="main"``) -> the template that has it."""
    found: dict[str, str] = {}
    for template in sorted(templates_dir.glob("*.html")):
        for match in _TEMPLATE_ID.finditer(template.read_text(encoding="utf-8")):
            found.setdefault(match.group(1), relative(template, root))
    return found


# A template's source -> the templates it names (None: one named by an expression). Parsing is most
# of the cost of ``TemplateInputs``, and every environment of ``make_environment`` has the same syntax:
# a process that builds again (``serve``) parses only the templates that changed.
_REFERENCED: dict[str, tuple[str | None, ...]] = {}


def _referenced(environment: jinja2.Environment, source: str) -> tuple[str | None, ...]:
    from jinja2 import TemplateSyntaxError, meta

    known = _REFERENCED.get(source)
    if known is None:
        try:
            known = tuple(meta.find_referenced_templates(environment.parse(source)))
        except TemplateSyntaxError:
            known = ()  # rendering reports it, with its line
        if len(_REFERENCED) >= 256:
            _REFERENCED.clear()
        _REFERENCED[source] = known
    return known


class TemplateInputs:
    """What templates render from in a templates folder, as hashes, each template read and parsed
    once (a build asks for the templates of each site-wide file and of the side-by-side views).

    ``files``: ``cache.template_files`` of the folder, read before anything rendered reads the
    folder's other files (the assets, the map's pieces: ``read_inputs`` hashes them when the build
    starts), so that a file saved during a build leaves a key older than the output, never newer:
    the next build renders again what it shows."""

    def __init__(self, environment: jinja2.Environment, files: tuple[str, str]) -> None:
        self.environment = environment
        self._tree, self._others = files
        self._parsed: dict[str, tuple[str, tuple[str | None, ...]]] = {}  # name -> its source, the names it has
        self._known: dict[tuple[str, ...], str] = {}

    def _parse(self, name: str) -> tuple[str, tuple[str | None, ...]]:
        from jinja2 import TemplateNotFound

        known = self._parsed.get(name)
        if known is None:
            assert self.environment.loader is not None
            try:
                source = self.environment.loader.get_source(self.environment, name)[0]
            except TemplateNotFound:
                known = self._parsed[name] = ("absent", ())  # rendering says so, if the template needs it
            else:
                known = self._parsed[name] = (source, _referenced(self.environment, source))
        return known

    @property
    def tree(self) -> str:
        """The hash of every file of the folder, names and bytes (``cache.tree_digest``), as read
        when the build began."""
        return self._tree

    def named(self, name: str) -> list[str] | None:
        """The names and sources of template ``name`` and of the templates it names, or None if one
        is named by an expression (``include some_variable``)."""
        parts: list[str] = []
        pending, seen = [name], {name}
        while pending:
            current = pending.pop()
            source, named = self._parse(current)
            if any(other is None for other in named):
                return None
            parts += [current, source]
            for other in named:
                if other is not None and other not in seen:
                    seen.add(other)
                    pending.append(other)
        return parts

    def digest(self, *names: str) -> str:
        """The hash of what templates ``names`` render from in the templates folder: their text and
        that of every template they name (``named``), and every file of the folder that is not
        itself a top-level template (assets, fonts, the map's pieces), names and bytes; of every
        file when a template is named by an expression."""
        known = self._known.get(names)
        if known is None:
            sources: list[str] = []
            for name in names:
                named = self.named(name)
                if named is None:
                    known = self._known[names] = self.tree
                    return known
                sources += named
            known = self._known[names] = digest(*sources, self._others)
        return known
