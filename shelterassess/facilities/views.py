from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("facilities", __name__, url_prefix="/facilities")


@bp.route("/")
@login_required
def index():
    return render_template("facilities/index.html")
