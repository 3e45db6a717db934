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


def by_ids(ids) -> dict[int, User]:
    """The accounts with these ids, in one query (the actors of a page of audit events)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def by_full_name() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.full_name)))


def load_signed_in(user) -> None:
    """The signed-in user's row and roles, loaded before a page renders (the menu reads
    them): a refused save rolls back, which expires them, and templates never query."""
    if user is not None and user.is_authenticated:
        user.role_set  # noqa: B018
