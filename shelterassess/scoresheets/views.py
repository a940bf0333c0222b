from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("scoresheets", __name__, url_prefix="/scoresheets")


@bp.route("/")
@login_required
def index():
    return render_template("scoresheets/index.html")
