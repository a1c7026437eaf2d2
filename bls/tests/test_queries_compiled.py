"""The EMDR record's reads compiled once (bls.queries): the rows the ORM reads gave,
in the same order, the record's marks and sets knowing their record as its related
managers set it, and the same answers for the phase now and the display pairing."""

from __future__ import annotations

import datetime as dt

from bls import queries
from bls.models import DisplayPairing, EmdrRecord, Phase
from dosing.models import Administration, VitalSigns
from pathways.testing import BaseTestCase

from .support import add_set, give, make_emdr_session, mark, take_vitals


class CompiledReadsTests(BaseTestCase):
    def setUp(self) -> None:
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        start, by, record = self.emdr.start, self.therapist, self.emdr.record
        minute = dt.timedelta(minutes=1)
        give(self.emdr.session, by, start + 5 * minute)
        give(self.emdr.session, by, start + 50 * minute, kind=Administration.Kind.BOOSTER)
        take_vitals(self.emdr.session, by, start)
        take_vitals(self.emdr.session, by, start + 30 * minute)
        # Two marks at the same minute: the later id is the phase now.
        mark(record, Phase.ASSESSMENT, start + 10 * minute, by)
        mark(record, Phase.DESENSITISATION, start + 20 * minute, by)
        mark(record, Phase.INSTALLATION, start + 20 * minute, by)
        for number in (2, 1, 3):
            add_set(record, number, start + (20 + number) * minute, by, 6 - number)

    def record(self) -> EmdrRecord:
        return EmdrRecord.objects.get(pk=self.emdr.record.pk)

    def test_it_reads_what_the_orm_read_in_the_same_order(self) -> None:
        record = self.record()
        session = record.session_id

        assert queries.phase_marks(record) == list(record.phase_marks.all())
        assert queries.sets(record) == list(record.sets.all())
        assert [s.number for s in queries.sets(record)] == [1, 2, 3]
        assert queries.administrations(record) == list(
            Administration.objects.filter(record__session_id=session)
        )
        assert len(queries.administrations(record)) == 2
        assert queries.vitals(record) == list(
            VitalSigns.objects.filter(record__session_id=session)
        )
        assert len(queries.vitals(record)) == 2
        assert queries.current_phase(record) == record.phase_marks.order_by("-at", "-id").first()
        assert queries.current_phase(record).phase == Phase.INSTALLATION  # type: ignore[union-attr]

    def test_its_marks_and_sets_know_their_record_without_a_query(self) -> None:
        record = self.record()
        marks, sets = queries.phase_marks(record), queries.sets(record)
        now = queries.current_phase(record)

        with self.assertNumQueries(0):
            assert all(m.record is record for m in marks)
            assert all(s.record is record for s in sets)
            assert now is not None
            assert now.record is record

    def test_it_finds_the_users_live_pairing_only(self) -> None:
        record = self.record()
        at = self.emdr.start
        DisplayPairing.objects.create(
            record=record,
            therapist=self.therapist,
            paired_at=at,
            ended_at=at,
            code_hash="x1",
            created_at=at,
            expires_at=at,
        )
        live = DisplayPairing.objects.create(
            record=record,
            therapist=self.therapist,
            paired_at=at,
            code_hash="x2",
            created_at=at,
            expires_at=at,
        )

        assert queries.active_pairing(record, self.therapist) == live
        assert queries.active_pairing(record, self.admin) is None
        assert queries.active_pairing(record, object()) is None
