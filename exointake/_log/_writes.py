"""Writing to the log: appends of every kind, amendments, the consent gate and alerts."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs
from attrs import frozen

from .._convert import Expected, canonical_json, with_article
from .._errors import AdministrationRefused, ScreeningRefused, ValidationError
from .._reactions import ReactionRecord
from .._records import (
    Administration,
    ConsentRecord,
    ConsentWithdrawal,
    FollowUp,
    GateOverride,
    PhysicianReview,
    ScreeningRecord,
    check_id,
)
from ._entries import (
    Amendment,
    EntryKind,
    administration_columns,
    administration_payload,
    count_key,
    derive_columns,
    entry_from_row,
    event_bucket,
    follow_up_payload,
    new_entry_id,
    new_entry_ids,
    payload_bucket,
    payload_text,
    reaction_payload,
    record_payload,
    require,
)
from ._gate import GatePolicy, gate_failures, read_chain, review_problems
from ._store import Reader, RowData, Store, Writer, utc_now_text

if TYPE_CHECKING:
    from .._render import RenderedConsent

__all__ = ["Alert", "AlertCallback", "Writes"]

logger = logging.getLogger("exointake.log")


@frozen
class Alert:
    """Sent to alert callbacks after a reaction graded anaphylaxis or serious is committed
    (and, as its subclass :class:`~exointake.signals.SignalAlert`, when a lot's signal is
    crossed).

    Ids and grades only: no names, no free text.
    """

    entry_id: str
    reaction_id: str
    administration_id: str
    patient_id: str
    category: str | None
    """The article row; ``None`` for an event outside the table (an infection, a faint)."""
    serious: bool
    brighton_level: int | None
    event_kind: str = "table_reaction"
    """Which kind of event: a serious infection or needle-related event alerts like
    anaphylaxis does."""


AlertCallback: TypeAlias = Callable[[Alert], object]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Writes:
    """The writing half of :class:`~exointake.Log` (appends, amendments, gate, alerts)."""

    __slots__ = ()
    _store: Store
    _clock: Callable[[], dt.datetime] | None
    _alerts: list[AlertCallback]
    _policy: GatePolicy

    def _now(self) -> dt.datetime:
        now = (self._clock or _utc_now)()
        if now.tzinfo is None:
            raise ValidationError(["clock: expected an aware date-time"], what="clock")
        return now

    # -- the gate -----------------------------------------------------------------------

    def _gate(
        self,
        r: Reader,
        adm: Administration,
        override: GateOverride | None,
        *,
        where: str = "administration",
        policy: GatePolicy | None = None,
    ) -> GateOverride | None:
        """Check ``adm``'s chain in the appending transaction; the override to store, if any.

        Raises :class:`~exointake.AdministrationRefused` naming every failed check unless
        an override is given; the override is returned with the checks it bypassed.
        """
        failures = gate_failures(adm, read_chain(r, adm), policy or self._policy, self._now())
        if override is None:
            if failures:
                raise AdministrationRefused(failures, where=where)
            return None
        return attrs.evolve(override, bypassed=tuple(code for code, _ in failures))

    def _now_text(self) -> str:
        now = (self._clock or _utc_now)()
        if now.tzinfo is None:
            raise ValidationError(["clock: expected an aware date-time"], what="clock")
        return utc_now_text(now)

    # -- alerts -------------------------------------------------------------------------

    def on_alert(self, callback: AlertCallback) -> AlertCallback:
        """Call ``callback(alert)`` after each reaction graded anaphylaxis or serious is
        committed, and for each lot signal :func:`exointake.signals.check_signals` finds
        crossed (a :class:`~exointake.signals.SignalAlert`, once per crossing). Returns the
        callback, so it works as a decorator. A callback that raises is logged (ids only)
        and never undoes the entry."""
        self._alerts.append(callback)
        return callback

    def notify(self, alert: Alert) -> None:
        """Send ``alert`` to every callback registered with :meth:`on_alert` (each failure
        logged, never raised). What :func:`exointake.signals.check_signals` sends a
        crossed lot signal through."""
        if not isinstance(alert, Alert):
            raise ValidationError(
                [f"alert: expected Alert, got {type(alert).__name__}"], what="argument"
            )
        self._fire([alert])

    def _fire(self, alerts: Sequence[Alert]) -> None:
        for alert in alerts:
            for callback in self._alerts:
                try:
                    callback(alert)
                except Exception as exc:  # a failing callback never loses the entry
                    logger.error(
                        "alert callback %s failed (%s) for reaction %s entry %s",
                        getattr(callback, "__qualname__", type(callback).__name__),
                        type(exc).__name__,
                        alert.reaction_id,
                        alert.entry_id,
                    )

    # -- appending ----------------------------------------------------------------------

    def _append(
        self,
        w: Writer,
        kind: EntryKind,
        payload: Mapping[str, Any],
        *,
        root_id: str | None = None,
    ) -> dict[str, Any]:
        """Append a payload built by one of ``_entries``' builders (not administrations)."""
        entry_id = new_entry_id()
        cols = derive_columns(kind, entry_id, root_id or entry_id, payload)
        return w.append(
            entry_id=entry_id,
            kind=kind.value,
            recorded_at=self._now_text(),
            payload=payload_text(payload),
            columns=cols,
        )

    def _append_administration(
        self,
        w: Writer,
        adm: Administration,
        *,
        entry_id: str,
        recorded_at: str,
        amendment: Amendment | None = None,
        root_id: str | None = None,
        override: GateOverride | None = None,
    ) -> dict[str, Any]:
        cols = administration_columns(adm, entry_id)
        if amendment is not None:
            cols["root_id"] = root_id
            cols["amends"] = amendment.amends
        row = w.append(
            entry_id=entry_id,
            kind=EntryKind.ADMINISTRATION.value,
            recorded_at=recorded_at,
            payload=administration_payload(adm, amendment, override),
            columns=cols,
        )
        w.count(count_key(cols), 1)
        return row

    def administer(
        self,
        administration: Administration,
        *,
        override: GateOverride | None = None,
        current_consent_templates: Mapping[str, str] | None = None,
    ) -> str:
        """Append an administration once its safety chain holds; returns its entry id.

        The gate reads this log in the transaction that appends (so nothing recorded by
        another writer can slip in between): the consent is recorded, the same patient's,
        not withdrawn, on a template in force and covering the route; the screening is
        recorded, the same patient's, for that route, recent enough, and not blocking
        without a recorded review or override; the cold chain held; the time is not in the
        future. See :mod:`exointake._log._gate` for every check.

        Args:
            administration: what was given, to whom, relying on which screening and consent.
            override: who lets it past the gate and why; stored with the entry, with the
                checks it bypassed. The only way past.
            current_consent_templates: ``{template_id: template_sha256}`` in force for this
                call (default: those the log was opened with).

        Raises:
            AdministrationRefused: a check failed and no override was given.
        """
        require(administration, Administration, "administration")
        if override is not None:
            require(override, GateOverride, "override")
        policy = (
            None
            if current_consent_templates is None
            else attrs.evolve(self._policy, current_consent_templates=current_consent_templates)
        )
        entry_id = new_entry_id()
        with self._store.write() as w:
            stored = self._gate(w, administration, override, policy=policy)
            self._append_administration(
                w,
                administration,
                entry_id=entry_id,
                recorded_at=self._now_text(),
                override=stored,
            )
        return entry_id

    def administer_many(
        self, administrations: Iterable[Administration], *, override: GateOverride | None = None
    ) -> list[str]:
        """Append many administrations in one transaction (all or none); returns their ids.

        Each goes through the gate (see :meth:`administer`); one refusal refuses the batch,
        naming its index. ``override`` applies to each and is stored with each.
        """
        items = list(administrations)
        for i, adm in enumerate(items):
            require(adm, Administration, f"administrations[{i}]")
        if override is not None:
            require(override, GateOverride, "override")
        ids = new_entry_ids(len(items))
        with self._store.write() as w:
            now = self._now_text()
            for i, (entry_id, adm) in enumerate(zip(ids, items, strict=True)):
                stored = self._gate(w, adm, override, where=f"administrations[{i}]")
                self._append_administration(
                    w, adm, entry_id=entry_id, recorded_at=now, override=stored
                )
        return ids

    def record_reaction(self, reaction: ReactionRecord) -> str:
        """Grade and append a reaction; returns its entry id.

        The grade (computed for the administration's route) is stored with the entry.
        Alert callbacks run after the commit when it is anaphylaxis or serious.
        """
        require(reaction, ReactionRecord, "reaction")
        with self._store.write() as w:
            adm = _current_of_kind(
                w,
                reaction.administration_id,
                EntryKind.ADMINISTRATION,
                "reaction.administration_id",
            )
            payload = reaction_payload(reaction, adm)
            row = self._append(w, EntryKind.REACTION, payload)
            w.count_reaction((*count_key(adm), event_bucket(payload["grade"])), 1)
        self._fire(_alerts_for(row, payload))
        return str(row["entry_id"])

    def follow_up(self, follow_up: FollowUp) -> str:
        """Append a follow-up of a logged reaction; returns its entry id."""
        require(follow_up, FollowUp, "follow_up")
        with self._store.write() as w:
            reaction = _current_of_kind(
                w, follow_up.reaction_id, EntryKind.REACTION, "follow_up.reaction_id"
            )
            row = self._append(w, EntryKind.FOLLOW_UP, follow_up_payload(follow_up, reaction))
        return str(row["entry_id"])

    def record_consent(
        self,
        consent: ConsentRecord | RenderedConsent,
        *,
        rendered_by: str | None = None,
        rendered_at: dt.datetime | None = None,
        signed_pdf: bytes | None = None,
    ) -> str:
        """Record which consent document a patient saw; returns the consent id.

        Args:
            consent: the consent as rendered (:func:`~exointake.render_consent`), or its
                :class:`~exointake.ConsentRecord`.
            rendered_by: with a rendered consent: the opaque id of who rendered and
                handed it over.
            rendered_at: with a rendered consent: when (default: now).
            signed_pdf: with a rendered consent: its PAdES-signed copy; the signed file's
                SHA-256 is recorded next to the unsigned one.

        Recording the same record twice is harmless (the first entry is kept); a different
        record under an existing consent id is refused.
        """
        if not isinstance(consent, ConsentRecord):
            consent = _rendered_record(consent, rendered_by, rendered_at or _utc_now(), signed_pdf)
        elif rendered_by is not None or rendered_at is not None or signed_pdf is not None:
            raise ValidationError(
                ["rendered_by: only with a rendered consent (a ConsentRecord says it)"],
                what="argument",
            )
        require(consent, ConsentRecord, "consent")
        payload = record_payload(consent)
        with self._store.write() as w:
            existing = w.first_by_ref(EntryKind.CONSENT, consent.consent_id)
            if existing is not None:
                if json.loads(existing["payload"]) == json.loads(canonical_json(payload)):
                    return consent.consent_id
                raise ValidationError(
                    [
                        f"consent.consent_id: {consent.consent_id} is already recorded with "
                        "different content"
                    ],
                    what="consent record",
                )
            problems = _review_problems_of(w, consent)
            if problems:
                raise ValidationError(problems, what="consent record")
            self._append(w, EntryKind.CONSENT, payload)
        return consent.consent_id

    def record_screening(self, screening: ScreeningRecord) -> str:
        """Record a screening result for a patient; returns the result id.

        Build the record with ``ScreeningRecord.from_result(result, patient_id=...)``.
        Recording the same result for the same patient again is harmless.
        """
        require(screening, ScreeningRecord, "screening")
        with self._store.write() as w:
            if not w.has_ref_for_patient(
                EntryKind.SCREENING, screening.result_id, screening.patient_id
            ):
                self._append(w, EntryKind.SCREENING, record_payload(screening))
        return screening.result_id

    def amend(
        self,
        entry_id: str,
        record: Administration | ReactionRecord | FollowUp,
        *,
        reason: str,
        amended_by: str,
        override: GateOverride | None = None,
    ) -> str:
        """Correct an administration, reaction or follow-up by appending a new version.

        ``entry_id`` may be the original entry or any of its versions, but only the
        current version can be amended (so two staff cannot silently overwrite each
        other). Returns the new version's entry id. A corrected administration goes
        through the safety gate again (see :meth:`administer`); ``override`` is the only
        way past, as there. An amended reaction alerts again only when its seriousness
        or its category changed.
        """
        kinds: dict[type, EntryKind] = {
            Administration: EntryKind.ADMINISTRATION,
            ReactionRecord: EntryKind.REACTION,
            FollowUp: EntryKind.FOLLOW_UP,
        }
        kind = kinds.get(type(record))
        errors = []
        if kind is None:
            errors.append("record: expected an administration, reaction or follow-up")
        try:
            check_id(amended_by)
        except Expected as exc:
            errors.append(f"amended_by: {exc}")
        if not isinstance(reason, str) or not reason.strip():
            errors.append("reason: expected a non-empty text")
        if errors:
            raise ValidationError(errors, what="amendment")
        assert kind is not None
        amendment = Amendment(amends=entry_id, amended_by=amended_by, reason=reason)
        with self._store.write() as w:
            current = _amendable(w, entry_id, kind)
            root = str(current["root_id"])
            if isinstance(record, Administration):
                stored = self._gate(w, record, override, where="amendment")
                row = self._append_administration(
                    w,
                    record,
                    entry_id=new_entry_id(),
                    recorded_at=self._now_text(),
                    amendment=amendment,
                    root_id=root,
                    override=stored,
                )
                w.count(count_key(current), -1)
                # Its reactions now count under the corrected day, route, origin and lot.
                for payload_json in w.current_reaction_payloads(EntryKind.REACTION, root):
                    bucket = payload_bucket(payload_json)
                    w.count_reaction((*count_key(current), bucket), -1)
                    w.count_reaction((*count_key(row), bucket), 1)
                return str(row["entry_id"])
            if isinstance(record, ReactionRecord):
                adm = _current_of_kind(
                    w,
                    record.administration_id,
                    EntryKind.ADMINISTRATION,
                    "record.administration_id",
                )
                payload = reaction_payload(record, adm, amendment)
                row = self._append(w, kind, payload, root_id=root)
                before = w.current(current["administration_id"])
                assert before is not None
                w.count_reaction((*count_key(before), payload_bucket(current["payload"])), -1)
                w.count_reaction((*count_key(adm), event_bucket(payload["grade"])), 1)
            else:
                reaction = _current_of_kind(
                    w, record.reaction_id, EntryKind.REACTION, "record.reaction_id"
                )
                payload = follow_up_payload(record, reaction, amendment)
                row = self._append(w, kind, payload, root_id=root)
        # An amended reaction alerts again only when what the alert says changed: its
        # seriousness or its category (a correction of a typo must not page anyone twice).
        if kind is EntryKind.REACTION and (
            bool(row["serious"]) != bool(current["serious"])
            or row["category"] != current["category"]
        ):
            self._fire(_alerts_for(row, payload))
        return str(row["entry_id"])

    # -- reviews and withdrawals --------------------------------------------------------

    def record_review(self, review: PhysicianReview) -> str:
        """Record a physician's review of screenings; returns the review id.

        Refused (:class:`~exointake.ValidationError`) when a screening it names is not
        recorded for the same patient, when it names findings those screenings do not
        have, when it is dated before a screening's day, or when it overrides a screening
        that is not contraindicated, incomplete or postponed. Recording the same review
        twice is harmless; another review under the same id is refused.
        """
        require(review, PhysicianReview, "review")
        payload = record_payload(review)
        with self._store.write() as w:
            existing = w.first_by_ref(EntryKind.REVIEW, review.review_id)
            if existing is not None:
                if json.loads(existing["payload"]) == json.loads(canonical_json(payload)):
                    return review.review_id
                raise ValidationError(
                    [f"review.review_id: {review.review_id} is already recorded"],
                    what="review",
                )
            screenings: dict[str, ScreeningRecord | None] = {}
            for sid in review.screening_result_ids:
                row = w.ref_for_patient(EntryKind.SCREENING, sid, review.patient_id)
                if row is None:
                    row = w.first_by_ref(EntryKind.SCREENING, sid)
                screenings[sid] = None if row is None else entry_from_row(row).record
            problems = review_problems(review, screenings)
            if problems:
                raise ValidationError(problems, what="review")
            self._append(w, EntryKind.REVIEW, payload)
        return review.review_id

    def withdraw_consent(self, withdrawal: ConsentWithdrawal) -> str:
        """Record that a patient withdrew a consent; returns the entry id.

        From then on no administration may rely on that consent (the gate's
        ``consent_withdrawn``). The consent must be recorded, for the same patient.
        """
        require(withdrawal, ConsentWithdrawal, "withdrawal")
        with self._store.write() as w:
            consent = w.first_by_ref(EntryKind.CONSENT, withdrawal.consent_id)
            if consent is None or consent["patient_id"] != withdrawal.patient_id:
                raise ValidationError(
                    [
                        f"withdrawal.consent_id: no consent {withdrawal.consent_id} of patient "
                        f"{withdrawal.patient_id} in this log"
                    ],
                    what="consent withdrawal",
                )
            row = self._append(w, EntryKind.WITHDRAWAL, record_payload(withdrawal))
        return str(row["entry_id"])

    def regrade(self, entry_id: str, *, reason: str, amended_by: str) -> str:
        """Grade a logged reaction again under the current table and vocabulary.

        A stored grade never changes by itself: it stays pinned to the versions it was
        made with. Re-grading is an explicit amendment (the same record, a new grade),
        logged with its reason and who asked for it. Returns the new version's entry id.
        """
        with self._store.read() as r:
            current = _amendable(r, entry_id, EntryKind.REACTION)
        record = entry_from_row(current).record
        return self.amend(str(current["entry_id"]), record, reason=reason, amended_by=amended_by)

    # -- consent gate ---------------------------------------------------------------------

    def consent(self, consent_id: str) -> ConsentRecord | None:
        """The recorded consent with this id, or None."""
        with self._store.read() as r:
            row = r.first_by_ref(EntryKind.CONSENT, consent_id)
        if row is None:
            return None
        record: ConsentRecord = entry_from_row(row).record
        return record

    def check_consent(
        self, administration: Administration, current_templates: Mapping[str, str]
    ) -> ConsentRecord:
        """Raise :class:`~exointake.ScreeningRefused` unless the administration's consent
        is recorded, is the same patient's and was given on a current template."""
        consent = self.consent(administration.consent_id)
        cid = administration.consent_id
        if consent is None:
            raise ScreeningRefused(f"consent {cid} is not recorded in this log")
        if consent.patient_id != administration.patient_id:
            raise ScreeningRefused(
                f"consent {cid} belongs to patient {consent.patient_id}, "
                f"not {administration.patient_id}"
            )
        current = current_templates.get(consent.template_id)
        if current != consent.template_sha256:
            state = "is no longer in use" if current is None else "has changed since"
            raise ScreeningRefused(
                f"consent {cid} was given on template {consent.template_id} version "
                f"{consent.template_version} (sha256 {consent.template_sha256[:12]}…), which "
                f"{state}; the patient must consent again before the next administration"
            )
        return consent


def _rendered_record(
    rendered: object,
    rendered_by: str | None,
    rendered_at: dt.datetime,
    signed_pdf: bytes | None = None,
) -> ConsentRecord:
    # Imported here: rendering (reportlab) loads only for a caller holding a rendered
    # consent, and _consent_record imports the log.
    from .._consent_record import consent_record  # noqa: PLC0415 - import cycle
    from .._render import RenderedConsent  # noqa: PLC0415 - heavy, rarely needed

    require(rendered, RenderedConsent, "consent")
    assert isinstance(rendered, RenderedConsent)
    if rendered_by is None:
        raise ValidationError(
            ["rendered_by: expected the id of who rendered the consent"], what="argument"
        )
    return consent_record(
        rendered, rendered_by=rendered_by, rendered_at=rendered_at, signed_pdf=signed_pdf
    )


def _review_problems_of(r: Reader, consent: ConsentRecord) -> list[str]:
    """A consent may only rely on reviews recorded for its patient before the document, and
    may only say the physician checked what those reviews cover.

    A document relying on reviews says "the physician has checked the following answers"
    above every answer of its screenings that called for more than ``clear``; so each
    of its screenings must be recorded for the patient, and the reviews' findings must
    cover every such rule.
    """
    problems = []
    reviewed: set[str] = set()
    for n, review_id in enumerate(consent.review_ids):
        row = r.first_by_ref(EntryKind.REVIEW, review_id)
        review = None if row is None else entry_from_row(row).record
        path = f"consent.review_ids[{n}]"
        if review is None or review.patient_id != consent.patient_id:
            problems.append(f"{path}: no review {review_id} of patient {consent.patient_id}")
        elif review.reviewed_at > consent.rendered_at:
            problems.append(
                f"{path}: review {review_id} was made after the document was rendered; the "
                "document cannot say the physician reviewed what was reviewed later"
            )
        else:
            reviewed.update(review.findings)
    if problems or not consent.review_ids:
        return problems
    for n, sid in enumerate(consent.screening_result_ids):
        path = f"consent.screening_result_ids[{n}]"
        row = r.ref_for_patient(EntryKind.SCREENING, sid, consent.patient_id)
        if row is None:
            problems.append(
                f"{path}: screening {sid[:12]}… is not recorded for patient "
                f"{consent.patient_id}; a document saying the physician checked its answers "
                "needs it recorded first"
            )
            continue
        screening: ScreeningRecord = entry_from_row(row).record
        listed = {
            str(f["rule_id"])
            for f in screening.result.get("findings", ())
            if f.get("decision") != "clear"
        }
        unchecked = sorted(listed - reviewed)
        if unchecked:
            problems.append(
                f"consent.review_ids: the document says the physician checked the answers "
                f"behind {', '.join(unchecked)} (screening {sid[:12]}…), which no review it "
                "relies on covers"
            )
    return problems


def _current_of_kind(r: Reader, entry_id: str, kind: EntryKind, path: str) -> RowData:
    """The current version of the ``kind`` entry ``entry_id`` (any of its versions)."""
    row = r.row_by_id(entry_id)
    if row is None or row["kind"] != kind.value:
        raise ValidationError([f"{path}: no {kind.value} {entry_id} in this log"], what=kind.value)
    current = r.current(row["root_id"])
    assert current is not None
    return current


def _amendable(r: Reader, entry_id: str, kind: EntryKind) -> RowData:
    """The row ``entry_id`` if it is the current version of a ``kind`` entry."""
    target = r.row_by_id(entry_id)
    if target is None:
        raise ValidationError([f"entry_id: no entry {entry_id} in this log"], what="amendment")
    if target["kind"] != kind.value:
        raise ValidationError(
            [
                f"record: entry {entry_id} is {with_article(str(target['kind']))}, "
                f"not {with_article(kind.value)}"
            ],
            what="amendment",
        )
    current = r.current(target["root_id"])
    assert current is not None
    if current["entry_id"] != entry_id:
        raise ValidationError(
            [
                f"entry_id: {entry_id} was already amended by {current['entry_id']}; "
                "amend the current version"
            ],
            what="amendment",
        )
    return current


def _alerts_for(row: Mapping[str, Any], payload: Mapping[str, Any]) -> list[Alert]:
    g = payload["grade"]
    if g["category"] != "anaphylaxis" and not g["serious"]:
        return []
    return [
        Alert(
            entry_id=row["entry_id"],
            reaction_id=row["root_id"],
            administration_id=row["administration_id"],
            patient_id=row["patient_id"],
            category=g["category"],
            serious=bool(g["serious"]),
            brighton_level=g.get("brighton_level"),
            event_kind=g.get("event_kind", "table_reaction"),
        )
    ]
