"""Spotting details in a free-text note that may identify a person (issue 11): phone numbers, ID
and passport numbers, names after a kinship or title word, dates of birth and e-mail addresses,
in Vietnamese (with or without diacritics, NFC or NFD) and English.

The product never stores a resident's identifying details, so a note that seems to hold one is
not saved until the user confirms it does not identify a resident or client (see
``shelterassess.web.forms``). This module is plain Python: no Flask, no database.

Matching runs on a *folded* copy of the text (diacritics removed, "đ" → "d", one folded
character per base character), and every span is mapped back to the original text, so
``text[finding.start:finding.end] == finding.text`` whatever the Unicode form.

Deliberately not flagged: indicator codes (A1.2), years, scores, amounts of money
(1.500.000 đ), counts, visit dates, province names and role words (cán bộ, nhân viên, người
được hỗ trợ).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

PHONE = "phone"
ID_NUMBER = "id_number"
NAME = "name"
BIRTH_DATE = "birth_date"
EMAIL = "email"

#: The order in which kinds are listed in a message.
KINDS = (PHONE, ID_NUMBER, NAME, BIRTH_DATE, EMAIL)


@dataclass(frozen=True)
class Finding:
    """One detail that looks identifying: its kind and where it is in the text (``text[start:end]``)."""

    kind: str
    start: int
    end: int
    text: str


# -- folding -------------------------------------------------------------------------------------

def _fold_char(char: str) -> str:
    if char in "đĐ":
        return "d" if char == "đ" else "D"
    if unicodedata.combining(char):
        return ""
    base = unicodedata.normalize("NFD", char)
    return "".join(c for c in base if not unicodedata.combining(c))[:1] or char


def _fold(text: str) -> tuple[str, list[int]]:
    """The text without diacritics, and for each folded character the index of its original one."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for c in _fold_char(char):
            folded.append(c)
            origin.append(index)
    return "".join(folded), origin


# -- patterns (on folded text) -----------------------------------------------------------------

_SEP = r"[ .\-]"
#: Vietnamese numbers: 0 or (+)84, then 9 or 10 digits (mobiles and landlines), with spaces, dots or dashes.
_VN_PHONE = re.compile(r"(?<![\w+.,/\-])(?:\(?\+84\)?|84|0)" + _SEP + r"?[1-9](?:" + _SEP + r"?\d){8,9}"
                       r"(?![\w]|[.,/\-]\d)")
#: International numbers: a plus, a country code and 7 to 14 more digits.
_INTL_PHONE = re.compile(r"(?<![\w+])\+[1-9][\d ().\-]{6,20}\d(?!\w)")
#: A number after a word saying it is a phone number.
_LABELLED_PHONE = re.compile(
    r"\b(?:sdt|so dien thoai|so dt|dien thoai|dt|phone(?: number)?|tel|mobile|hotline ca nhan|zalo|so may|cell)"
    r"\s*(?:so|no\.?|number)?\s*[:.]?\s*(\+?\(?\d[\d ().\-]{5,}\d)", re.IGNORECASE)

_ID_LABEL = (r"\b(?:cmnd|cccd|cmt|the can cuoc(?: cong dan)?|can cuoc(?: cong dan)?|chung minh(?: nhan dan| thu)?"
             r"|ho chieu|passport(?: number| no\.?)?|id(?: card| number| no\.?)?|so dinh danh(?: ca nhan)?"
             r"|ma dinh danh|giay to tuy than)")
_LABELLED_ID = re.compile(_ID_LABEL + r"\s*(?:so|no\.?|number|#)?\s*[:.]?\s*([A-Z]{0,2}\d[\d .\-]{4,}\d)",
                          re.IGNORECASE)
#: CMND (9 digits) and CCCD (12 digits, province code first, so starting with 0) on their own.
_BARE_ID = re.compile(r"(?<![\w.,/\-+])(?:\d{9}|0\d{11})(?!\w|[.,/\-]\d)")
#: Passports: one or two capital letters and 7 digits (B1234567).
_PASSPORT = re.compile(r"(?<![\w.\-])[A-Z]{1,2}\d{7}(?![\w]|[.,]\d)")

_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")

_DATE = r"(?:\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*(?:19|20)\d{2}|\d{1,2}\s*[/.\-]\s*(?:19|20)\d{2}|(?:19|20)\d{2})"
_EN_DATE = (r"(?:" + _DATE + r"|\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+\.?,?\s+(?:19|20)\d{2}"
            r"|[A-Z][a-z]+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2})")
_BIRTH = re.compile(
    r"\b(?:sinh(?:\s+(?:nam|ngay|thang))?|nam\s+sinh|ngay(?:\s+thang(?:\s+nam)?)?\s+sinh|ns)\s*(?:la\s+)?[:.]?\s*"
    r"(?:ngay\s+)?" + _DATE
    + r"|\b(?:born(?:\s+(?:in|on))?|d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|birthday)\s*(?:is\s+)?[:.]?\s*"
    + _EN_DATE, re.IGNORECASE)

#: Kinship and title words before a name, as written with diacritics and without.
_VI_TITLES = ("chị", "chi", "em", "anh", "cô", "co", "bà", "ba", "ông", "ong", "bé", "be", "cháu", "chau",
              "bác", "bac", "dì", "di", "chú", "chu", "thím", "thim", "mợ", "mo", "cậu", "cau", "bạn", "ban",
              "cụ", "cu", "nạn nhân", "nan nhan", "cô gái", "co gai", "cậu bé", "cau be", "bé gái", "be gai",
              "em gái", "em gai", "em trai", "chị gái", "chi gai", "anh trai", "mẹ", "me", "bố", "bo")
_EN_TITLES = ("ms", "mrs", "mr", "miss", "mx", "named", "called", "name is", "name", "full name", "her name is",
              "his name is")
_NAME_WORD = r"[A-Z][a-z]+"
_NAME_RUN = _NAME_WORD + r"(?: " + _NAME_WORD + r"){0,3}"
_TITLES = sorted({re.escape(_fold(t)[0]) for t in _VI_TITLES + _EN_TITLES}, key=len, reverse=True)
#: A title (any case), then one to four capitalised words: "chị Lan", "em Nguyễn Thị Hoa", "Ms Lan".
_TITLE_NAME = re.compile(r"(?<![\w])((?i:" + "|".join(_TITLES) + r"))[.:]?[ \t]+(" + _NAME_RUN + r")(?![\w])")
#: "tên là Lan", "tên: lan", "họ tên: …" (here the name may be written in lower case).
_LABELLED_NAME = re.compile(r"(?<![\w])(?:ho\s+(?:va\s+)?ten|ten\s+(?:that\s+)?(?:la|:)|ten\s*:)"
                            r"[ \t]*(?:la\s+)?[:]?[ \t]*([A-Za-z][a-z]+(?:[ \t][A-Za-z][a-z]+){0,3})", re.IGNORECASE)

#: Words before "sinh" that make it no birth: vệ sinh, học sinh, phát sinh, nữ sinh, kỳ sinh…
_NOT_BIRTH = frozenset({"ve", "hoc", "phat", "nu", "ky", "hy", "giang", "sieu", "tai", "ho", "thu", "tu", "an"})

_MONTHS_DAYS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

#: Capitalised words that start an organisation, a place or a glossary term rather than a name.
_NOT_NAMES = frozenset(w.lower() for w in (
    "Nha", "Trung", "So", "Bo", "Phong", "Ban", "Hoi", "Quy", "Tinh", "Thanh", "Huyen", "Xa", "Phuong", "Quan",
    "Cong", "To", "Co", "Vien", "Benh", "Truong", "Cuc", "Chi", "Uy", "Viet", "Doi", "Don", "Lien", "Mat", "Uy",
    "Giam", "Quan", "Dieu", "Can", "Nhan", "Nguoi", "Tre", "Chuong", "Du", "Ke", "Bao", "Ngan", "Dai", "Khu",
    "Trai", "Lang", "Thon", "Ap", "Ho", "Nam", "Bac", "Dong", "Tay", "Tieng", "Lao", "Thai", "Trung", "Campuchia",
    "Myanmar", "Malaysia", "Han", "Nhat", "Anh", "Phap", "My", "Uc", "Cac", "Mot", "Hai", "Ba", "Bon", "Nam",
    "Nhung", "Moi", "Tat", "Khi", "Sau", "Truoc", "Trong", "Ngoai", "Tai", "Theo", "Va", "Hoac", "Nhung", "The",
    "Police", "Centre", "Center", "House", "Shelter", "Ministry", "Department", "Office", "Committee", "Union",
    "Hotline", "Team", "Programme", "Program", "Project", "Fund", "The", "This", "That", "Our", "Their", "His",
    "Her", "It", "We", "They", "He", "She", "A", "An", "In", "On", "At", "And", "Or", "Not", "No", "Yes", "Staff",
    "Manager", "Director", "Officer", "Worker", "Residents", "Resident", "Client", "Clients", "Tin", "Ngay",
    "Thang", "Nam", "Quyet", "Luat", "Nghi", "Thong", "Huong", "Ke", "Bieu", "Mau", "Ho", "Giay", "Pho", "Y",
    "Giao", "Thu", "Lanh", "Truc", "Ky", "Tham", "Tu", "Hanh", "Hoc", "Sinh", "Le", "Tet", "Kiem", "Quoc"))
#: Names as well as words: only a role when the next word makes it one (see _ROLE_PAIRS).
_AMBIGUOUS = {"nam", "an", "anh", "hai", "ba", "thanh", "tin", "tai", "mai", "lan", "ho", "bao", "lien", "dong", "le",
              "tu", "thu", "hanh", "ky", "tham", "quan", "truong", "thai", "trung", "phuong", "huong", "cong", "nhat",
              "my", "han", "hoa", "tay", "son", "quoc", "hoc", "y", "giao", "chu", "lanh", "truc", "tam", "sinh"}
_NOT_NAMES = (_NOT_NAMES | {m.lower() for m in _MONTHS_DAYS}) - _AMBIGUOUS
#: Two words that make a role or a thing, not a name ("anh Bảo vệ", "chị Quản lý", "cô Trung tâm").
_ROLE_PAIRS = frozenset(tuple(p.split()) for p in (
    "bao ve", "quan ly", "giam doc", "can bo", "nhan vien", "to truong", "cong an", "bac si", "y ta", "dieu duong",
    "ke toan", "thu quy", "lanh dao", "tinh nguyen", "tu van", "giao vien", "trung tam", "truong phong", "truong ban",
    "pho giam", "hoc sinh", "cong tac", "thu ky", "tro ly", "phuong an", "quan tri", "ho tro", "my thuat",
    "dong nghiep", "le tan", "tham gia", "tu thien", "ky thuat", "thanh vien", "thanh pho", "truong hop",
    "cong viec", "an ninh", "an toan", "y te", "truc ban", "truc dem", "chu nhiem", "giao duc", "sinh hoat",
    "tam ly", "hoa giai", "lanh dao", "quan huyen", "truong nha"))

#: Provinces and big cities (folded, lower case): a kinship word before one is no name.
_PLACES = tuple(p.lower() for p in (
    "Ha Noi", "Ho Chi Minh", "Sai Gon", "Da Nang", "Hai Phong", "Can Tho", "An Giang", "Ba Ria", "Vung Tau",
    "Bac Giang", "Bac Kan", "Bac Lieu", "Bac Ninh", "Ben Tre", "Binh Dinh", "Binh Duong", "Binh Phuoc",
    "Binh Thuan", "Ca Mau", "Cao Bang", "Dak Lak", "Dak Nong", "Dien Bien", "Dong Nai", "Dong Thap", "Gia Lai",
    "Ha Giang", "Ha Nam", "Ha Tinh", "Hai Duong", "Hau Giang", "Hoa Binh", "Hung Yen", "Khanh Hoa", "Kien Giang",
    "Kon Tum", "Lai Chau", "Lam Dong", "Lang Son", "Lao Cai", "Long An", "Nam Dinh", "Nghe An", "Ninh Binh",
    "Ninh Thuan", "Phu Tho", "Phu Yen", "Quang Binh", "Quang Nam", "Quang Ngai", "Quang Ninh", "Quang Tri",
    "Soc Trang", "Son La", "Tay Ninh", "Thai Binh", "Thai Nguyen", "Thanh Hoa", "Thua Thien", "Hue", "Tien Giang",
    "Tra Vinh", "Tuyen Quang", "Vinh Long", "Vinh Phuc", "Yen Bai", "Mong Cai", "Mong Cai", "Lao", "Campuchia",
    "Trung Quoc", "Thai Lan", "Malaysia", "Viet Nam", "Han Quoc", "Nhat Ban", "Dai Loan", "Phan Thiet",
    "Phan Rang", "Ha Long", "Ha Tien", "Ha Dong", "Cao Lanh", "Tan An", "Ha Tay"))

_MONEY_AFTER = re.compile(r"\s*(?:d\b|vnd|dong\b|usd|\$|trieu|ty\b|nghin|ngan\b|k\b|%)", re.IGNORECASE)
_THOUSANDS = re.compile(r"^\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$")


def _is_money(folded: str, start: int, end: int) -> bool:
    """An amount: written with thousands separators and no leading 0 or plus, or followed by a currency."""
    number = folded[start:end]
    if _MONEY_AFTER.match(folded, end) or (start and folded[start - 1] in "$"):
        return True
    return not number.startswith(("0", "+")) and bool(_THOUSANDS.match(number))


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _is_name(words: str, after: str = "") -> bool:
    """Whether the capitalised ``words`` (folded) after a title are a name; ``after`` is the text that follows."""
    lowered = words.lower()
    parts = lowered.split(" ")
    following = (parts[1] if len(parts) > 1 else (after.split(None, 1) or [""])[0]).lower()
    if parts[0] in _NOT_NAMES or (parts[0], following.strip(".,;:!?")) in _ROLE_PAIRS:
        return False
    return not any(lowered == place or lowered.startswith(place + " ") for place in _PLACES)


#: The most common Vietnamese family names (folded). A capitalised one followed by one to three
#: capitalised syllables is read as a full name ("Nguyễn Thị Hoa", "Tran Minh Tuan").
_FAMILIES = ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Huynh", "Phan", "Vu", "Vo", "Dang", "Bui", "Do", "Ho", "Ngo",
             "Duong", "Ly", "Dinh", "Trinh", "Truong", "Lam", "Luong", "Dao", "Cao", "Mai", "Ha", "Ta", "Doan", "Lu")
_FULL_NAME = re.compile(r"(?<![\w])(?:" + "|".join(_FAMILIES) + r")((?: [A-Z][a-z]+){1,3})(?![\w])")
#: Written in lower case, only the least ambiguous family names with the middle names Thị or Văn
#: ("nguyen thi hoa"); "do van phong" (because of the office) and the like stay unflagged.
_FULL_NAME_LOWER = re.compile(r"(?<![\w])(?i:nguyen|tran|pham|hoang|huynh|phan|dang|bui|ngo|duong|trinh)"
                              r" (?i:thi|van)( [A-Za-z]+)(?![\w])")
_TITLE_FORMS = frozenset(" ".join(unicodedata.normalize("NFC", t).split()) for t in _VI_TITLES + _EN_TITLES)


def _written_title(text: str, origin: list[int], start: int, end: int) -> str:
    """The title word as written (NFC, lower case), so that "chỉ" (only) is not taken for "chị"."""
    begin, finish = _original_span(text, origin, start, end)
    return " ".join(unicodedata.normalize("NFC", text[begin:finish]).lower().split())


def _inside_place(folded: str, start: int, end: int) -> bool:
    """Whether the word before ``start`` and the match make a place ("Ho" + "Chi Minh City")."""
    before = folded[:start].split()[-1:]
    phrase = " ".join([*before, folded[start:end]]).lower()
    return any(phrase == place or phrase.startswith(place + " ") for place in _PLACES)


def _candidates(text: str, folded: str, origin: list[int]):
    for m in _EMAIL.finditer(folded):
        yield EMAIL, m.start(), m.end()
    for m in _LABELLED_ID.finditer(folded):
        if _digits(m.group(1)) >= 6:
            yield ID_NUMBER, m.start(1), m.end(1)
    for m in _LABELLED_PHONE.finditer(folded):
        if 7 <= _digits(m.group(1)) <= 15:
            yield PHONE, m.start(1), m.end(1)
    for m in _VN_PHONE.finditer(folded):
        if not _is_money(folded, m.start(), m.end()):
            yield PHONE, m.start(), m.end()
    for m in _INTL_PHONE.finditer(folded):
        if 8 <= _digits(m.group()) <= 15:
            yield PHONE, m.start(), m.end()
    for m in _BARE_ID.finditer(folded):
        if not _is_money(folded, m.start(), m.end()):
            yield ID_NUMBER, m.start(), m.end()
    for m in _PASSPORT.finditer(folded):
        yield ID_NUMBER, m.start(), m.end()
    for m in _BIRTH.finditer(folded):
        before = folded[:m.start()].rstrip().rsplit(None, 1)
        if m.group().lower().startswith("sinh") and before and before[-1].lower() in _NOT_BIRTH:
            continue  # vệ sinh (cleaning), học sinh (pupils), phát sinh (arising)…
        yield BIRTH_DATE, m.start(), m.end()
    for m in _TITLE_NAME.finditer(folded):
        title_as_written = _written_title(text, origin, m.start(1), m.end(1))
        if title_as_written in _TITLE_FORMS and _is_name(m.group(2), folded[m.end():m.end() + 30]) \
                and not _inside_place(folded, m.start(), m.end()):
            yield NAME, m.start(), m.end()
    for pattern in (_FULL_NAME, _FULL_NAME_LOWER):
        for m in pattern.finditer(folded):
            whole = m.group().lower()
            if not any(whole == place or whole.startswith(place + " ") for place in _PLACES) \
                    and _is_name(m.group(1).strip(), folded[m.end():m.end() + 30]):
                yield NAME, m.start(), m.end()
    for m in _LABELLED_NAME.finditer(folded):
        if _is_name(m.group(1), folded[m.end():m.end() + 30]):
            yield NAME, m.start(), m.end()


def _original_span(text: str, origin: list[int], start: int, end: int) -> tuple[int, int]:
    begin = origin[start]
    finish = origin[end - 1] + 1
    while finish < len(text) and unicodedata.combining(text[finish]):  # marks of the last letter (NFD)
        finish += 1
    return begin, finish


def find_identifying_details(text: str | None) -> list[Finding]:
    """Every part of ``text`` that looks like a phone number, an ID or passport number, a person's
    name, a date of birth or an e-mail address, in the order they appear (overlaps merged: the
    longer one wins)."""
    if not text:
        return []
    folded, origin = _fold(text)
    spans = sorted(set(_candidates(text, folded, origin)), key=lambda c: (c[1], -(c[2] - c[1])))
    kept: list[tuple[str, int, int]] = []
    for kind, start, end in spans:
        if kept and start < kept[-1][2]:  # inside or overlapping the previous (longer) one
            continue
        kept.append((kind, start, end))
    findings = []
    for kind, start, end in kept:
        begin, finish = _original_span(text, origin, start, end)
        findings.append(Finding(kind, begin, finish, text[begin:finish]))
    return findings
