"""Two people adjusting the allocation at the same moment, against a served app (threads), on SQLite
and PostgreSQL: each change alone fits the budget, both together would not. The check is widened
with a pause between reading the totals and writing; the row lock on the funding round serialises
the two, so one is refused with the budget message and the stored total never exceeds the budget.
Checked by hand: with ``services.lock`` a no-op, the round's version column still refuses the second
save (as stale, not with the budget message: this test then fails); with the version bump removed
too, both are saved and the total goes 2 000 000 over the budget."""
from shelterassess.extensions import db
from shelterassess.funding import domain, services
from tests import funding_fixtures as ff
from tests.served import Client, pause_after, run_in_window, served  # noqa: F401 (fixture)


def test_two_adjustments_that_together_exceed_the_budget(world, served, monkeypatch):  # noqa: F811
    fround = ff.proposal(world)  # 10 000 000 allocated of 10 000 000
    services.adjust(db.session, world.national, fround, ff.line(world, "SH-A", ff.CB).id, "1.000.000",
                    "Part of the training is paid by the province")  # 2 000 000 free
    ff.second_national(world)
    db.session.commit()
    b_fi, b_other = ff.line(world, "RC-B", ff.FI), ff.line(world, "RC-B", ff.OT)
    first, second = Client(served, world.national), Client(served, world.national_2)
    reached = pause_after(monkeypatch, domain, "adjustment_problems")  # the totals are checked, nothing written yet
    results = run_in_window(
        lambda: first.post(f"/funding/{fround.id}/lines/{b_fi.id}/adjust",
                           data={"amount": "4.000.000", "reason": "The play corner needs a fence too"}),
        lambda: second.post(f"/funding/{fround.id}/lines/{b_other.id}/adjust",
                            data={"amount": "3.000.000", "reason": "Interpreters for the whole year"}),
        reached,
    )
    statuses = sorted(status for status, _body in results)
    assert statuses == [200, 302], statuses
    refused = next(body for status, body in results if status == 200)
    assert "above the budget of ₫10,000,000" in refused
    db.session.expire_all()
    total = sum(ln.amount_vnd for f in fround.facilities for ln in f.lines)
    assert total == 10_000_000
    assert sum(e.action == "adjusted" for e in fround.events) == 2  # the one above and the winner
