"""Appeals (обращения граждан): intake from every channel, numbering, the legal deadline, the
status following assignments, the answer and the correspondent's rating."""
