import uuid
from django.core import mail
from pathways.testing import BaseTestCase, make_request
from intake.models import AppointmentRequest
from notifications.models import OutboundEmail

class T(BaseTestCase):
    def test_submit(self):
        data = {"first_name": "Zed", "last_name": "Q", "email": "z@example.com", "phone": "(555) 010-0199",
                "preferred_contact": "phone", "reason": "Help please", "consent_to_contact": "on",
                "not_emergency_ack": "on", "token": str(uuid.uuid4())}
        with self.captureOnCommitCallbacks(execute=True) as cbs:
            r = self.client.post("/request-an-appointment/", data)
        print(r.status_code, r.headers.get("Location"), len(cbs), len(mail.outbox), list(OutboundEmail.objects.values_list("status", "to")))
        print(r.headers.get("Cache-Control"))

    def test_login(self):
        for i in range(6):
            r = self.client.post("/staff/sign-in/", {"username": "intake", "password": "wrong"})
            print(i, r.status_code)
        r = self.client.post("/staff/sign-in/", {"username": "intake", "password": "correct horse battery staple"})
        print("good", r.status_code, r.content[:0])
        r = self.client.get("/staff/sign-out/")
        print("logout get", r.status_code)
        r = self.client.get("/staff/")
        print(r.status_code, r.headers.get("Location"))
