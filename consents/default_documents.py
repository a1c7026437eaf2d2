"""Starting texts for the four consent forms, installed by `install_default_consents`.

SAMPLE TEMPLATES ONLY. These are plain-language starting points, not legal advice.
The practice must review and adapt every text with its own counsel (and its
prescribing partners) before a client signs it: state law, the practice's own
procedures and the prescriber's protocol decide what each form has to say.
To change a text, add a new version in the admin; a published version is never edited.

The clinical facts in the KAP and KA-EMDR texts (vital-sign monitoring, possible effects,
the rescue medications named in consents, the ride home and no driving until the next
day after sleep) come from ../shared/clinical-reference.md, "KAP practice facts"
(the practices' own pages, the Spravato label and REMS form, Journey Clinical).
"""

from __future__ import annotations

from typing import TypedDict

from consents.models import ConsentKind


class DefaultDocument(TypedDict):
    kind: str
    title: str
    body: str


_KAP = """\
This form explains ketamine-assisted psychotherapy (KAP) at our practice. Please read it \
carefully and ask us about anything that is not clear before you sign.

What KAP is. KAP combines psychotherapy with ketamine, a medicine prescribed by a \
licensed prescriber of our medication-management partner, who evaluates you first and \
decides whether ketamine is suitable for you and at what dose. Ketamine is not approved by \
the FDA for the treatment of depression or other mental health conditions in the form used \
here; its use for this purpose is "off-label". Your course includes preparation sessions, \
dosing sessions and integration sessions.

What happens in a dosing session. A therapist stays with you for the whole session. We check \
your blood pressure, heart rate and oxygen level before dosing, during the session and before \
you leave. If your readings are outside the limits your prescriber set, we will not dose, or \
we will wait until they settle.

Possible effects. These are common and usually pass within a few hours: feeling detached \
from your body or surroundings (dissociation), changes in how you see, hear or sense time, \
dizziness, drowsiness, nausea or vomiting, raised blood pressure and heart rate, and strong \
emotions. Less often people feel anxious or confused. Rare risks include allergic reaction \
and bladder irritation with frequent, long-term use. Ketamine can be misused; tell us about \
any past or present substance use.

Rescue medications. If your prescriber has ordered them, you may be offered ondansetron for \
nausea, clonidine for high blood pressure, or lorazepam for agitation. You may decline them.

Before and after. Follow your prescriber's instructions about eating, and about medicines, \
alcohol and cannabis to hold before dosing. An adult you trust must take you home. Do not \
drive, cycle, operate machinery or make important decisions until the next day, after a \
night's sleep.

Your rights. Taking part is your choice. You may ask to stop a session at any time, and you \
may withdraw from KAP at any time without losing access to our other services. Results are \
not guaranteed.

By signing, you confirm that you have read this form, that your questions have been \
answered, and that you agree to take part in KAP.
"""

_KA_EMDR = """\
This form explains ketamine-assisted EMDR (KA-EMDR) at our practice. Please read it \
carefully and ask us about anything that is not clear before you sign.

What KA-EMDR is. KA-EMDR combines EMDR therapy (Eye Movement Desensitization and \
Reprocessing) with a low dose of ketamine, prescribed by a licensed prescriber of our \
medication-management partner after evaluating you. The aim is to make it easier to work \
with distressing memories. Ketamine is not approved by the FDA for this purpose; its use \
here is "off-label", and research on KA-EMDR is still limited.

What happens in a session. Your EMDR therapist stays with you throughout. Ketamine is taken \
as your prescriber directs, often during the processing part of the session. We check your \
blood pressure, heart rate and oxygen level before dosing, during the session and before you \
leave, and we do not dose if your readings are outside the limits your prescriber set.

Possible effects. EMDR can bring up strong memories, emotions and body sensations, during or \
after a session. Ketamine may cause feeling detached from your body or surroundings \
(dissociation), changes in perception, dizziness, drowsiness, nausea or vomiting, and raised \
blood pressure and heart rate. These usually pass within a few hours. Rare risks include \
allergic reaction. Tell us about any past or present substance use.

Rescue medications. If your prescriber has ordered them, you may be offered ondansetron for \
nausea, clonidine for high blood pressure, or lorazepam for agitation. You may decline them.

Before and after. Follow your prescriber's instructions about eating, and about medicines, \
alcohol and cannabis to hold before dosing. An adult you trust must take you home. Do not \
drive, cycle, operate machinery or make important decisions until the next day, after a \
night's sleep.

Your rights. Taking part is your choice. You may ask to stop the ketamine or the EMDR at any \
time, and you may withdraw from KA-EMDR at any time without losing access to our other \
services. Results are not guaranteed.

By signing, you confirm that you have read this form, that your questions have been \
answered, and that you agree to take part in KA-EMDR.
"""

_ROI = """\
This form lets our practice and the medication-management partner named on this page share \
information about you, so that the partner can evaluate you for ketamine treatment and, if \
suitable, prescribe it.

What our practice may share with the partner: the reason for the referral, your diagnoses, \
the medications you take, your answers to our pre-screening questions, and your scores on \
questionnaires such as those for mood and anxiety.

What the partner may share with our practice: the results of their evaluation, including \
whether ketamine is suitable for you, and the details of any prescription they write, such \
as the medicine, dose and instructions.

Why: to coordinate your care between your therapist and your prescriber. Information is sent \
through our secure system, not by ordinary e-mail.

How long this lasts: until you revoke it, or until your treatment with the partner ends, \
whichever comes first.

Your rights. You do not have to sign this form. If you do not sign it, we cannot refer you to \
the partner, but you can still receive our other services. You may revoke this release in \
writing at any time by telling the practice; revoking stops future sharing at once, but \
cannot undo information already shared. Information shared under this release may be \
protected by federal privacy law (HIPAA); once shared, it may not always stay protected by \
that law. You may ask for a copy of this signed form.

By signing, you authorise the sharing described above with the partner named on this page.
"""

_TELEHEALTH = """\
This form explains telehealth (video or telephone sessions) at our practice. Please read it \
and ask us about anything that is not clear before you sign.

How it works. Sessions take place over a secure video service chosen by the practice, or by \
telephone. Please join from a private place where you will not be overheard, and do not \
record sessions. We will not record them either without your written permission.

Benefits and limits. Telehealth saves travel and can make care easier to reach. It can also \
be interrupted by poor connections, and your therapist may notice less than in person. If a \
session drops, your therapist will try to reconnect or call you on the number we have on file.

Where you are. At the start of each session your therapist will confirm where you are. Your \
therapist may only be able to see you while you are in a state where they are licensed.

Safety. Please give us an emergency contact and the address where you are during sessions. If \
we believe you are in danger, we may contact emergency services at that address. Dosing \
sessions with ketamine are never held by telehealth.

Privacy. We use services designed to protect health information, but no technology is \
completely secure. Use a device and network you trust.

Your rights. Telehealth is your choice. You may ask for in-person sessions instead, where we \
can offer them, and you may withdraw this consent at any time.

By signing, you confirm that you have read this form and agree to receive services by \
telehealth.
"""

DEFAULT_DOCUMENTS: list[DefaultDocument] = [
    {
        "kind": ConsentKind.KAP,
        "title": "Informed consent for ketamine-assisted psychotherapy (KAP)",
        "body": _KAP.strip(),
    },
    {
        "kind": ConsentKind.KA_EMDR,
        "title": "Informed consent for ketamine-assisted EMDR (KA-EMDR)",
        "body": _KA_EMDR.strip(),
    },
    {
        "kind": ConsentKind.ROI,
        "title": "Authorisation to release information to a medication-management partner",
        "body": _ROI.strip(),
    },
    {
        "kind": ConsentKind.TELEHEALTH,
        "title": "Consent to telehealth",
        "body": _TELEHEALTH.strip(),
    },
]
