from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from lms.collation import KEY_LENGTH, place_key
from lms.extensions import db

# Sort keys compare as bytes: PostgreSQL's "C" collation, SQLite's default.
SORT_KEY = String(KEY_LENGTH).with_variant(
    String(KEY_LENGTH, collation="C"), "postgresql"
)


class Area(db.Model):
    """An administrative unit: province, commune, or a grouping between them.

    ``path`` is the chain of ids from the root ("/1/7/42/"), so a subtree is one
    indexed prefix query: ``Area.path.startswith(area.path)``.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_sort: Mapped[str] = mapped_column(SORT_KEY, server_default="", index=True)
    kind: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    path: Mapped[str] = mapped_column(String(255), default="", index=True)
    # A province's own issuer on certificates and badges; empty: the site's.
    issuer_name: Mapped[str | None] = mapped_column(String(200))
    issuer_email: Mapped[str | None] = mapped_column(String(254))
    issuer_phone: Mapped[str | None] = mapped_column(String(32))
    issuer_url: Mapped[str | None] = mapped_column(String(255))

    parent: Mapped["Area | None"] = relationship(remote_side=[id])

    @validates("name")
    def _keep_sort_key(self, key, name):
        self.name_sort = place_key(name or "")
        return name

    @property
    def province_id(self):
        """The id of the province (the top of the tree) this area lies in."""
        return int(self.path.strip("/").split("/")[0]) if self.path else self.id

    def __repr__(self):
        return f"<Area {self.code}>"
