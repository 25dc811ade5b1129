"""Working time: hours per weekday, Russian public holidays and transferred days, own days off.

``clock.WorkCalendar`` answers «is this a working day» and counts working minutes; ``store`` builds
one from the database (the administrator's hours and dates over the ``holidays`` library).
"""
