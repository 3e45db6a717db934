"""The registry of record kinds (``records.choices.KINDS``): every kind has a builder and a
template, keeps its file name, and the meetings that have it are the ones they were."""

from datetime import timedelta
from pathlib import Path

import pytest

import meetingsec
from meetingsec.devices import services as devices
from meetingsec.extensions import db
from meetingsec.records import builders, queries
from meetingsec.records.choices import KINDS, RecordKind
from tests.factories import organiser_of

TEMPLATES = Path(meetingsec.__file__).parent / "templates"


@pytest.mark.parametrize("kind", list(RecordKind))
def test_every_kind_has_one_entry_with_a_builder_and_a_template(kind):
    entry = KINDS[kind]
    assert kind.entry is entry and kind.title is entry.title
    assert callable(getattr(builders, entry.builder, None))
    assert entry.template.startswith("records/pdf/")
    assert (TEMPLATES / entry.template).is_file()


def test_file_names_are_the_ones_downloads_always_had():
    names = {kind: KINDS[kind].download_name(12, 3) for kind in RecordKind}
    assert names == {
        RecordKind.ATTENDANCE: "danh-sach-ky-12-v3.pdf",
        RecordKind.SECURITY: "bien-ban-an-ninh-12-v3.pdf",
        RecordKind.INSPECTION: "bien-ban-kiem-tra-thiet-bi-12-v3.pdf",
        RecordKind.VENUE_CHECK: "bien-ban-kiem-tra-dia-diem-12-v3.pdf",
        RecordKind.LOSS_REPORT: "bao-cao-dot-xuat-mat-tai-lieu-12-v3.pdf",
        RecordKind.CLOSING: "bien-ban-ket-thuc-12-v3.pdf",
    }
    # the devices pages' downloads carry no version
    assert KINDS[RecordKind.INSPECTION].download_name(12) == "bien-ban-kiem-tra-thiet-bi-12.pdf"
    assert KINDS[RecordKind.VENUE_CHECK].download_name(12) == "bien-ban-kiem-tra-dia-diem-12.pdf"


def test_kinds_per_meeting_at_and_outside_headquarters(make_meeting, make_user, make_device):
    tech = make_user("technician")
    at_hq = make_meeting(at_hq=True)
    assert queries.kinds_for(at_hq) == [
        RecordKind.ATTENDANCE,
        RecordKind.SECURITY,
        RecordKind.CLOSING,
    ]
    devices.add_device(at_hq, make_device(), actor=organiser_of(at_hq))
    db.session.commit()
    assert queries.kinds_for(at_hq) == [
        RecordKind.ATTENDANCE,
        RecordKind.SECURITY,
        RecordKind.INSPECTION,
        RecordKind.CLOSING,
    ]

    outside = make_meeting(at_hq=False, technicians=[tech], starts_in=timedelta(hours=2))
    assert queries.kinds_for(outside) == [
        RecordKind.ATTENDANCE,
        RecordKind.SECURITY,
        RecordKind.CLOSING,
    ]
    devices.add_device(outside, make_device(), actor=organiser_of(outside))
    devices.record_venue_check(
        outside, actor=tech, result="pass", inside_notes="Ổn", outside_notes="Ổn", key="v1"
    )
    db.session.commit()
    assert queries.kinds_for(outside) == [k for k in RecordKind if k is not RecordKind.LOSS_REPORT]
