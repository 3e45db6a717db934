"""Reading accounts."""

from sqlalchemy import select

from meetingsec.extensions import db
from meetingsec.users.models import User


def list_users(*, page: int, per_page: int):
    return db.paginate(
        select(User).order_by(User.active.desc(), User.full_name),
        page=page,
        per_page=per_page,
        error_out=False,
    )
