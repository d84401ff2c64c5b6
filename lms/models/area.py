from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db


class Area(db.Model):
    """An administrative unit: province, commune, or a grouping between them.

    ``path`` is the chain of ids from the root ("/1/7/42/"), so a subtree is one
    indexed prefix query: ``Area.path.startswith(area.path)``.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    path: Mapped[str] = mapped_column(String(255), default="", index=True)

    parent: Mapped["Area | None"] = relationship(remote_side=[id])

    def __repr__(self):
        return f"<Area {self.code}>"
