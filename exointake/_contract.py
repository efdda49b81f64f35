"""What a covered plan's contract says: purpose, related goods, payment, cancellation terms.

Parts of a :class:`~exointake.ConsentRequest` that the 特定商取引法 documents
need (概要書面 before the contract, 契約書面 at the contract; domain contract
§5.7). They are plain values; the policy (which items are required for which
document, the 49条 caps, coverage) lives with the consent request, and the
wording in the contract template (``exointake/data/contract``).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any

from attrs import field, frozen

from ._convert import (
    bounded_int,
    bounded_text,
    checks,
    converter,
    plain_form,
    texts_check,
    with_checks,
)
from ._errors import ValidationError
from ._limits import MAX_PRICE_JPY, MAX_QUANTITY
from ._money import Fee, FeeKind, Terms
from ._records import check_id

__all__ = [
    "CancellationTerms",
    "Contract",
    "Discount",
    "GoodsKind",
    "Payment",
    "PaymentMethod",
    "PaymentTiming",
    "Purpose",
    "RelatedGood",
    "Seller",
]


class Purpose(enum.StrEnum):
    """The declared purpose of a plan, in the words of the 特商法 rules for 美容医療.

    Five purposes are listed (with their methods) in the 施行規則; exosome
    products are given "by use of a drug" (薬剤の使用). ``hair_growth`` (thinning
    hair, AGA) and ``other`` are not listed.
    """

    SKIN_ACTIVATION = "skin_activation"
    BLEMISH_REMOVAL = "blemish_removal"
    WRINKLES_SAGGING = "wrinkles_sagging"
    FAT_REDUCTION = "fat_reduction"
    HAIR_REMOVAL = "hair_removal"
    TEETH_WHITENING = "teeth_whitening"
    HAIR_GROWTH = "hair_growth"
    OTHER = "other"


class PaymentTiming(enum.StrEnum):
    """When the patient pays."""

    AT_CONTRACT = "at_contract"
    BEFORE_FIRST_SESSION = "before_first_session"
    EACH_SESSION = "each_session"
    CREDIT_SCHEDULE = "credit_schedule"


class PaymentMethod(enum.StrEnum):
    """How the patient pays."""

    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"
    CARD_LUMP_SUM = "card_lump_sum"
    """Card, paid in one sum the next month: not an instalment credit."""
    CARD_INSTALMENTS = "card_instalments"
    """Card in instalments, revolving or otherwise beyond two months (包括信用購入あっせん)."""
    INDIVIDUAL_CREDIT = "individual_credit"
    """Shopping credit for this contract (個別信用購入あっせん)."""

    @property
    def credit_defence(self) -> bool:
        """True when the 割賦販売法's defence against the credit company applies."""
        return self in (PaymentMethod.CARD_INSTALMENTS, PaymentMethod.INDIVIDUAL_CREDIT)


class GoodsKind(enum.StrEnum):
    """The kinds of related goods (関連商品) listed for 美容医療."""

    HEALTH_FOOD = "health_food"
    COSMETICS = "cosmetics"
    WHITENING = "whitening"
    DRUG = "drug"

    @property
    def consumable(self) -> bool:
        """True for the consumables the 施行令 names under 特商法48条2項ただし書 (used at
        the customer's own choice, they are not refunded on cooling-off): health food,
        and cosmetics, soap and bath preparations. Beauty-purpose drugs are not treated
        as consumables (the conservative reading: the patient keeps the refund)."""
        return self in (GoodsKind.HEALTH_FOOD, GoodsKind.COSMETICS)


_JPY = checks(bounded_int(0, MAX_PRICE_JPY))


@frozen(repr=False, field_transformer=with_checks)
class Seller:
    """A seller of related goods other than the clinic (the 契約書面 names it in full)."""

    name: str = field(metadata=bounded_text("label"))
    address: str = field(metadata=bounded_text("address"))
    phone: str = field(metadata=bounded_text("label"))
    representative: str = field(metadata=bounded_text("name"))

    def __repr__(self) -> str:
        return "Seller(...)"


@frozen(field_transformer=with_checks)
class RelatedGood:
    """Goods the patient must buy to receive the service (関連商品), tax-inclusive."""

    name: str = field(metadata=bounded_text("label"))
    kind: GoodsKind
    quantity: int = field(metadata=checks(bounded_int(1, MAX_QUANTITY)))
    unit_price_jpy: int = field(metadata=_JPY)
    seller: Seller | None = None
    """``None``: sold by the clinic itself."""

    @property
    def amount_jpy(self) -> int:
        """Quantity x unit price."""
        return self.quantity * self.unit_price_jpy


@frozen(field_transformer=with_checks)
class Discount:
    """A course discount: the difference between the parts and the total, explained."""

    amount_jpy: int = field(metadata=checks(bounded_int(1, MAX_PRICE_JPY)))
    reason: str = field(metadata=bounded_text("text"))


def _fee_ok(_: object, attribute: Any, value: Fee) -> None:
    errors = []
    if value.jpy < 0 or value.percent < 0:
        errors.append(f"{attribute.name}: expected amounts >= 0")
    if value.jpy > MAX_PRICE_JPY:
        errors.append(f"{attribute.name}.jpy: expected at most {MAX_PRICE_JPY:,}")
    if value.percent > 100:
        errors.append(f"{attribute.name}.percent: expected at most 100")
    if value.kind is FeeKind.FIXED and value.percent:
        errors.append(f"{attribute.name}.percent: a fixed fee takes jpy only")
    if value.kind in (FeeKind.PERCENT_OF_SESSION, FeeKind.PERCENT_OF_REMAINING) and value.jpy:
        errors.append(f"{attribute.name}.jpy: a percentage fee takes percent only")
    if value.kind in (FeeKind.NONE, FeeKind.LEGAL_MAXIMUM) and (value.jpy or value.percent):
        errors.append(f"{attribute.name}: {value.kind.value} takes neither jpy nor percent")
    if errors:
        raise ValidationError(errors)


def _structure_fee(value: object) -> Fee:
    """A fee from data: its ``kind`` is always stated (a fee given without one is not
    read as "none", the schema's rule too)."""
    if isinstance(value, Mapping) and "kind" not in value:
        raise ValidationError(["kind: required field missing"])
    fee: Fee = converter.structure(value, Fee)
    return fee


_FEE = plain_form(structure=_structure_fee)


_SAME_DAY_KINDS = (FeeKind.NONE, FeeKind.FIXED, FeeKind.PERCENT_OF_SESSION)


def _same_day_ok(instance: object, attribute: Any, value: Fee) -> None:
    _fee_ok(instance, attribute, value)
    if value.kind not in _SAME_DAY_KINDS:
        raise ValidationError(
            [
                f"{attribute.name}.kind: expected "
                f"{', '.join(k.value for k in _SAME_DAY_KINDS)}, got {value.kind.value} "
                "(cancelling a session on its day is limited to the clinic's average loss, "
                "消費者契約法9条1項1号: state a yen figure or a percentage of one session)"
            ]
        )


@frozen
class CancellationTerms:
    """The clinic's cancellation fees, structured (checked against the 49条 caps).

    ``same_day`` (cancelling a booked session on its day while the contract
    continues) is a yen figure or a percentage of one session: it is limited to the
    clinic's average loss (消費者契約法9条1項1号), not to a 49条 cap.
    """

    before_first_session: Fee = field(default=Fee(), validator=_fee_ok, metadata=_FEE)
    after_first_session: Fee = field(default=Fee(), validator=_fee_ok, metadata=_FEE)
    same_day: Fee = field(default=Fee(), validator=_same_day_ok, metadata=_FEE)

    @property
    def terms(self) -> Terms:
        """The terms as the caps arithmetic takes them."""
        return Terms(self.before_first_session, self.after_first_session, self.same_day)


@frozen
class Payment:
    """When and how the patient pays (概要書面 and 契約書面 items)."""

    timing: PaymentTiming
    method: PaymentMethod
    due_date: dt.date | None = None


@frozen(repr=False, field_transformer=with_checks)
class Contract:
    """The contract a covered plan is sold under.

    ``date`` and ``person_in_charge`` are items of the 契約書面 only: a summary
    document can be made before they are known.
    """

    contract_id: str = field(metadata=checks(check_id))
    """An opaque id the clinic chooses; printed as the 契約書番号 (and on the 概要書面)."""
    template_version: str = field(metadata=bounded_text("id"))
    payment: Payment
    advance_payment_protection: str | None = field(
        default=None, metadata=bounded_text("text", optional=True)
    )
    """How advance payments are protected (前受金の保全措置), or ``None`` for not at all."""
    special_terms: tuple[str, ...] = field(default=(), metadata=checks(texts_check("text")))
    """特約, if any."""
    date: dt.date | None = None
    person_in_charge: str | None = field(default=None, metadata=bounded_text("name", optional=True))

    def __repr__(self) -> str:
        return f"Contract(contract_id={self.contract_id!r})"
