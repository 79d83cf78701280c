"""The `[process]` settings: how often status updates are due, and when to escalate.

[process]
status_update_minutes_p0 = 15     # the seeds: "every 15 minutes", whatever the severity
status_update_minutes_p1 = 15
status_update_minutes_p2 = 15
status_update_minutes_p3 = 15
escalation_l1_minutes = 5         # on-call engineer: respond within 5 minutes
escalation_l2_minutes = 15        # team lead: if not mitigated in 15 minutes
escalation_l3_minutes = 30        # infrastructure lead: if not mitigated in 30 minutes
snooze_minutes = 5                # Z puts the status-update reminder off this long
timers = true                     # false: no reminders, no prompts in the banner
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.timeline.model import Severity


@dataclass(frozen=True, slots=True)
class ProcessSettings:
    status_update_minutes_p0: float = 15.0
    status_update_minutes_p1: float = 15.0
    status_update_minutes_p2: float = 15.0
    status_update_minutes_p3: float = 15.0
    escalation_l1_minutes: float = 5.0
    escalation_l2_minutes: float = 15.0
    escalation_l3_minutes: float = 30.0
    snooze_minutes: float = 5.0
    timers: bool = True

    def update_minutes(self, severity: Severity) -> float:
        value: float = getattr(self, f"status_update_minutes_{severity.value.lower()}")
        return value


def validate_process(settings: ProcessSettings) -> None:
    """Raise ValueError naming the setting that cannot be used."""
    for severity in Severity:
        minutes = settings.update_minutes(severity)
        if not 1 <= minutes <= 1440:
            name = f"process.status_update_minutes_{severity.value.lower()}"
            raise ValueError(f"{name} must be between 1 and 1440")
    levels = (settings.escalation_l1_minutes, settings.escalation_l2_minutes,
              settings.escalation_l3_minutes)  # fmt: skip
    if not all(1 <= minutes <= 1440 for minutes in levels):
        raise ValueError("process.escalation_l1/l2/l3_minutes must be between 1 and 1440")
    if not levels[0] < levels[1] < levels[2]:
        raise ValueError(
            "process.escalation_l1_minutes < escalation_l2_minutes < escalation_l3_minutes"
            f" must hold (got {levels[0]:g}, {levels[1]:g}, {levels[2]:g})"
        )
    if not 1 <= settings.snooze_minutes <= 120:
        raise ValueError("process.snooze_minutes must be between 1 and 120")
