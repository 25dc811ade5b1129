"""Names of the directory's codes (msgids), shared by the panel and the bot."""

from __future__ import annotations

from models.enums import OrganisationKind, PublishMode
from services.notify import N_, Translator

KIND_NAMES: dict[str, str] = {
    OrganisationKind.MANAGEMENT: N_("management company"),
    OrganisationKind.SUPPLIER: N_("resource supplier"),
    OrganisationKind.CONTRACTOR: N_("contractor"),
    OrganisationKind.SERVICE: N_("emergency or municipal service"),
    OrganisationKind.OTHER: N_("other organisation"),
}
PUBLISH_MODE_NAMES: dict[str, str] = {
    PublishMode.APPROVAL: N_("through the dispatcher"),
    PublishMode.DIRECT: N_("straight to residents"),
}


def kind_name(code: str, t: Translator) -> str:
    return t(KIND_NAMES[code]) if code in KIND_NAMES else code
