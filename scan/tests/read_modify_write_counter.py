# semgrep --test data for rule read-modify-write-counter (not imported, not run).
from sqlalchemy import update


def lost_update(session, facility):
    # ruleid: read-modify-write-counter
    facility.visit_count += 1


def lost_update_spelled_out(session, budget, amount):
    # ruleid: read-modify-write-counter
    budget.remaining = budget.remaining - amount


def lost_update_decrement(session, stock):
    # ruleid: read-modify-write-counter
    stock.left -= 1


def in_the_database(session, Facility, facility_id):
    # ok: read-modify-write-counter
    session.execute(update(Facility).where(Facility.id == facility_id).values(visit_count=Facility.visit_count + 1))


def local_counter(rows):
    total = 0
    for _row in rows:
        # ok: read-modify-write-counter
        total += 1
    return total
