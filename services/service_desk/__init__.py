"""The staff service desk: requests to a service (IT, facilities) with SLA on working time.

``requests`` files and moves requests (every change audited, notices through the outbox),
``sla`` keeps their clocks on the working calendar, ``access`` says who sees and works what.
"""
