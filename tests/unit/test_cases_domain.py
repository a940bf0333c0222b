"""The case library's pure rules: normalisation, search ranking, filters, coverage. No app."""
import unicodedata
from pathlib import Path

import pytest
import yaml

from shelterassess.cases import domain
from shelterassess.cases.domain import Link, Practice, coverage, filter_items, normalize, search

DATA = Path(domain.__file__).parent / "data"
CASES_FILE, THEMES_FILE = DATA / "cases.yaml", DATA / "themes.yaml"

LABELS = {"confidentiality": {"en": "Confidentiality", "vi": "Bảo mật thông tin"},
          "referral-networks": {"en": "Referral networks", "vi": "Mạng lưới chuyển tuyến"},
          "protection": {"en": "Protection", "vi": "Bảo vệ"}}


def make_case(slug, title_en="A case", title_vi="Một trường hợp", body_en="", body_vi="", countries=("VN",),
              pillars=("protection",), themes=(), country=None):
    both = {"en": "", "vi": ""}
    return domain.Case(
        slug=slug, title={"en": title_en, "vi": title_vi}, country=country or {"en": "Vietnam", "vi": "Việt Nam"},
        region=both, countries=tuple(countries), years=both, start_year=None, end_year=None, implementer=both,
        funder=both, budget=None, pillars=tuple(pillars), themes=tuple(themes),
        summary={"en": body_en, "vi": body_vi}, objectives={}, activities={}, results={}, lessons={},
        recommendations={}, key_figures=(), citation=both,
    )


@pytest.fixture(scope="module")
def real_cases():
    with CASES_FILE.open(encoding="utf-8") as fh:
        return domain.parse_cases(yaml.safe_load(fh))


@pytest.fixture(scope="module")
def real_labels():
    with THEMES_FILE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return {**data["pillars"], **data["themes"]}


# -- normalize ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Tham vấn", "tham van"),
    ("ĐÀ NẴNG", "da nang"),
    ("đường dây", "duong day"),
    ("Wiñari", "winari"),
    ("Straße", "strasse"),  # casefold, not lower
    ("", ""),
    (None, ""),
])
def test_normalize(text, expected):
    assert normalize(text) == expected


def test_normalize_treats_composed_and_decomposed_text_alike():
    composed = "tư vấn tâm lý"
    assert normalize(unicodedata.normalize("NFD", composed)) == normalize(composed) == "tu van tam ly"


# -- search ---------------------------------------------------------------------------------

def test_vietnamese_query_without_diacritics_finds_text_with_them():
    counselling = make_case("c", body_vi="Tập huấn về tham vấn nạn nhân")
    other = make_case("o", body_vi="Đào tạo nghề cho thanh niên")
    assert search([other, counselling], "tham van", "vi") == [counselling]
    assert search([other, counselling], "tham vấn", "vi") == [counselling]
    assert search([other, counselling], "THAM VẤN", "vi") == [counselling]


def test_english_query_finds_english_text_and_ignores_accents():
    winari = make_case("w", title_en="The Wiñari Project", body_en="Children withdrawn from labour")
    other = make_case("o", body_en="Police training")
    assert search([other, winari], "winari", "en") == [winari]
    assert search([other, winari], "children labour", "en") == [winari]


def test_search_covers_both_languages_whatever_the_interface_language():
    case = make_case("c", body_en="referral procedures", body_vi="quy trình chuyển tuyến")
    assert search([case], "chuyen tuyen", "en") == [case]
    assert search([case], "referral", "vi") == [case]


def test_every_word_must_match_and_words_match_by_prefix():
    case = make_case("c", body_en="Shelters coded their files")
    assert search([case], "shelter code", "en") == [case]
    assert search([case], "shelter photos", "en") == []


def test_words_side_by_side_beat_words_found_apart():
    phrase = make_case("phrase", body_vi="Tập huấn tham vấn cho cán bộ")
    apart = make_case("apart", body_vi="Cộng đồng tham gia vận động chính sách")
    assert search([apart, phrase], "tham van", "vi") == [phrase]
    assert search([apart], "tham van", "vi") == [apart]  # with no phrase anywhere, words apart still count


def test_title_match_ranks_first():
    body_only = make_case("body", title_en="Alpha", body_en="We improved case management in shelters")
    theme_only = make_case("theme", title_en="Beta", themes=("confidentiality",), body_en="nothing")
    in_title = make_case("title", title_en="Zeta: case management standards", body_en="")
    ranked = search([body_only, theme_only, in_title], "case management", "en", LABELS)
    assert [c.slug for c in ranked] == ["title", "body"]
    ranked = search([body_only, theme_only, in_title], "confidentiality", "en", LABELS)
    assert [c.slug for c in ranked] == ["theme"]


def test_country_and_theme_rank_before_body():
    body = make_case("body", title_en="A", body_en="Work with partners in Thailand", country={"en": "Ecuador", "vi": "Ecuador"})
    country = make_case("country", title_en="B", country={"en": "Thailand", "vi": "Thái Lan"})
    assert [c.slug for c in search([body, country], "thailand", "en")] == ["country", "body"]
    assert [c.slug for c in search([body, country], "thai lan", "vi")] == ["country"]


def test_theme_labels_are_searchable_in_both_languages():
    case = make_case("c", themes=("confidentiality",))
    assert search([case], "bao mat", "vi", LABELS) == [case]
    assert search([case], "confidential", "en", LABELS) == [case]


def test_empty_query_keeps_the_given_order():
    a, b = make_case("a"), make_case("b")
    assert search([b, a], "", "en") == [b, a]
    assert search([b, a], "  ", "en") == [b, a]


def test_real_library_search(real_cases, real_labels):
    found = [c.slug for c in search(real_cases, "tham van", "vi", real_labels)]
    assert "shelter-self-improvement-vietnam" in found
    assert search(real_cases, "winari", "en", real_labels)[0].slug == "winari-ecuador"
    assert search(real_cases, "Chiang Mai", "vi", real_labels)[0].slug == "chiang-mai-model-thailand"
    assert search(real_cases, "nha tam lanh", "vi", real_labels)[0].slug == "shelter-self-improvement-vietnam"


@pytest.mark.parametrize("query, text", [
    ("counseling", "Psychological counselling for residents"),  # US spelling finds the UK one
    ("counselling", "Psychological counseling for residents"),  # and the other way round
    ("counselors", "Trained counsellors"),
    ("traveled", "Victims travelled home"),  # the general rule: a doubled consonant counts once
    ("modeling", "Modelling good practice"),
    ("center", "A one-stop crisis centre"),  # the variant table
    ("programs", "Two programmes ran"),
    ("labor", "Child labour"),
    ("organization", "Partner organisations"),
    ("behavior", "Staff behaviour"),
    ("centr", "A one-stop crisis centre"),  # a word still being typed matches as typed
    ("labou", "Child labour"),
])
def test_spelling_variants_match(query, text):
    case = make_case("c", body_en=text)
    other = make_case("o", body_en="Police training on evidence")
    assert search([other, case], query, "en") == [case]


@pytest.mark.parametrize("query, text", [
    ("chiangmai", "The Chiang Mai Model"),
    ("ChiangMai model", "The Chiang Mai Model"),
    ("hochiminh", "Nhà tạm lánh ở Thành phố Hồ Chí Minh"),
    ("ho chi minh", "Nhà tạm lánh ở Thành phố Hồ Chí Minh"),
    ("hochi", "Nhà tạm lánh ở Thành phố Hồ Chí Minh"),  # typed so far
    ("thanhhoa", "Tỉnh Thanh Hóa"),  # the doubled letter where the words join
    ("laocai", "Lào Cai"),
])
def test_place_names_written_without_spaces_match(query, text):
    case = make_case("c", body_vi=text)
    assert search([case], query, "vi") == [case]


@pytest.mark.parametrize("query", ["chiangmaix", "chiangmao", "maichiang", "hochiminhcity"])
def test_joined_words_must_follow_each_other(query):
    case = make_case("c", body_en="The Chiang Mai Model in Ho Chi Minh")
    assert search([case], query, "en") == []


def test_joined_place_name_is_a_phrase():
    joined = make_case("joined", title_en="Alpha", body_en="The Chiang Mai model of cooperation")
    apart = make_case("apart", title_en="Beta", body_en="Mai met Chiang; a model")
    assert search([apart, joined], "chiangmai model", "en") == [joined]


def test_real_library_finds_spelling_variants_and_joined_place_names(real_cases, real_labels):
    found = [c.slug for c in search(real_cases, "counseling", "en", real_labels)]
    assert "shelter-self-improvement-vietnam" in found
    assert [c.slug for c in search(real_cases, "counselling", "en", real_labels)] == found
    assert search(real_cases, "chiangmai", "vi", real_labels)[0].slug == "chiang-mai-model-thailand"
    assert search(real_cases, "chiangmai", "en", real_labels)[0].slug == "chiang-mai-model-thailand"


def test_practices_are_searched_with_cases():
    practice = Practice(id=7, title={"vi": "Sổ tay nội quy tích cực", "en": ""}, summary={"vi": "", "en": ""},
                        body={"vi": "", "en": "Rules rewritten with residents"}, pillars=("protection",),
                        themes=(), indicator_keys=(), status="published", facility_name="Nhà tạm lánh A")
    case = make_case("c", body_en="house rules")
    assert search([case, practice], "noi quy", "vi") == [practice]
    assert search([case, practice], "rules", "en")[0] is case  # 'rules' only in bodies: title order decides


# -- filters --------------------------------------------------------------------------------

def test_filters_by_pillar_theme_and_country():
    a = make_case("a", pillars=("prevention",), themes=("awareness-raising",), countries=("EC",))
    b = make_case("b", pillars=("protection", "prosecution"), themes=("referral-networks",), countries=("TH", "MM"))
    assert filter_items([a, b], pillar="protection") == [b]
    assert filter_items([a, b], theme="awareness-raising") == [a]
    assert filter_items([a, b], country="mm") == [b]
    assert filter_items([a, b], pillar="prevention", country="TH") == []
    assert filter_items([a, b]) == [a, b]


def test_real_filters(real_cases):
    assert [c.slug for c in filter_items(real_cases, country="EC")] == ["winari-ecuador"]
    assert {c.slug for c in filter_items(real_cases, theme="shelter-standards")} == {
        "shelter-self-improvement-vietnam", "act-bangladesh"}
    assert all("prosecution" in c.pillars for c in filter_items(real_cases, pillar="prosecution"))


# -- coverage -------------------------------------------------------------------------------

def test_coverage_lists_indicators_without_guidance_first_in_sheet_order():
    links = {"b": (Link("x", {"en": "l", "vi": "l"}),)}
    practice = Practice(id=3, title={"vi": "t", "en": ""}, summary={}, body={}, pillars=(), themes=(),
                        indicator_keys=("d",), status="published")
    draft = Practice(id=4, title={"vi": "t", "en": ""}, summary={}, body={}, pillars=(), themes=(),
                     indicator_keys=("c",), status="draft")
    rows = coverage(["a", "b", "c", "d", "e"], links, [practice, draft])
    assert [r.indicator_key for r in rows] == ["a", "c", "e", "b", "d"]
    assert [r.covered for r in rows] == [False, False, False, True, True]
    assert rows[3].cases == ("x",) and rows[4].practices == (3,)


def test_indicators_for_case_and_unknown_cases():
    links = {"k1": (Link("x", {}), Link("y", {})), "k2": (Link("x", {}),)}
    assert [key for key, _ in domain.indicators_for_case("x", links)] == ["k1", "k2"]
    assert domain.unknown_cases(links, ["x"]) == ["y"]


@pytest.mark.parametrize("place, names, expected", [
    ("Việt Nam", ["Việt Nam"], "Việt Nam"),
    ("Vietnam", ["Vietnam"], "Vietnam"),
    ("Viet Nam", ["Vietnam"], "Viet Nam"),  # spaces, case and accents do not make a second name
    ("Thái Lan", ["Thái Lan"], "Thái Lan"),
    ("Mekong region", ["Cambodia", "Laos"], "Mekong region (Cambodia, Laos)"),
    ("Tiểu vùng sông Mê Kông", ["Campuchia", "Việt Nam"], "Tiểu vùng sông Mê Kông (Campuchia, Việt Nam)"),
    ("Indonesia", [], "Indonesia"),
    ("", ["Ecuador"], "Ecuador"),
])
def test_place_label_names_a_country_once(place, names, expected):
    assert domain.place_label(place, names) == expected


def test_csv_helpers():
    assert domain.join_csv(["a", " b", "", "a"]) == "a,b"
    assert domain.split_csv("a,b,") == ("a", "b")
    assert domain.split_csv(None) == ()
