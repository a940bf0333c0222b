# semgrep --test data for rule unbounded-int-from-request (not imported, not run).
from flask import request

from shelterassess.web.params import bounded_int, int_or_none


def unbounded():
    # ruleid: unbounded-int-from-request
    round_id = request.args.get("round", type=int)
    # ruleid: unbounded-int-from-request
    page = int(request.args.get("page", "1"))
    # ruleid: unbounded-int-from-request
    version = int(request.form["version"])
    # ruleid: unbounded-int-from-request
    ids = [int(v) for v in request.form.getlist("ids")]
    return round_id, page, version, ids


def bounded():
    # ok: unbounded-int-from-request
    round_id = request.args.get("round", type=bounded_int)
    # ok: unbounded-int-from-request
    version = int_or_none(request.form.get("version"))
    return round_id, version


# -- int(x) guarded only by str.isdigit: true for "²", which int() refuses (a 500) --------------

def guarded_by_isdigit(form, raw: str, version, value, typed: str):
    # ruleid: unbounded-int-from-request
    score = int(raw) if raw.isdigit() else -1
    # ruleid: unbounded-int-from-request
    number = int(version) if version and version.isdigit() else None
    # ruleid: unbounded-int-from-request
    ident = int(value) if value not in (None, "") and str(value).isdigit() else None
    # ruleid: unbounded-int-from-request
    other = int(typed) if str.isdigit(typed) else None
    # ruleid: unbounded-int-from-request
    weight = 0 if not typed.isdigit() else int(typed)
    # ruleid: unbounded-int-from-request
    in_range = raw.isdigit() and int(raw) in (0, 1, 2, 3)
    # ruleid: unbounded-int-from-request
    too_big = not typed.isdigit() or int(typed) > 100
    # ruleid: unbounded-int-from-request
    field = int(form.version.data) if form.version.data.isdigit() else None
    # ruleid: unbounded-int-from-request
    position = {1: 0}.get(int(raw)) if raw.isdigit() else None
    # ruleid: unbounded-int-from-request
    keys = [int(key) for key in form.keys() if key.isdigit()]
    return score, number, ident, other, weight, in_range, too_big, field, position, keys


def guarded_by_an_if(raw: str):
    if raw.isdigit():
        # ruleid: unbounded-int-from-request
        return int(raw)
    return None


def refused_first(ident: str):
    if not ident.isdigit():
        return None
    # ruleid: unbounded-int-from-request
    return int(ident)


def guarded_well(raw: str, typed: str):
    # ok: unbounded-int-from-request
    score = int(raw) if raw.isascii() and raw.isdigit() else -1
    # ok: unbounded-int-from-request
    in_range = raw.isascii() and raw.isdigit() and int(raw) in (0, 1, 2, 3)
    # ok: unbounded-int-from-request
    number = int_or_none(typed)
    # ok: unbounded-int-from-request
    count = sum(c.isdigit() for c in typed)
    # ok: unbounded-int-from-request
    kept = int(typed) if typed.isascii() and typed.isdigit() and len(typed) < 10 else None
    # ok: unbounded-int-from-request
    keys = [int(key) for key in typed.split() if key.isascii() and key.isdigit()]
    return score, in_range, number, count, kept, keys


def guarded_well_by_an_if(value: str):
    if not (value.isascii() and value.isdigit()):
        return None
    # ok: unbounded-int-from-request
    return int(value)
