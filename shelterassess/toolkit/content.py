"""The toolkit's bilingual content, shipped as YAML in ``toolkit/data/`` (read once, cached).

Protocol files share one shape: ``key``, ``title``, ``summary``, ``sections`` (each with a
``heading`` and any of ``text``, ``items``, ``script``) and ``sources`` (keys of
``sources.yaml``). Every text is ``{"vi": ..., "en": ...}``.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).parent / "data"
#: libyaml's loader when installed: ten times faster on a score sheet of 70 indicators.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Protocols shown as pages and printed, in toolkit order (URL name -> data file).
PROTOCOLS = {
    "interview": "interview.yaml",
    "file-review": "file_review.yaml",
    "concerns": "concerns.yaml",
    "undertaking": "undertaking.yaml",
}
#: Parts a PDF can be limited to with ``?part=`` (``all`` prints every part).
PARTS = ("all", "agenda", "checklist", *PROTOCOLS)


def load_yaml(path: Path | str) -> Any:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_LOADER)  # noqa: S506 (a safe loader)  # nosec B506 # _LOADER is (C)SafeLoader


def _read(name: str) -> Any:
    return load_yaml(DATA_DIR / name)


@lru_cache(maxsize=None)
def document(name: str) -> dict[str, Any]:
    """A data file by name (``agenda``, ``checklist``, or a key of :data:`PROTOCOLS`)."""
    filename = PROTOCOLS.get(name) or f"{name.replace('-', '_')}.yaml"
    return _read(filename)


def protocol(name: str) -> dict[str, Any] | None:
    return document(name) if name in PROTOCOLS else None


@lru_cache(maxsize=1)
def labels() -> dict[str, dict[str, str]]:
    return _read("labels.yaml")


def label(key: str, language: str, **params: Any) -> str:
    texts = labels()[key]
    text = texts.get(language) or texts["en"]
    return text.format(**params) if params else text


@lru_cache(maxsize=1)
def sources() -> dict[str, dict[str, Any]]:
    return {s["key"]: s for s in _read("sources.yaml")["sources"]}


def sources_of(names: list[str]) -> list[dict[str, Any]]:
    """The sources cited by the given documents, each once, in ``sources.yaml`` order."""
    cited = {key for name in names for key in document(name).get("sources", [])}
    return [s for key, s in sources().items() if key in cited]


def all_documents() -> dict[str, dict[str, Any]]:
    """Every content file, for the completeness tests."""
    names = ["agenda", "checklist", *PROTOCOLS]
    return {name: document(name) for name in names}
