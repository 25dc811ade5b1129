"""Events and programme sessions: registration with capacity and a waiting list, reminders,
attendance."""
