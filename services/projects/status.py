"""How a stage's and a project's status follow from dates and linked assignments (README, "Projects").

A stage is
- **done** when it has an actual end;
- **late** when it is not done and its planned end has passed;
- **at risk** when it is not done and any of: a linked assignment is overdue; its planned start has
  passed and it has not started; less than a fifth of its planned time remains with under half of its
  assignments done;
- **on track** otherwise.
A project is late if any stage is late, at risk if any is at risk, done when every stage is done
(and it has at least one), on track otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models import ProjectStage
from models.enums import ProjectStatus

RISK_SHARE_LEFT = 0.2
RISK_DONE_SHARE = 0.5


@dataclass
class StageWork:
    total: int = 0
    done: int = 0
    overdue: int = 0

    @property
    def share_done(self) -> float | None:
        return self.done / self.total if self.total else None


def stage_status(stage: ProjectStage, work: StageWork, today: date) -> ProjectStatus:
    if stage.actual_end is not None:
        return ProjectStatus.DONE
    if stage.planned_end is not None and today > stage.planned_end:
        return ProjectStatus.LATE
    if work.overdue:
        return ProjectStatus.AT_RISK
    if stage.planned_start is not None and today > stage.planned_start and stage.actual_start is None:
        return ProjectStatus.AT_RISK
    if stage.planned_start is not None and stage.planned_end is not None and work.total:
        length = (stage.planned_end - stage.planned_start).days or 1
        left = (stage.planned_end - today).days
        if left / length < RISK_SHARE_LEFT and (work.share_done or 0) < RISK_DONE_SHARE:
            return ProjectStatus.AT_RISK
    return ProjectStatus.ON_TRACK


def project_status(stage_statuses: list[ProjectStatus]) -> ProjectStatus:
    if not stage_statuses:
        return ProjectStatus.ON_TRACK
    if ProjectStatus.LATE in stage_statuses:
        return ProjectStatus.LATE
    if ProjectStatus.AT_RISK in stage_statuses:
        return ProjectStatus.AT_RISK
    if all(s is ProjectStatus.DONE for s in stage_statuses):
        return ProjectStatus.DONE
    return ProjectStatus.ON_TRACK
