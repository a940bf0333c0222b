"""The case library's pure rules: the shape of a case, search, filters, coverage.

No Flask, no database. Cases come from ``data/cases.yaml`` (parsed by
:func:`parse_cases`); local practices are turned into :class:`Practice` by the
query layer. Both satisfy :class:`Searchable`, so one search ranks them together.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Protocol, Sequence

LANGUAGES = ("en", "vi")
PILLARS = ("prevention", "protection", "prosecution")
#: Text fields of a case given in both languages (plain strings).
CASE_TEXTS = ("title", "country", "region", "years", "implementer", "funder", "summary", "citation")
#: List fields of a case given in both languages.
CASE_LISTS = ("objectives", "activities", "results", "lessons", "recommendations")

Texts = Mapping[str, str]
Labels = Mapping[str, Texts]

_WORD = re.compile(r"\w+")


# -- normalisation -----------------------------------------------------------------

def normalize(text: str | None) -> str:
    """Lower-case text without diacritics: "Tham vấn" -> "tham van", "Đà" -> "da", "Wiñari" -> "winari"."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def words(text: str | None) -> list[str]:
    return _WORD.findall(normalize(text))


#: British spellings -> American, matched at the start of a normalised word ("programmes" ->
#: "programs"). Search applies it to the query and the texts alike, so either spelling finds
#: both. Only stems where the two spellings differ by more than a doubled consonant (that
#: case, "counselling"/"counseling", is handled by :data:`_DOUBLED` for every word).
SPELLING_VARIANTS = (
    ("behaviour", "behavior"), ("centre", "center"), ("colour", "color"), ("defence", "defense"),
    ("favour", "favor"), ("honour", "honor"), ("labour", "labor"), ("licence", "license"),
    ("neighbour", "neighbor"), ("organis", "organiz"), ("programme", "program"), ("recognis", "recogniz"),
    ("prioritis", "prioritiz"), ("minimis", "minimiz"), ("specialis", "specializ"), ("traumatis", "traumatiz"),
)
#: A doubled consonant counts as one: "counselling" ~ "counseling", "travelled" ~ "traveled".
#: (Vietnamese syllables never double a consonant, so Vietnamese text is unaffected.)
_DOUBLED = re.compile(r"([b-df-hj-np-tv-z])\1+")
#: Query words written without spaces may join this many consecutive words of a text
#: ("chiangmai" -> "Chiang Mai", "hochiminh" -> "Hồ Chí Minh").
MAX_JOINED_WORDS = 4


def spelling_key(word: str) -> str:
    """One normalised word with spelling variants folded together (see :data:`SPELLING_VARIANTS`)."""
    for british, american in SPELLING_VARIANTS:
        if word.startswith(british):
            word = american + word[len(british):]
            break
    return _DOUBLED.sub(r"\1", word)


#: A word as search compares it: (normalised, with spelling variants folded).
Term = tuple[str, str]


def search_terms(text: str | None) -> list[Term]:
    """The words of ``text`` as typed and folded (:func:`spelling_key`): what search compares."""
    return [(w, spelling_key(w)) for w in words(text)]


# -- the data ---------------------------------------------------------------------

@dataclass(frozen=True)
class KeyFigure:
    value: str
    label: Texts
    source_text: str


@dataclass(frozen=True)
class Case:
    """One shipped case study; every text is a ``{"en": ..., "vi": ...}`` mapping."""

    slug: str
    title: Texts
    country: Texts
    region: Texts
    countries: tuple[str, ...]
    years: Texts
    start_year: int | None
    end_year: int | None
    implementer: Texts
    funder: Texts
    budget: Texts | None
    pillars: tuple[str, ...]
    themes: tuple[str, ...]
    summary: Texts
    objectives: Mapping[str, tuple[str, ...]]
    activities: Mapping[str, tuple[str, ...]]
    results: Mapping[str, tuple[str, ...]]
    lessons: Mapping[str, tuple[str, ...]]
    recommendations: Mapping[str, tuple[str, ...]]
    key_figures: tuple[KeyFigure, ...]
    citation: Texts
    kind: str = field(default="case", init=False)

    @property
    def key(self) -> str:
        return f"case:{self.slug}"

    def search_fields(self, labels: Labels) -> tuple[str, str, str]:
        """(title, facets, body) as text in both languages: what :func:`search` ranks on."""
        title = _both(self.title)
        facets = " ".join([_both(self.country), _both(self.region), " ".join(self.countries),
                           _labels_text(self.pillars + self.themes, labels)])
        lists = [_both_lists(getattr(self, name)) for name in CASE_LISTS]
        body = " ".join([_both(self.summary), _both(self.implementer), _both(self.funder), *lists,
                         *(_both(f.label) for f in self.key_figures)])
        return title, facets, body


@dataclass(frozen=True)
class Practice:
    """A local practice as the library lists it (built from the model by the query layer)."""

    id: int
    title: Texts
    summary: Texts
    body: Texts
    pillars: tuple[str, ...]
    themes: tuple[str, ...]
    indicator_keys: tuple[str, ...]
    status: str
    facility_name: str = ""
    countries: tuple[str, ...] = ("VN",)
    kind: str = field(default="practice", init=False)

    @property
    def key(self) -> str:
        return f"practice:{self.id}"

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    def search_fields(self, labels: Labels) -> tuple[str, str, str]:
        facets = " ".join([self.facility_name, " ".join(self.countries), _labels_text(self.pillars + self.themes, labels)])
        return _both(self.title), facets, " ".join([_both(self.summary), _both(self.body)])


@dataclass(frozen=True)
class Link:
    """An indicator's pointer to a case and the lesson of that case that guides it."""

    case: str
    lesson: Texts


def _both(texts: Texts | None) -> str:
    return " ".join(texts.get(lang) or "" for lang in LANGUAGES) if texts else ""


def _both_lists(lists: Mapping[str, Sequence[str]]) -> str:
    return " ".join(" ".join(lists.get(lang) or ()) for lang in LANGUAGES)


def _labels_text(slugs: Iterable[str], labels: Labels) -> str:
    return " ".join(f"{slug} {_both(labels.get(slug))}" for slug in slugs)


def parse_case(raw: Mapping[str, Any]) -> Case:
    return Case(
        slug=raw["slug"],
        **{name: dict(raw[name]) for name in CASE_TEXTS},
        countries=tuple(raw.get("countries") or ()),
        start_year=raw.get("start_year"), end_year=raw.get("end_year"),
        budget=dict(raw["budget"]) if raw.get("budget") else None,
        pillars=tuple(raw.get("pillars") or ()), themes=tuple(raw.get("themes") or ()),
        **{name: {lang: tuple(items) for lang, items in (raw.get(name) or {}).items()} for name in CASE_LISTS},
        key_figures=tuple(KeyFigure(str(f["value"]), dict(f["label"]), f["source_text"])
                          for f in raw.get("key_figures") or ()),
    )


def parse_cases(raw: Iterable[Mapping[str, Any]]) -> tuple[Case, ...]:
    return tuple(parse_case(item) for item in raw)


def parse_links(raw: Mapping[str, Any] | None) -> dict[str, tuple[Link, ...]]:
    """``{indicator_key: [{case, lesson: {en, vi}}]}`` -> links by indicator key."""
    return {key: tuple(Link(item["case"], dict(item["lesson"])) for item in items or ())
            for key, items in (raw or {}).items()}


def missing_texts(case: Case) -> list[str]:
    """The fields of ``case`` left empty in some language (``"summary.vi"``); [] when complete."""
    missing = [f"{name}.{lang}" for name in CASE_TEXTS for lang in LANGUAGES
               if not (getattr(case, name).get(lang) or "").strip()]
    missing += [f"{name}.{lang}" for name in CASE_LISTS for lang in LANGUAGES
                if not [t for t in getattr(case, name).get(lang, ()) if t.strip()]]
    if case.budget is not None:
        missing += [f"budget.{lang}" for lang in LANGUAGES if not (case.budget.get(lang) or "").strip()]
    for i, figure in enumerate(case.key_figures):
        missing += [f"key_figures[{i}].label.{lang}" for lang in LANGUAGES if not (figure.label.get(lang) or "").strip()]
    if not case.key_figures:
        missing.append("key_figures")
    # ``countries`` may be empty: a regional programme whose source names none of its countries
    # (MTV EXIT's "13 countries throughout Southeast Asia") is listed under its region only.
    for name in ("pillars", "themes"):
        if not getattr(case, name):
            missing.append(name)
    return missing


# -- search and filters ----------------------------------------------------------------

class Searchable(Protocol):
    key: str
    title: Texts
    countries: Sequence[str]
    pillars: Sequence[str]
    themes: Sequence[str]

    def search_fields(self, labels: Labels) -> tuple[str, str, str]: ...


@dataclass(frozen=True)
class _Match:
    phrase: bool  # the query's words appear next to each other, in order
    tier: int  # 0: in the title; 1: with country, region, pillars or themes; 2: the body is needed
    in_title: int


def _starts(word: Term, token: Term) -> bool:
    """The token starts the word as typed ("centr" -> "centre") or with spellings folded ("center")."""
    return word[0].startswith(token[0]) or word[1].startswith(token[1])


def _span(token: Term, field_words: list[Term], i: int) -> int:
    """How many words from ``field_words[i]`` on ``token`` matches: 1 when it starts that word,
    k > 1 when it runs over k words written without spaces ("chiangmai"), 0 when it does not match."""
    if i >= len(field_words):
        return 0
    if _starts(field_words[i], token):
        return 1
    folded, joined = token[1], field_words[i][1]
    for k in range(2, MAX_JOINED_WORDS + 1):
        if i + k > len(field_words) or not folded.startswith(joined):
            return 0
        joined = _DOUBLED.sub(r"\1", joined + field_words[i + k - 1][1])
        if joined.startswith(folded):
            return k
    return 0


def _has_phrase(tokens: list[Term], field_words: list[Term]) -> bool:
    for start in range(len(field_words)):
        i = start
        for token in tokens:
            taken = _span(token, field_words, i)
            if not taken:
                break
            i += taken
        else:
            return True
    return False


def _found(token: Term, field_words: list[Term]) -> bool:
    return any(_span(token, field_words, i) for i in range(len(field_words)))


def _match(tokens: list[Term], fields: tuple[str, str, str]) -> _Match | None:
    field_words = [search_terms(text) for text in fields]
    hits = [{t for t in tokens if _found(t, ws)} for ws in field_words]
    wanted = set(tokens)
    if wanted - set().union(*hits):
        return None
    phrase_in = [i for i, ws in enumerate(field_words) if _has_phrase(tokens, ws)]
    if phrase_in:
        return _Match(True, phrase_in[0], len(hits[0]))
    tier = 0 if hits[0] == wanted else 1 if hits[0] | hits[1] == wanted else 2
    return _Match(False, tier, len(hits[0]))


def search(items: Iterable[Searchable], query: str | None, language: str = "en",
           labels: Labels | None = None) -> list[Searchable]:
    """Items that contain ``query`` in either language, diacritics and case ignored.

    Each query word matches the start of a word ("tham van" finds "tham vấn"), in
    either spelling ("counseling" finds "counselling", "center" finds "centre"), or
    several words written without spaces ("chiangmai" finds "Chiang Mai"). When
    some items hold the words side by side, in order, only those are returned:
    Vietnamese syllables are short and common, so "tham" and "van" found apart
    mean little. Otherwise every item holding all the words somewhere is returned.
    Items with the match in the title come first, then those where country,
    region, pillars or themes hold it, then body matches; ties go to more title
    words, then to the title in ``language``. An empty query keeps the given order.
    """
    items = list(items)
    tokens = list(dict.fromkeys(search_terms(query)))
    if not tokens:
        return items
    ranked = []
    for position, item in enumerate(items):
        match = _match(tokens, item.search_fields(labels or {}))
        if match is not None:
            title = normalize(item.title.get(language) or next((t for t in item.title.values() if t), ""))
            ranked.append((match, (match.tier, -match.in_title, title, position), item))
    if any(match.phrase for match, _key, _item in ranked):
        ranked = [entry for entry in ranked if entry[0].phrase]
    return [item for _match_, _key, item in sorted(ranked, key=lambda entry: entry[1])]


def filter_items(items: Iterable[Searchable], pillar: str | None = None, theme: str | None = None,
                 country: str | None = None) -> list[Searchable]:
    """Items tagged with the pillar, the theme and the country code given (None: any)."""
    return [
        item for item in items
        if (not pillar or pillar in item.pillars)
        and (not theme or theme in item.themes)
        and (not country or country.upper() in item.countries)
    ]


# -- coverage --------------------------------------------------------------------------

@dataclass(frozen=True)
class CoverageRow:
    indicator_key: str
    cases: tuple[str, ...]
    practices: tuple[int, ...]

    @property
    def covered(self) -> bool:
        return bool(self.cases or self.practices)


def coverage(indicator_keys: Sequence[str], links: Mapping[str, Sequence[Link]],
             practices: Iterable[Practice] = ()) -> list[CoverageRow]:
    """One row per indicator, in sheet order, with indicators that have no guidance first."""
    by_indicator: dict[str, list[int]] = {}
    for practice in practices:
        if practice.is_published:
            for key in practice.indicator_keys:
                by_indicator.setdefault(key, []).append(practice.id)
    rows = [CoverageRow(key, tuple(dict.fromkeys(link.case for link in links.get(key, ()))),
                        tuple(by_indicator.get(key, ()))) for key in indicator_keys]
    return sorted(rows, key=lambda row: row.covered)  # stable: sheet order within each group


def indicators_for_case(slug: str, links: Mapping[str, Sequence[Link]]) -> list[tuple[str, Link]]:
    """(indicator key, link) pairs naming the case, in the order of the links file."""
    return [(key, link) for key, items in links.items() for link in items if link.case == slug]


def unknown_cases(links: Mapping[str, Sequence[Link]], slugs: Iterable[str]) -> list[str]:
    known = set(slugs)
    return sorted({link.case for items in links.values() for link in items if link.case not in known})


# -- display -----------------------------------------------------------------------------

def place_label(place: str, country_names: Sequence[str]) -> str:
    """A case's place with its countries: "Mekong region (Cambodia, Laos, …)".

    The list is left out when it only repeats the place ("Việt Nam", not
    "Việt Nam (Việt Nam)"); names are compared without case, accents or spaces.
    """
    def key(text: str) -> str:
        return "".join(words(text))

    names = [n for n in country_names if n]
    if not names or all(key(n) == key(place) for n in names):
        return place
    return f"{place} ({', '.join(names)})" if place else ", ".join(names)


def split_csv(value: str | None) -> tuple[str, ...]:
    return tuple(v for v in (value or "").split(",") if v)


def join_csv(values: Iterable[str]) -> str:
    return ",".join(dict.fromkeys(v.strip() for v in values if v and v.strip()))
