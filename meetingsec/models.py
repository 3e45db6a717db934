"""Imports every model module, so the metadata (and Alembic) sees every table."""

from meetingsec.attendees.models import Attendee, AttendeeImport, ColumnChoice  # noqa: F401
from meetingsec.audit.models import AuditCheckpoint, AuditEvent  # noqa: F401
from meetingsec.checklists.models import ChecklistItem, RuleCitation  # noqa: F401
from meetingsec.devices.models import (  # noqa: F401
    Device,
    Inspection,
    MeetingDevice,
    SealCheck,
    VenueCheck,
)
from meetingsec.documents.models import DocumentCopy, SecretDocument  # noqa: F401
from meetingsec.door.models import (  # noqa: F401
    CheckIn,
    CommitmentChoice,
    CommitmentText,
    Deposit,
    IdentityCheck,
    Movement,
)
from meetingsec.incidents.models import Incident  # noqa: F401
from meetingsec.meetings.models import Meeting, MeetingMember, RoomSeal  # noqa: F401
from meetingsec.org.models import AgencySettings, Unit, Venue  # noqa: F401
from meetingsec.records.models import (  # noqa: F401
    NumberSeries,
    Record,
    RecordJob,
    RecordNumber,
    RecordSigner,
)
from meetingsec.reports.models import ReportNarrative  # noqa: F401
from meetingsec.users.models import LoginLock, LoginSession, User, UserRole  # noqa: F401
