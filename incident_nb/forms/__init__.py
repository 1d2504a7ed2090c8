"""ipywidgets forms for every human decision of the workflow, bound to ``incident.json``."""

from incident_nb.core.store import ConflictError, RecordStore
from incident_nb.forms.base import RecordEvents
from incident_nb.forms.checklists import ChecklistForm
from incident_nb.forms.impact import ImpactForm
from incident_nb.forms.lists import ActionItemsForm, TimelineForm
from incident_nb.forms.narrative import NarrativeForm, PostmortemDraft
from incident_nb.forms.updates import StatusUpdateForm
from incident_nb.forms.whys import FiveWhysForm

__all__ = [
    "ActionItemsForm",
    "ChecklistForm",
    "ConflictError",
    "FiveWhysForm",
    "ImpactForm",
    "NarrativeForm",
    "PostmortemDraft",
    "RecordEvents",
    "RecordStore",
    "StatusUpdateForm",
    "TimelineForm",
]
