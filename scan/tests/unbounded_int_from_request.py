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
