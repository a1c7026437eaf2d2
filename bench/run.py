"""`make bench`: timings for the hot paths, on a throw-away SQLite database.

Not a test: numbers depend on the machine. It prints median and 95th
percentile wall time per request, through Django's test client (no network).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="pathways-bench-")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{TMP}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pathways.settings")
os.environ["TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
os.environ["PUBLIC_FORM_RATE_LIMIT"] = "1000000"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from clients.models import Client as ClientRecord  # noqa: E402
from intake.models import AppointmentRequest  # noqa: E402
from website.services import services_install_defaults  # noqa: E402

N_REQUESTS = int(os.environ.get("BENCH_REQUESTS", "5000"))
RUNS = int(os.environ.get("BENCH_RUNS", "50"))


def timed(label: str, fn: Callable[[], object]) -> None:
    fn()  # warm up
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"{label:<48} median {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms")


def main() -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    services_install_defaults()
    intake = User.objects.create_user("bench-intake", password="x" * 16, role=Role.INTAKE)
    AppointmentRequest.objects.bulk_create(
        AppointmentRequest(
            first_name=f"First{i}",
            last_name=f"Last{i}",
            email=f"p{i}@example.com",
            phone="(555) 010-0100",
            preferred_contact="phone",
            reason="Benchmark row.",
            consent_to_contact=True,
            not_emergency_ack=True,
            submission_token=uuid.uuid4(),
        )
        for i in range(N_REQUESTS)
    )
    engine = os.environ["DATABASE_URL"].split(":")[0]
    print(f"{N_REQUESTS} requests, {RUNS} runs each, database {engine}")

    staff = Client()
    staff.force_login(intake)
    some_id = AppointmentRequest.objects.order_by("?").values_list("pk", flat=True).first()
    timed("GET /staff/requests/ (inbox, page 1)", lambda: staff.get("/staff/requests/"))
    timed(
        "GET /staff/requests/?status=new&page=50",
        lambda: staff.get("/staff/requests/?status=new&page=50"),
    )
    timed("GET /staff/requests/<id>/ (detail)", lambda: staff.get(f"/staff/requests/{some_id}/"))

    ClientRecord.objects.bulk_create(
        ClientRecord(
            first_name=f"First{i}",
            last_name=f"Last{i}",
            email=f"c{i}@example.com",
            phone=f"(555) 01{i:05d}",
            phone_digits=f"55501{i:05d}",
        )
        for i in range(N_REQUESTS)
    )
    record_id = ClientRecord.objects.values_list("pk", flat=True).last()
    timed(
        "GET /staff/clients/?q=Last4242 (name search)",
        lambda: staff.get("/staff/clients/?q=Last4242"),
    )
    timed(
        "GET /staff/clients/?q=5550104242 (phone search)",
        lambda: staff.get("/staff/clients/?q=5550104242"),
    )
    timed(
        "GET /staff/clients/<id>/ (record with panels)",
        lambda: staff.get(f"/staff/clients/{record_id}/"),
    )

    public = Client()
    timed("GET / (home)", lambda: public.get("/"))

    def submit() -> None:
        r = public.post(
            "/request-an-appointment/",
            {
                "token": str(uuid.uuid4()),
                "first_name": "Bench",
                "last_name": "Mark",
                "email": "bench@example.com",
                "phone": "(555) 010-0100",
                "preferred_contact": "email",
                "reason": "Benchmark.",
                "consent_to_contact": "on",
                "not_emergency_ack": "on",
            },
        )
        if r.status_code != 302:
            raise SystemExit(f"submission failed: {r.status_code}")

    timed("POST /request-an-appointment/ (stored + outbox)", submit)


if __name__ == "__main__":
    main()
