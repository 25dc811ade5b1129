"""Residents and outages: followed addresses, outages at an address, reports, «still not restored».

One entry point for ``handlers/__init__.py``; the parts live beside this file.
"""

from __future__ import annotations

from aiogram import F, Router

from handlers.residents import addresses, lookup, outages, reopen, report
from handlers.residents.callbacks import AddressCallback

MENU_ITEMS = (addresses.MY_ADDRESSES, outages.OUTAGES, report.REPORT)


def create_router() -> Router:
    router = Router(name="residents")
    router.callback_query.register(lookup.type_instead, AddressCallback.filter(F.id == 0))
    router.include_routers(
        addresses.create_router(),
        outages.create_router(),
        report.create_router(),
        reopen.create_router(),
    )
    return router
