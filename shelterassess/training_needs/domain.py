"""Skills and the needs table. Pure: no Flask, no database.

The shipped skills follow the areas of the standard score sheet and its wording
(``scoresheets/data/standard_v1.yaml``: "tham vấn", "lắng nghe", "chuyển gửi", "sang chấn",
"quản lý trường hợp"...). They are seeded once; the national team may rename or deactivate
them afterwards, and seeding again never overwrites those edits.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class SkillSeed:
    key: str
    name_vi: str
    name_en: str


SKILLS = (
    SkillSeed("counselling-listening", "Tham vấn và kỹ năng lắng nghe", "Counselling and listening"),
    SkillSeed("case-management", "Quản lý trường hợp", "Case management"),
    SkillSeed("confidentiality", "Bảo mật và quản lý thông tin", "Confidentiality and information management"),
    SkillSeed("child-protection", "Bảo vệ trẻ em", "Child protection"),
    SkillSeed("referral", "Quy trình chuyển gửi", "Referral procedures"),
    SkillSeed("trauma-crisis", "Sang chấn và can thiệp khủng hoảng", "Trauma and crisis intervention"),
    SkillSeed("participation-house-rules", "Sự tham gia của người được hỗ trợ và nội quy tích cực",
              "Resident participation and constructive house rules"),
    SkillSeed("safety-security", "An toàn và an ninh", "Safety and security"),
    SkillSeed("reintegration-follow-up", "Tái hòa nhập cộng đồng và theo dõi sau hỗ trợ",
              "Reintegration and follow-up"),
    SkillSeed("monitoring-evaluation", "Giám sát và đánh giá", "Monitoring and evaluation"),
)


def slug(text: str) -> str:
    """An ASCII key from a name ("Tham vấn" -> "tham-van", "đ" -> "d")."""
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_ = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")[:50] or "skill"


def unique_key(name: str, taken: Iterable[str]) -> str:
    base, taken = slug(name), set(taken)
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


@dataclass(frozen=True)
class NeedCount:
    skill_id: int | None  # None: capacity-building actions that name no skill
    province_id: int
    actions: int
    answered: int  # of which a training is scheduled for


@dataclass(frozen=True)
class NeedsRow:
    skill_id: int | None
    by_province: tuple[int, ...]  # actions per province, in the table's province order
    total: int
    answered: int

    @property
    def open(self) -> int:
        return self.total - self.answered


@dataclass(frozen=True)
class NeedsTable:
    province_ids: tuple[int, ...]
    rows: tuple[NeedsRow, ...]
    province_totals: tuple[int, ...]
    total: int
    answered: int


def needs_table(counts: Iterable[NeedCount], skill_order: Iterable[int], province_order: Iterable[int]) -> NeedsTable:
    """Pivot the counts: one row per skill with needs (in ``skill_order``, "no skill" last), one
    column per province with needs (in ``province_order``), totals."""
    counts = list(counts)
    provinces = [p for p in province_order if any(c.province_id == p for c in counts)]
    skills = [s for s in skill_order if any(c.skill_id == s for c in counts)]
    if any(c.skill_id is None for c in counts):
        skills.append(None)  # type: ignore[arg-type]
    rows = []
    for skill_id in skills:
        mine = [c for c in counts if c.skill_id == skill_id]
        rows.append(NeedsRow(skill_id, tuple(sum(c.actions for c in mine if c.province_id == p) for p in provinces),
                             sum(c.actions for c in mine), sum(c.answered for c in mine)))
    return NeedsTable(tuple(provinces), tuple(rows),
                      tuple(sum(c.actions for c in counts if c.province_id == p) for p in provinces),
                      sum(c.actions for c in counts), sum(c.answered for c in counts))
