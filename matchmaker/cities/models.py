"""The registry of kabupaten/kota and their profiles: indicators, practices, needs, history."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.dbtypes import UTCDateTime
from matchmaker.extensions import Model
from matchmaker.timeutils import utcnow


class City(Model):
    __tablename__ = "cities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    name_short: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10), index=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    province_name: Mapped[str] = mapped_column(String(80))
    timezone: Mapped[str] = mapped_column(String(40))
    utc_offset: Mapped[int] = mapped_column()
    latitude: Mapped[float | None] = mapped_column()
    longitude: Mapped[float | None] = mapped_column()
    area_km2: Mapped[float | None] = mapped_column()
    population: Mapped[int | None] = mapped_column()
    is_autonomous: Mapped[bool] = mapped_column(default=True)

    indicators: Mapped[list["Indicator"]] = relationship(
        "Indicator", back_populates="city", order_by="Indicator.year.desc()",
        cascade="all, delete-orphan")
    practices: Mapped[list["Practice"]] = relationship(
        "Practice", back_populates="city", order_by="Practice.topic",
        cascade="all, delete-orphan")
    needs: Mapped[list["Need"]] = relationship(
        "Need", back_populates="city", order_by="Need.topic", cascade="all, delete-orphan")

    @property
    def latest_indicator(self) -> "Indicator | None":
        return self.indicators[0] if self.indicators else None

    @property
    def density(self) -> float | None:
        if self.population and self.area_km2:
            return self.population / self.area_km2
        return None


class ProvinceFigure(Model):
    """A province's (or, with code '00', the nation's) BPS access figure for one year."""

    __tablename__ = "province_figures"
    __table_args__ = (UniqueConstraint("indicator", "year", "province_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column()
    province_code: Mapped[str] = mapped_column(String(2))
    value_pct: Mapped[float] = mapped_column()
    source: Mapped[str] = mapped_column(String(60), default="")


class Indicator(Model):
    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("city_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column()
    sanitation_access_pct: Mapped[float | None] = mapped_column()
    drinking_water_access_pct: Mapped[float | None] = mapped_column()
    slum_area_ha: Mapped[float | None] = mapped_column()
    fiscal_capacity: Mapped[str | None] = mapped_column(String(12))
    kotaku_scores: Mapped[dict | None] = mapped_column(JSON)
    poverty_pct: Mapped[float | None] = mapped_column()
    hdi: Mapped[float | None] = mapped_column()
    # Per indicator key: where the figure comes from ("BPS, Susenas 2024") and who set it
    # ("reference" = the shipped data loaded by load-regions, "import", "user").
    sources: Mapped[dict | None] = mapped_column(JSON)
    origins: Mapped[dict | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    city: Mapped["City"] = relationship("City", back_populates="indicators")


class Practice(Model):
    __tablename__ = "practices"
    __table_args__ = (UniqueConstraint("city_id", "topic", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(30), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    maturity: Mapped[str] = mapped_column(String(20))
    started_year: Mapped[int | None] = mapped_column()
    outcomes: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    city: Mapped["City"] = relationship("City", back_populates="practices")


class Need(Model):
    __tablename__ = "needs"
    __table_args__ = (UniqueConstraint("city_id", "topic", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(30), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[str] = mapped_column(String(10), default="medium")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The facilitator who recorded this need on the city's behalf (from "who needs this
    # practice?"); None when the city's Pokja, an import or a facilitator's form recorded it.
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    city: Mapped["City"] = relationship("City", back_populates="needs")
    proposed_by = relationship("User")


class ProfileChange(Model):
    """Who changed what in a city's profile, and when."""

    __tablename__ = "profile_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(20), default="web")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(10))
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int | None] = mapped_column()
    summary: Mapped[str] = mapped_column(String(300))
    changes: Mapped[dict | None] = mapped_column(JSON)

    user = relationship("User")
