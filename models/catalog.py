"""Vendors (UMKM/IKM businesses) and their products."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow


class Vendor(Base):
    """A business that sells to the city (pelaku usaha)."""

    __tablename__ = "vendors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_ref: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    business_name: Mapped[str] = mapped_column(String(200))
    owner_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    kecamatan: Mapped[str | None] = mapped_column(String(64))
    kelurahan: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(300))
    nib: Mapped[str | None] = mapped_column(String(13))
    ekatalog: Mapped[bool] = mapped_column(default=False)
    ekatalog_url: Mapped[str | None] = mapped_column(String(500))
    tkdn_certified: Mapped[bool] = mapped_column(default=False)
    tkdn_number: Mapped[str | None] = mapped_column(String(100))
    halal: Mapped[bool] = mapped_column(default=False)
    halal_number: Mapped[str | None] = mapped_column(String(64))
    pirt_number: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)
    phone_visibility: Mapped[str] = mapped_column(String(16), default="opd")
    consent_version: Mapped[str | None] = mapped_column(String(16))
    consented_at: Mapped[datetime | None]
    verified: Mapped[bool] = mapped_column(default=False)
    verified_at: Mapped[datetime | None]
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    products: Mapped[list[Product]] = relationship(back_populates="vendor", cascade="all, delete-orphan")


class Product(Base):
    """Something a vendor sells."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("tkdn_percent IS NULL OR (tkdn_percent >= 0 AND tkdn_percent <= 100)", name="tkdn_range"),
        CheckConstraint("price IS NULL OR price >= 0", name="price_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_ref: Mapped[str] = mapped_column(String(64), unique=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32), default="lainnya")
    description: Mapped[str | None] = mapped_column(Text)
    price: Mapped[Decimal | None] = mapped_column(Numeric(14, 0))
    price_negotiable: Mapped[bool] = mapped_column(default=False)
    unit: Mapped[str | None] = mapped_column(String(32))
    min_order: Mapped[int | None] = mapped_column(Integer)
    monthly_capacity: Mapped[int | None] = mapped_column(Integer)
    tkdn_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    photo_ref: Mapped[str | None] = mapped_column(String(300))
    photo_channel: Mapped[str | None] = mapped_column(String(16))
    visible: Mapped[bool] = mapped_column(default=True)
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    vendor: Mapped[Vendor] = relationship(back_populates="products")


class VendorClaim(Base):
    """The Dinas's check of one thing a vendor claims (NIB, TKDN certificate, a product's TKDN %, halal,
    e-Katalog link). A check holds for the `value` it was made on: when the vendor changes the claim, it is
    unchecked again (bot/services/claims.py compares the two)."""

    __tablename__ = "vendor_claims"
    __table_args__ = (UniqueConstraint("vendor_id", "claim"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    # "nib", "tkdn", "halal", "ekatalog", or "tkdn_percent:<product_ref>"
    claim: Mapped[str] = mapped_column(String(80))
    value: Mapped[str] = mapped_column(String(500))
    number: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # a product's TKDN %, compared as a number
    status: Mapped[str] = mapped_column(String(16))  # "approved" or "rejected"
    reason: Mapped[str | None] = mapped_column(String(300))
    checked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
