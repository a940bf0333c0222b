# semgrep --test data for rule commit-outside-error-handling (not imported, not run).
from shelterassess.errors import StaleData, ValidationFailed
from shelterassess.extensions import db


def bare_commit_after_service(form):
    services.save(db.session, form.data)
    # ruleid: commit-outside-error-handling
    db.session.commit()
    return redirect(url_for(".index"))


def commit_in_try_body(form):
    try:
        services.save(db.session, form.data)
        # ruleid: commit-outside-error-handling
        db.session.commit()
    except ValidationFailed:
        db.session.rollback()


def commit_after_except_that_falls_through(session, data):
    try:
        services.save(session, data)
    except ValidationFailed:
        flash("refused")
    # ruleid: commit-outside-error-handling
    session.commit()


def commit_in_else(form):
    try:
        services.save(db.session, form.data)
    except ValidationFailed as failure:
        db.session.rollback()
        form.populate_errors(failure)
    else:
        # ok: commit-outside-error-handling
        db.session.commit()


def commit_in_else_two_excepts(form):
    try:
        services.save(db.session, form.data)
    except ValidationFailed as failure:
        db.session.rollback()
        form.populate_errors(failure)
    except StaleData:
        db.session.rollback()
    else:
        # ok: commit-outside-error-handling
        db.session.commit()


def commit_after_except_that_returns(assessment, form):
    try:
        services.save_area(db.session, assessment, form.data)
    except ValidationFailed as failure:
        db.session.rollback()
        form.populate_errors(failure)
        return []
    except StaleData as stale:
        db.session.rollback()
        return stale.what
    # ok: commit-outside-error-handling
    db.session.commit()
    return None


def commit_after_single_except_that_returns(action):
    try:
        action()
    except ValidationFailed:
        db.session.rollback()
        return False
    # ok: commit-outside-error-handling
    db.session.commit()
    return True


def approved_helper(form):
    # ok: commit-outside-error-handling
    if done := form.submit_to(lambda: services.save(db.session, form.data)):
        return redirect(url_for(".thing", thing_id=done.result.id))
    return None
