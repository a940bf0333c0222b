"""In-process micro benchmarks (the first benchmarks of the project, kept as a part of
``make bench``: ``python -m bench.run --micro``, or alone ``python -m bench.micro``). Each prints
a ratio against a baseline measured in the same run; nothing here is a pass/fail test.

1. National view: area results read from stored ``area_result`` rows (what the app
   does) versus recomputing them from raw score rows (the baseline).
2. Scoring: the pure scoring function on one full score sheet, against a plain loop
   over the same answers (the floor for any implementation).
"""
from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select


def timed(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def build(facilities: int):
    from shelterassess import create_app
    from tests.conftest import CHEAP_ARGON2, build_world

    tmp = Path(tempfile.mkdtemp())
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "PASSWORD_HASH_PARAMS": CHEAP_ARGON2,
                      "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite'}"})
    ctx = app.app_context()
    ctx.push()
    from shelterassess.extensions import db

    db.create_all()
    world = build_world(sheet_file=None)
    _fill(db, world, facilities)
    return db, world


def _fill(db, world, facilities: int) -> None:
    from shelterassess.assessments import services
    from shelterassess.assessments.services import AnswerInput
    from shelterassess.facilities.services import FacilityInput, save_facility

    rng = random.Random(1)
    for i in range(facilities):
        f = save_facility(db.session, FacilityInput(f"BF-{i:04d}", f"Bench {i}", "shelter",
                                                    world.facility_a.province_id, 20))
        a = services.start_assessment(db.session, world.staff_a, f, world.round)
        for area in world.sheet.areas:
            services.save_area(db.session, world.staff_a, a, area,
                               [AnswerInput(ind.id, rng.randint(0, 3), False, (), "", None) for ind in area.indicators])
        services.submit(db.session, world.manager_a, a)
    db.session.commit()


def bench_national(db, world) -> None:
    from shelterassess.assessments.models import AreaResult, Assessment, Score
    from shelterassess.scoresheets.models import Indicator

    def stored():
        return db.session.execute(select(AreaResult.assessment_id, AreaResult.area_id, AreaResult.percentage)).all()

    def recomputed():
        return db.session.execute(
            select(Score.assessment_id, Indicator.area_id, func.avg(Score.value) / 3 * 100)
            .join(Indicator, Score.indicator_id == Indicator.id)
            .join(Assessment, Score.assessment_id == Assessment.id)
            .where(Score.not_applicable.is_(False))
            .group_by(Score.assessment_id, Indicator.area_id)
        ).all()

    assert len(stored()) == len(recomputed())
    base, ours = timed(recomputed), timed(stored)
    print(f"national view, {len(stored())} area results: recompute {base * 1000:.1f} ms, stored {ours * 1000:.1f} ms, "
          f"ratio stored/recompute = {ours / base:.3f}")


def bench_scoring(world) -> None:
    from shelterassess.assessments.domain import Answer, score_sheet
    from shelterassess.scoresheets.queries import area_specs

    specs = area_specs(world.sheet)
    answers = {ind.key: Answer(2) for area in specs for ind in area.indicators}

    def ours():
        for _ in range(200):
            score_sheet(specs, answers)

    def floor():
        for _ in range(200):
            sum(a.value for a in answers.values())

    base, mine = timed(floor), timed(ours)
    print(f"scoring {len(answers)} indicators x200: loop {base * 1000:.2f} ms, score_sheet {mine * 1000:.2f} ms, "
          f"ratio = {mine / base:.1f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--facilities", type=int, default=150)
    args = parser.parse_args(argv)
    db, world = build(args.facilities)
    bench_national(db, world)
    bench_scoring(world)


if __name__ == "__main__":
    main()
