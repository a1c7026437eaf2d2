"""Default patient-facing service descriptions for the Pathways website.

These are the starting texts for the four services the practice offers: ketamine-assisted
psychotherapy (KAP), ketamine-assisted EMDR (KA-EMDR), EMDR therapy and individual therapy.
They are written in plain, second-person English for clients and are meant to be loaded as
editable defaults; the practice should review them with its clinicians and medication-management
partners before publishing.

Each entry has: slug, title, order, involves_ketamine, summary, what_it_is, who_it_may_help,
how_it_works, session_experience and safety. Text fields are plain text (no markdown or HTML);
paragraphs are separated by a blank line ("\n\n").
"""

from __future__ import annotations

# Sources (see /work/shared/clinical-reference.md):
# - KAP pathway (separate evaluation by an outside medication-management partner, who prescribes;
#   dosing in session with the therapist; preparation, dosing and integration sessions): the
#   practice's own description of its KAP model (pathwaysfcs.com) and Journey Clinical's
#   published course outline.
# - EMDR phases: Shapiro's standard 8-phase EMDR protocol.
# - Vital signs before and after dosing, escort home and no driving until the next day after
#   sleep: Spravato (esketamine) label and REMS monitoring practice.
# - KA-EMDR low sublingual dose taken after the target memory is activated, client stays
#   engaged during bilateral stimulation: Topel & Ciccone 2025, Eur J Psychotraumatol.
# The copy deliberately avoids doses, statistics and outcome claims.

DEFAULT_SERVICES: list[dict[str, object]] = [
    {
        "slug": "kap",
        "title": "Ketamine-Assisted Psychotherapy (KAP)",
        "order": 10,
        "involves_ketamine": True,
        "summary": (
            "Talk therapy with your therapist, supported by ketamine prescribed by one of our "
            "partner medical providers, to help you explore hard feelings and memories."
        ),
        "what_it_is": (
            "Ketamine-assisted psychotherapy (KAP) combines talk therapy with a low dose of "
            "ketamine, a medicine that can bring on a relaxed, dreamlike state. The medicine "
            "is not the treatment on its own. It is a support for the work you do with your "
            "therapist.\n\n"
            "In that state, some people find it easier to look at painful thoughts, feelings "
            "or memories with more distance and less fear. Much of the work happens in the "
            "conversations before and after, where you and your therapist make sense of what "
            "came up."
        ),
        "who_it_may_help": (
            "KAP may help some adults living with depression, anxiety or the effects of "
            "trauma, especially if other treatments have not helped as much as they hoped. It "
            "is not a cure, and each person's experience is different.\n\n"
            "KAP is not right for everyone. Some health conditions, medicines or life "
            "situations can make it unsafe or a poor fit. You, your therapist and the "
            "prescriber will decide together whether it makes sense for you."
        ),
        "how_it_works": (
            "First, you have a separate medical evaluation with one of our "
            "medication-management partners. This is an outside prescriber, not part of our "
            "practice. They review your health history, your medicines and your goals.\n\n"
            "If the prescriber finds that you are eligible, they prescribe the medicine. You "
            "then take it during a session with your therapist here at the practice.\n\n"
            "Your course has three parts: preparation sessions to get ready before you start, "
            "dosing sessions, and integration sessions afterward to make sense of what came "
            "up. A typical course includes several dosing sessions, each followed by an "
            "integration session. Your exact plan is made for you."
        ),
        "session_experience": (
            "On a dosing day, you arrive, settle in and check in with your therapist about "
            "how you feel and what you hope to explore. Your vital signs, such as blood "
            "pressure, are checked before you take the medicine and again afterward.\n\n"
            "You take the medicine as your prescriber directed, then rest somewhere "
            "comfortable. The effects can feel dreamlike. Sights, sounds, time or the sense "
            "of your body may feel different. Some people feel sick to their stomach.\n\n"
            "Your therapist stays with you the whole time. As the effects fade, you rest "
            "until you feel steady and ready to leave. A dosing session usually takes a few "
            "hours."
        ),
        "safety": (
            "You need a responsible adult to drive you home after every dosing session. Do "
            "not drive, use machinery or make major decisions until the next day, after a "
            "night's sleep.\n\n"
            "Follow your prescriber's instructions about food, fasting and medicines before "
            "each session. Tell your therapist and your prescriber about all the medicines "
            "you take.\n\n"
            "Ketamine is not safe for everyone. The prescriber screens for medical reasons it "
            "may not be safe for you, such as high blood pressure that is not under control, "
            "certain mental health conditions, pregnancy or substance use. This is not a "
            "complete list.\n\n"
            "If you are in crisis, call or text 988, the Suicide and Crisis Lifeline. In an "
            "emergency, call 911."
        ),
    },
    {
        "slug": "ka-emdr",
        "title": "Ketamine-Assisted EMDR (KA-EMDR)",
        "order": 20,
        "involves_ketamine": True,
        "summary": (
            "EMDR therapy combined with a low dose of ketamine, prescribed by one of our "
            "partner medical providers, to support you as you work through painful memories."
        ),
        "what_it_is": (
            "Ketamine-assisted EMDR (KA-EMDR) brings two approaches together. EMDR is a "
            "structured therapy for working through painful memories. During a KA-EMDR "
            "session, you also take a low dose of ketamine.\n\n"
            "The dose is low enough that you stay awake, aware and able to work with your "
            "therapist. The aim is to make it easier to stay with a hard memory while you "
            "process it."
        ),
        "who_it_may_help": (
            "KA-EMDR may help some adults working through trauma who have found regular EMDR "
            "hard, for example because memories feel too overwhelming or the work feels "
            "stuck. It is a newer approach with less research behind it than standard EMDR, "
            "and each person's experience is different.\n\n"
            "It is not right for everyone. Your therapist and the prescriber will talk with "
            "you about whether it fits your needs and your health, and you will decide "
            "together."
        ),
        "how_it_works": (
            "First, you have a separate medical evaluation with one of our "
            "medication-management partners, an outside prescriber. If they find you "
            "eligible, they prescribe the medicine.\n\n"
            "You also prepare with your therapist. You learn calming skills and choose a "
            "memory to work on.\n\n"
            "In a KA-EMDR session, your therapist helps you bring up that memory. Once it is "
            "active, you take a low dose of the medicine, for example a lozenge that "
            "dissolves under your tongue. You stay awake and engaged while bilateral "
            "stimulation, such as eye movements, tones or taps, continues. Afterward, you and "
            "your therapist talk about what came up."
        ),
        "session_experience": (
            "You arrive and check in with your therapist. Your vital signs, such as blood "
            "pressure, are checked before you take the medicine and again afterward.\n\n"
            "The session starts like a regular EMDR session. After you take the medicine, you "
            "may feel relaxed or a little dreamy, or notice changes in how things look, sound "
            "or feel. Some people feel sick to their stomach. You stay aware and can keep "
            "talking with your therapist.\n\n"
            "Your therapist is with you the whole time. At the end, you rest until you feel "
            "steady and ready to leave."
        ),
        "safety": (
            "Even at a low dose, you need a responsible adult to drive you home after the "
            "session. Do not drive, use machinery or make major decisions until the next day, "
            "after a night's sleep.\n\n"
            "Follow your prescriber's instructions about food, fasting and medicines before "
            "each session. Tell your therapist and your prescriber about all the medicines "
            "you take.\n\n"
            "Ketamine is not safe for everyone. The prescriber screens for medical reasons it "
            "may not be safe for you, such as high blood pressure that is not under control, "
            "certain mental health conditions, pregnancy or substance use. This is not a "
            "complete list.\n\n"
            "If you are in crisis, call or text 988, the Suicide and Crisis Lifeline. In an "
            "emergency, call 911."
        ),
    },
    {
        "slug": "emdr",
        "title": "EMDR Therapy",
        "order": 30,
        "involves_ketamine": False,
        "summary": (
            "A structured therapy that helps you work through painful memories while you "
            "follow eye movements, tones or taps, at a pace that feels right for you."
        ),
        "what_it_is": (
            "EMDR stands for Eye Movement Desensitization and Reprocessing. It is a "
            "structured therapy for working through distressing memories that still feel raw "
            "or stuck.\n\n"
            "During EMDR, you briefly focus on a memory while following a back-and-forth "
            "rhythm, such as eye movements, tones or taps. This is called bilateral "
            "stimulation. You do not have to describe every detail of what happened out loud."
        ),
        "who_it_may_help": (
            "EMDR may help people affected by trauma, painful life events, anxiety or "
            "memories that keep coming back. The experiences can be big or small.\n\n"
            "It may not be the right first step for everyone, for example if you are in "
            "crisis or need more stability first. Your therapist will talk this through with "
            "you, and you will decide together."
        ),
        "how_it_works": (
            "EMDR follows eight phases. First, your therapist learns your history and what "
            "you want to work on. Next comes preparation, where you learn calming skills you "
            "can use at any time.\n\n"
            "In assessment, you pick a target memory and notice the image, beliefs, feelings "
            "and body sensations linked to it. Then comes reprocessing: you hold the memory "
            "in mind during short sets of bilateral stimulation, such as eye movements, tones "
            "or taps.\n\n"
            "In installation, you strengthen a more helpful belief about yourself. A body "
            "scan checks for leftover tension. Closure helps you feel settled before you "
            "leave. Reevaluation, at the start of the next session, looks at what has "
            "changed."
        ),
        "session_experience": (
            "Sessions usually start with a check-in. Early sessions focus on getting to know "
            "you and building coping skills, so there is no rush to get to hard memories.\n\n"
            "During reprocessing, your therapist guides short sets of eye movements, tones or "
            "taps. Between sets, you briefly share what you noticed. You stay awake and in "
            "control the whole time.\n\n"
            "Your therapist helps you feel settled before you leave and talks with you about "
            "what to expect between sessions."
        ),
        "safety": (
            "You set the pace. You can ask to slow down, take a break or stop at any time, "
            "and your therapist will help you use the calming skills you practiced.\n\n"
            "Some people notice stronger feelings, dreams or memories between sessions. Tell "
            "your therapist if it starts to feel like too much.\n\n"
            "If you are in crisis, call or text 988, the Suicide and Crisis Lifeline. In an "
            "emergency, call 911."
        ),
    },
    {
        "slug": "individual-therapy",
        "title": "Individual Therapy",
        "order": 40,
        "involves_ketamine": False,
        "summary": (
            "One-on-one therapy with one of our therapists, focused on your goals and at a "
            "pace that feels right for you."
        ),
        "what_it_is": (
            "Individual therapy is one-on-one time with a therapist in a private, supportive "
            "space. You can talk about what is weighing on you, notice patterns and build "
            "skills for daily life.\n\n"
            "Your therapist may draw on different approaches, depending on your needs and "
            "goals. Therapy is a partnership, and your input shapes the work."
        ),
        "who_it_may_help": (
            "Individual therapy may help if you are dealing with stress, low mood, anxiety, "
            "grief, relationship problems, life changes or the effects of past experiences. "
            "You do not need a diagnosis or a crisis to start.\n\n"
            "If another kind of care may suit you better, such as more intensive support, "
            "your therapist will talk with you about your options, and you will decide "
            "together."
        ),
        "how_it_works": (
            "You start with an intake session. Your therapist asks what brings you in, about "
            "your history and what you hope will change. You can ask questions too.\n\n"
            "Together, you set goals that matter to you. Then you meet for regular sessions. "
            "From time to time, you and your therapist look back at your goals and adjust the "
            "plan as needed."
        ),
        "session_experience": (
            "Most sessions start with a check-in about your week and what you want to focus "
            "on. From there, you talk through what matters most. Your therapist listens, asks "
            "questions and may suggest tools or ideas to try.\n\n"
            "Some sessions feel light and some feel heavy. Both are normal. Near the end, "
            "your therapist helps you wrap up and think about what to take with you into the "
            "week."
        ),
        "safety": (
            "You set the pace. You never have to share more than you are ready to, and you "
            "can pause or change the subject at any time.\n\n"
            "If something in therapy does not feel right, tell your therapist. Your feedback "
            "helps shape the work.\n\n"
            "If you are in crisis, call or text 988, the Suicide and Crisis Lifeline. In an "
            "emergency, call 911."
        ),
    },
]
