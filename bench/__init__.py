"""`make bench` (issue 14 §2): the practice at scale served by gunicorn, driven by locust.

See bench/README.md for how to run it and its knobs. The modules: `knobs` (the
environment), `seeding` (the seeded database, cached), `server` (gunicorn and its
workers' memory), `plan` (who asks for what: the objects and the sessions),
`locustfile` (the load), `results` (figures, bars, the table and the JSON), `run`.
"""
