"""Names of incident kinds and informant kinds, translated per reader."""

from __future__ import annotations

from typing import Protocol

from models.enums import IncidentKind, IncidentStatus, InformantKind
from services.notify import N_


class _Translating(Protocol):
    def __call__(self, message: str, **params: object) -> str: ...


KIND_NAMES: dict[str, str] = {
    IncidentKind.ROAD_ACCIDENT: N_("Road accident"),
    IncidentKind.FALLEN_TREE: N_("Fallen tree"),
    IncidentKind.HEATING_NETWORK: N_("Heating network break"),
    IncidentKind.WATER_MAIN: N_("Water main break"),
    IncidentKind.SEWER: N_("Sewer break"),
    IncidentKind.POWER_LINE: N_("Power line damage"),
    IncidentKind.GAS: N_("Gas leak"),
    IncidentKind.FIRE: N_("Fire affecting residents"),
    IncidentKind.FLOODING: N_("Flooding"),
    IncidentKind.WEATHER: N_("Weather warning"),
    IncidentKind.ROAD: N_("Road condition"),
    IncidentKind.OTHER: N_("Other incident"),
}

KIND_EMOJI: dict[str, str] = {
    IncidentKind.ROAD_ACCIDENT: "🚗",
    IncidentKind.FALLEN_TREE: "🌳",
    IncidentKind.HEATING_NETWORK: "♨️",
    IncidentKind.WATER_MAIN: "💧",
    IncidentKind.SEWER: "🚽",
    IncidentKind.POWER_LINE: "⚡",
    IncidentKind.GAS: "🔥",
    IncidentKind.FIRE: "🚒",
    IncidentKind.FLOODING: "🌊",
    IncidentKind.WEATHER: "🌩",
    IncidentKind.ROAD: "🛣",
    IncidentKind.OTHER: "❗",
}

INFORMANT_NAMES: dict[str, str] = {
    InformantKind.RESIDENT: N_("Resident"),
    InformantKind.ORGANISATION: N_("Organisation"),
    InformantKind.SERVICE: N_("Service (112, police, fire brigade…)"),
    InformantKind.DISPATCHER: N_("Dispatcher's own observation"),
}

STATUS_NAMES: dict[str, str] = {
    IncidentStatus.OPEN: N_("Open (not taken)"),
    IncidentStatus.IN_WORK: N_("In work"),
    IncidentStatus.CLOSED: N_("Closed"),
}


def kind_name(code: str, t: _Translating) -> str:
    return t(KIND_NAMES.get(code, KIND_NAMES[IncidentKind.OTHER]))


def kind_label(code: str, t: _Translating) -> str:
    """With its emoji, for buttons and headlines."""
    return f"{KIND_EMOJI.get(code, '❗')} {kind_name(code, t)}"


def informant_name(code: str | None, t: _Translating) -> str:
    return t(INFORMANT_NAMES[code]) if code in INFORMANT_NAMES else "—"


def status_name(code: str, t: _Translating) -> str:
    return t(STATUS_NAMES.get(code, code))
