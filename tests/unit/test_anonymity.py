"""Which provinces anonymised output may name (shelterassess.comparisons.anonymity, no app)."""
from __future__ import annotations

from shelterassess.comparisons.anonymity import MIN_FACILITIES_PER_PROVINCE, named_provinces


def test_the_threshold_is_three_facilities_with_a_result():
    assert MIN_FACILITIES_PER_PROVINCE == 3


def test_a_province_is_named_only_from_three_facilities_with_a_result():
    # facility -> province: province 10 has 4 facilities (3 with a result), 20 has 3 (2 with a result), 30 has 1
    province_of = {1: 10, 2: 10, 3: 10, 4: 10, 5: 20, 6: 20, 7: 20, 8: 30}
    with_result = [1, 2, 3, 5, 6, 8]
    # 10 named; "other" = 20 (2) + 30 (1) = 3 facilities with a result: big enough
    assert named_provinces(province_of, with_result) == frozenset({10})
    # facilities without a result never count, however many there are
    assert named_provinces(province_of, [1, 2, 5]) == frozenset()
    # minimum 2: 10 (3) and 20 (2) named; other = 30 alone (1 < 2) -> the smaller named one, 20, joins it
    assert named_provinces(province_of, with_result, minimum=2) == frozenset({10})


def test_the_other_group_is_never_a_single_small_province():
    # 10 has 3 with a result, 20 has 1: naming 10 would leave 20's one facility alone in "other"
    province_of = {1: 10, 2: 10, 3: 10, 4: 20}
    assert named_provinces(province_of, [1, 2, 3, 4]) == frozenset()
    # without any small province there is no "other" group, and nothing to protect
    assert named_provinces(province_of, [1, 2, 3]) == frozenset({10})
    # two big provinces and one facility elsewhere: the smaller big one (20, 3 < 4) joins it -> other 4
    province_of = {1: 10, 2: 10, 3: 10, 4: 10, 5: 20, 6: 20, 7: 20, 8: 30}
    assert named_provinces(province_of, range(1, 9)) == frozenset({10})


def test_duplicates_and_unknown_facilities_do_not_count():
    province_of = {1: 10, 2: 10}
    assert named_provinces(province_of, [1, 1, 2, 2, 99]) == frozenset()

