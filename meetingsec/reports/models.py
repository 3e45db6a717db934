"""What the agency writes in its periodic report (the narrative parts of Nghị định
26/2020/NĐ-CP, Điều 8), kept as a draft per period until the report is generated."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from meetingsec.core.db import Base, UTCDateTime, utcnow


class ReportNarrative(Base):
    """One period's narrative: one text per part (``reports.narrative.PARTS``), editable
    until the report is generated; then kept as printed."""

    __tablename__ = "report_narratives"
    __table_args__ = (UniqueConstraint("year", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    #: q1 … q4 or year (``reports.figures.PERIODS``)
    period: Mapped[str] = mapped_column(String(8))
    situation: Mapped[str] = mapped_column(Text, default="")
    strengths: Mapped[str] = mapped_column(Text, default="")
    limits: Mapped[str] = mapped_column(Text, default="")
    causes: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    losses: Mapped[str] = mapped_column(Text, default="")
    forecast: Mapped[str] = mapped_column(Text, default="")
    proposals: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    generated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
