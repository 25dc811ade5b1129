"""The staff service desk: requests to a service (IT, facilities) with SLA on working time.

``requests`` files and moves requests and ``resolution`` carries their conversation to the end
(every change audited, notices through the outbox, ``notices`` / ``mail_out``); ``sla`` keeps the
clocks on the working calendar and ``sla_watch`` warns and escalates; ``access`` says who sees and
works what; ``mail_in`` turns letters into requests and replies; ``panel``, ``queries``, ``topics``
and ``compliance`` serve the panel, the bot and the reports.
"""
