"""Outcomes: the practice-wide report (queries read plain rows, build applies the
published rules, stats summarises, views and urls at /staff/measures/outcomes/) and
the score charts on the client page (charts, panels)."""
