"""Inline-button payloads of the dispatch flows. Only ids and short codes: every press reloads rows.

Prefixes: ``dsp`` conversation steps, ``dsh`` the house picker, ``dso`` outage cards and the list,
``dsq`` the residents' reports queue,
``dsr`` the responsible organisation of a published outage. Each packs well under Telegram's 64 bytes.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class StepAct:
    KIND = "kind"  # value: accident / planned
    RESOURCE = "res"  # value: a resource code
    STREET = "street"  # value: id of a building standing for its street
    TIME = "time"  # value: a quick-pick code (see handlers.dispatch.picks)
    SKIP_END = "noend"  # the expected end is not known yet (accidents)
    NO_TEXT = "notext"  # no description
    PUBLISH = "pub"
    EDIT = "edit"  # value: addresses / times / text
    CANCEL = "cancel"
    REMOVE_YES = "rmyes"
    RECORD = "rec"  # the optional screen off the preview: cause, informant, organisation
    INFORMANT = "inf"  # value: an InformantKind
    INFORMANT_TEXT = "inft"  # the next typed message is the informant's name or phone
    ORGS = "orgs"  # the organisations to choose from
    ORG = "org"  # value: an organisation id, "0" for none
    BACK = "back"  # back to the preview
    KEEP_END = "keep"  # news for residents without a new expected end


class StepCallback(CallbackData, prefix="dsp"):
    act: str
    value: str = ""


class HouseAct:
    TOGGLE = "t"  # id: the house
    PAGE = "p"  # id: a house of the street, page: the page
    ALL = "all"  # id: a house of the street
    NONE = "none"  # id: a house of the street
    DONE = "done"


class HouseCallback(CallbackData, prefix="dsh"):
    act: str
    id: int = 0
    page: int = 0


class OutageAct:
    LIST = "list"  # page
    OPEN = "open"  # in place (from the list)
    SHOW = "show"  # as a new message (from the progress message, which must stay as it is)
    EXTEND = "ext"
    ADD = "add"
    REMOVE = "rm"
    RESOLVE = "res"  # asks for confirmation
    RESOLVE_YES = "resy"
    RESOLVE_AT = "resat"  # restored earlier: the dispatcher types the actual time
    CANCEL = "can"  # asks for confirmation
    CANCEL_YES = "cany"
    NEWS = "news"  # news for the residents
    ORGS = "orgs"  # choose the responsible organisation


class OutageCallback(CallbackData, prefix="dso"):
    act: str
    id: int = 0
    page: int = 0


class OrgCallback(CallbackData, prefix="dsr"):
    """The responsible organisation chosen for a published outage (``org`` 0: none)."""

    oid: int
    org: int = 0


class SignalAct:
    LIST = "list"  # page
    OPEN = "open"  # sid: any signal of the group
    LINK = "link"  # choose the outage
    LINK_TO = "to"  # oid: the outage
    CREATE = "new"
    DISMISS = "dis"  # asks for confirmation
    DISMISS_YES = "disy"


class SignalCallback(CallbackData, prefix="dsq"):
    act: str
    sid: int = 0
    oid: int = 0
    page: int = 0
