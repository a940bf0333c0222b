"""Properties of the allocation rule over 1,000 random cases (a seeded loop, no extra
dependency): never more than the budget, an envelope or a request; the whole budget of each
group spent to the unit whenever the requests allow; uncapped facilities in proportion to their
weights within one unit; the same result whatever the input order or the scale of the weights."""
import random
from fractions import Fraction as F

from shelterassess.funding import domain as d

CATEGORIES = ("capacity_building", "facilities_improvement", "other")
CASES = 1000


def random_case(rng: random.Random):
    unit = rng.choice([1, 1000, 500_000, 1_000_000, rng.randint(1, 3_000_000)])
    claims = []
    for n in range(rng.randint(0, 8)):
        weight = rng.choice([F(0), F(rng.randint(1, 5)), F(rng.randint(0, 1000), rng.randint(1, 7))])
        requests = {c: rng.choice([0, rng.randint(0, 30) * unit, rng.randint(0, 40_000_000)]) for c in CATEGORIES}
        claims.append(d.Claim(f"F{n:02d}", weight, requests))
    budget = rng.choice([0, unit, rng.randint(unit, 80_000_000), rng.randint(unit, 400_000_000)])
    envelopes = {c: None for c in CATEGORIES}
    left = budget
    for c in CATEGORIES:
        if rng.random() < 0.35:
            envelopes[c] = rng.choice([0, unit // 2, rng.randint(0, left)])
            envelopes[c] = min(envelopes[c], left)
            left -= envelopes[c]
    return claims, d.Rules(budget, unit, envelopes)


def group_total(allocation, key, categories):
    return sum(allocation.amount(key, c) for c in categories)


def check(claims, rules, result):
    unit = rules.unit
    assert result.total <= rules.budget
    for claim in claims:
        for c in CATEGORIES:
            amount = result.amount(claim.key, c)
            assert 0 <= amount <= claim.requests[c] and amount % unit == 0
            if claim.weight == 0:
                assert amount == 0
    for c, spent in result.by_category().items():
        assert rules.envelope(c) is None or spent <= rules.envelope(c)
    for group in result.groups:
        caps = {cl.key: sum(cl.requests[c] // unit for c in group.categories) for cl in claims}
        claimable = sum(caps[cl.key] for cl in claims if cl.weight > 0)
        # the whole group budget, to the unit, whenever the requests of the facilities with a need allow
        assert group.spent == unit * min(group.available // unit, claimable)
        totals = {cl.key: group_total(result, cl.key, group.categories) for cl in claims}
        uncapped = [cl for cl in claims if cl.weight > 0 and totals[cl.key] < caps[cl.key] * unit]
        if uncapped:
            assert group.per_weight is not None
        for i in uncapped:
            exact = group.per_weight * i.weight  # its exact share: the amount is that rounded down, or one unit more
            assert exact - unit < totals[i.key] <= exact + unit
            for j in uncapped:
                assert totals[i.key] < i.weight / j.weight * (totals[j.key] + unit) + unit


def test_random_allocations_keep_every_promise():
    rng = random.Random(20261202)
    for n in range(CASES):
        claims, rules = random_case(rng)
        result = d.allocate(claims, rules)
        check(claims, rules, result)
        if n % 3:
            continue  # order and scale on a third of the cases: the loop stays well under two seconds
        shuffled = list(claims)
        rng.shuffle(shuffled)
        assert d.allocate(shuffled, rules).amounts == result.amounts
        scaled = [d.Claim(c.key, c.weight * F(7, 3), c.requests) for c in claims]
        assert d.allocate(scaled, rules).amounts == result.amounts


def test_without_envelopes_the_budget_is_spent_to_the_unit_when_requests_cover_it():
    rng = random.Random(7)
    for _ in range(200):
        claims, rules = random_case(rng)
        rules = d.Rules(rules.budget, rules.unit, {c: None for c in CATEGORIES})
        claimable = sum(sum(r // rules.unit for r in cl.requests.values()) for cl in claims if cl.weight > 0)
        result = d.allocate(claims, rules)
        if claimable * rules.unit >= rules.budget:
            assert rules.budget - result.total < rules.unit
        else:
            assert result.total == claimable * rules.unit
