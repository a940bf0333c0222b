"""`make translations-update` extracts every interface string: each template folder
(including ``templates/_macros/``, which pybabel skips by default because of the
leading underscore) and each module that calls ``_("...")``.

The test runs the Makefile's own ``pybabel extract`` command line through Babel's
``CommandLineInterface`` (no subprocess), so changing either ``babel.cfg`` or the
Makefile's options is checked here.
"""
from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]

GETTEXT = ("_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext")
#: In a template: a gettext call with a literal string, or a ``{% trans %}`` block.
TEMPLATE_STRING = re.compile(r"""(?<![\w.])(?:%s)\(\s*['"]|\{%%-?\s*trans\b""" % "|".join(GETTEXT))
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
MACRO_STRINGS = ("Closed", "Planned", "Please correct the fields marked below.")


def makefile_extract_argv(output: Path) -> list[str]:
    """The ``pybabel extract`` arguments of ``make translations-update``, writing to ``output``."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = next(ln for ln in makefile.splitlines() if "pybabel extract" in ln)
    args = shlex.split(line.split(">/dev/null")[0])
    assert args[0].endswith("pybabel") and args[1] == "extract", line
    args = args[1:]
    out = args.index("-o") + 1
    args[out] = str(output)
    return ["pybabel", "-q", *args]


def extract_like_make(tmp_dir: Path) -> Catalog:
    """Run the Makefile's extraction from the repository root and read the template back."""
    pot = tmp_dir / "messages.pot"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        CommandLineInterface().run(makefile_extract_argv(pot))
    with pot.open("rb") as fh:
        return read_po(fh)


@pytest.fixture(scope="module")
def catalog(tmp_path_factory) -> Catalog:
    return extract_like_make(tmp_path_factory.mktemp("pot"))


def _locations(catalog: Catalog) -> set[str]:
    return {Path(filename).as_posix() for message in catalog if message.id for filename, _line in message.locations}


def _module_has_strings(source: str) -> bool:
    """A call such as ``_("...")`` in code (docstrings and comments do not count)."""
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT
        and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
        for node in ast.walk(ast.parse(source))
    )


def _template_has_strings(source: str) -> bool:
    return bool(TEMPLATE_STRING.search(JINJA_COMMENT.sub("", source)))


def _files_with_strings(folder: str, pattern: str) -> set[str]:
    has_strings = _module_has_strings if pattern.endswith(".py") else _template_has_strings
    return {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / folder).rglob(pattern)
        if "__pycache__" not in path.parts and has_strings(path.read_text(encoding="utf-8"))
    }


def test_every_template_folder_is_extracted(catalog):
    templates = _files_with_strings("templates", "*.html")
    folders = {str(Path(t).parent) for t in templates}
    assert "templates/_macros" in folders  # the folder this test was written for
    extracted = _locations(catalog)
    missing_folders = sorted(f for f in folders if not any(loc.startswith(f + "/") for loc in extracted))
    assert not missing_folders, f"template folders not extracted: {missing_folders}"
    missing = sorted(templates - extracted)
    assert not missing, f"templates with strings not extracted: {missing}"


def test_every_module_with_strings_is_extracted(catalog):
    modules = _files_with_strings("shelterassess", "*.py")
    assert "shelterassess/reports/renderers/blank_sheet.py" in modules and len(modules) > 20
    missing = sorted(modules - _locations(catalog))
    assert not missing, f"modules with strings not extracted: {missing}"


@pytest.mark.parametrize("msgid", MACRO_STRINGS)
def test_macro_strings_are_extracted(catalog, msgid):
    message = catalog.get(msgid)
    assert message is not None, f"{msgid!r} is not extracted"
    assert any(Path(f).as_posix().startswith("templates/_macros/") for f, _line in message.locations)


def test_nothing_outside_the_package_and_templates_is_extracted(catalog):
    outside = sorted(loc for loc in _locations(catalog) if not loc.startswith(("shelterassess/", "templates/")))
    assert not outside
