"""Safety alerts: what raises one when answers are stored (safety), who may see and
acknowledge them (queries), the writes (services), the staff pages (views, urls,
mounted at /staff/measures/alerts/) and the panels they add to other pages."""
