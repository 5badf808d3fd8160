"""The names both servers use, defined once: triage levels, intents, actions, entities, slots, the keys of
the replies' custom payloads, the deployment's environment variables, limits.

domain.yml declares them (``tests/test_names.py`` checks that it does); the action server, the NLU
components, the channels and the patches import them from here.
"""

from __future__ import annotations

from typing import Tuple

# Triage levels, lowest to highest (design.md section 3).
LEVELS: Tuple[str, ...] = ("self_care", "see_doctor", "urgent", "emergency")
SELF_CARE, SEE_DOCTOR, URGENT, EMERGENCY = LEVELS
RULE_LEVELS: Tuple[str, ...] = LEVELS[1:]  # the levels a red-flag rule can give

# Intents set by the project's NLU components, never learnt by DIET.
EMERGENCY_INTENT = "emergency"
CRISIS_INTENT = "crisis"
SYMPTOM_QUESTION_INTENT = "symptom_question"
COMPONENT_INTENTS = frozenset({EMERGENCY_INTENT, CRISIS_INTENT, SYMPTOM_QUESTION_INTENT})

# Learnt intents that the code refers to.
ASK_CAUSES_INTENT = "ask_causes"
ASK_CAUSE_INTENT = "ask_cause"
ASK_TREATMENT_INTENT = "ask_treatment"
ASK_PREVENTION_INTENT = "ask_prevention"
ASK_WHEN_DOCTOR_INTENT = "ask_when_doctor"
QUESTION_INTENTS: Tuple[str, ...] = (
    ASK_CAUSES_INTENT,
    ASK_CAUSE_INTENT,
    ASK_TREATMENT_INTENT,
    ASK_PREVENTION_INTENT,
    ASK_WHEN_DOCTOR_INTENT,
)
RED_FLAG_INTENT = "report_red_flag"
DESCRIBE_SYMPTOMS_INTENT = "describe_symptoms"
LOWER_BACK_INTENT = "lower_back_pain"
NLU_FALLBACK_INTENT = "nlu_fallback"  # Rasa's own (the FallbackClassifier's), not declared in domain.yml
OUT_OF_SCOPE_INTENT = "out_of_scope"
NOT_UNDERSTOOD_INTENTS: Tuple[str, ...] = (NLU_FALLBACK_INTENT, OUT_OF_SCOPE_INTENT)
NON_ENGLISH_INTENT = "non_english"  # set by the language gate (components/language_gate.py)
FORGET_INTENT = "forget_me"
HELP_INTENT = "help"
GREET_INTENT = "greet"
GOODBYE_INTENT = "goodbye"
THANK_INTENT = "thank"
AFFIRM_INTENT = "affirm"
DENY_INTENT = "deny"
SKIP_INTENT = "skip"
STOP_INTENT = "stop"
BOT_CHALLENGE_INTENT = "bot_challenge"
# Small talk: answered only when the message is small talk (components/scope_gate.py).
SOCIAL_INTENTS: Tuple[str, ...] = (
    GREET_INTENT,
    GOODBYE_INTENT,
    THANK_INTENT,
    AFFIRM_INTENT,
    DENY_INTENT,
    SKIP_INTENT,
    STOP_INTENT,
    BOT_CHALLENGE_INTENT,
)
# Intents answered by a static response alone, no custom action (data/rules/): the Rasa-side check looks for a
# crisis statement by meaning in these; the action server does it for every other message.
STATIC_REPLY_INTENTS: Tuple[str, ...] = (
    GREET_INTENT,
    GOODBYE_INTENT,
    THANK_INTENT,
    BOT_CHALLENGE_INTENT,
    HELP_INTENT,
    NON_ENGLISH_INTENT,
    FORGET_INTENT,
)
# Intents answered without a medical check (static replies): a red-flag finding in such a message turns it
# into RED_FLAG_INTENT, so that the triage action escalates it (components/red_flags.py).
NOT_MEDICAL_INTENTS: Tuple[str, ...] = (
    *(i for i in SOCIAL_INTENTS if i not in (SKIP_INTENT, STOP_INTENT)),  # the interview's own words keep their meaning
    HELP_INTENT,
    FORGET_INTENT,
    NON_ENGLISH_INTENT,
    *NOT_UNDERSTOOD_INTENTS,
)

# Custom actions that the Rasa server's code refers to.
TRIAGE_ACTION = "action_triage"
SUGGEST_CAUSES_ACTION = "action_suggest_causes"
FORGET_ACTION = "action_forget_me"

# Entities that fill the slots of the same name, which the static responses name.
EMERGENCY_NUMBER_ENTITY = "emergency_number"
CRISIS_LINE_ENTITY = "crisis_line"

# Slots.
FINDINGS_SLOT = "red_flag_findings"  # the red-flag findings established in a conversation
TRIAGE_LEVEL_SLOT = "triage_level"
CRISIS_SLOT = "crisis"

# Keys of a reply's ``custom`` payload (domain.yml's responses, the actions' ``json_message``), which the channels
# read; CRISIS_KEY also marks a crisis statement in the red-flag record of the parse data (components/red_flags.py).
TRIAGE_KEY = "triage"
CRISIS_KEY = "crisis"

# Environment variables of a deployment: the emergency number and the crisis line that the replies name.
EMERGENCY_NUMBER_ENV = "EMERGENCY_NUMBER"
CRISIS_LINE_ENV = "CRISIS_LINE"
# How many processes of its own the Rasa server parses messages in (patches/nlu_worker.py); 0: its own thread.
NLU_WORKERS_ENV = "NLU_WORKERS"

# Limits.
NLU_CACHE_SIZE = 4096  # parses the Rasa server keeps, by exact text (patches/nlu_parse.py)
MAX_TEXT = 5000  # characters of a message that the matchers look at
MAX_MESSAGE = 2000  # characters of a message that the NLU models classify (components/message_limit.py)
