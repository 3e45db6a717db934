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


def load_signed_in(user) -> None:
    """The signed-in user's row and roles, loaded before a page renders (the menu reads
    them): a refused save rolls back, which expires them, and templates never query."""
    if user is not None and user.is_authenticated:
        user.role_set  # noqa: B018
