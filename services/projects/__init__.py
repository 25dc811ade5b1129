"""Projects (PRINCE2-light): a manager, stages with planned and actual dates, linked assignments,
and a status (on track / at risk / late / done) derived from the stages."""
