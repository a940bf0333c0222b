from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("users", __name__, url_prefix="/admin/users")


@bp.route("/")
@login_required
def index():
    return render_template("users/index.html")
