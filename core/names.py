"""The names both servers use, defined once: triage levels, intents, actions, entities, slots, limits.

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
QUESTION_INTENTS: Tuple[str, ...] = ("ask_causes", "ask_cause", "ask_treatment", "ask_prevention", "ask_when_doctor")
RED_FLAG_INTENT = "report_red_flag"
DESCRIBE_SYMPTOMS_INTENT = "describe_symptoms"
LOWER_BACK_INTENT = "lower_back_pain"
NOT_UNDERSTOOD_INTENTS: Tuple[str, ...] = ("nlu_fallback", "out_of_scope")
NON_ENGLISH_INTENT = "non_english"  # set by the language gate (components/language_gate.py)
FORGET_INTENT = "forget_me"
# Small talk: answered only when the message is small talk (components/scope_gate.py).
SOCIAL_INTENTS: Tuple[str, ...] = ("greet", "goodbye", "thank", "affirm", "deny", "skip", "stop", "bot_challenge")
# Intents answered by a static response alone, no custom action (data/rules/): the Rasa-side check looks for a
# crisis statement by meaning in these; the action server does it for every other message.
STATIC_REPLY_INTENTS: Tuple[str, ...] = (
    "greet",
    "goodbye",
    "thank",
    "bot_challenge",
    "help",
    NON_ENGLISH_INTENT,
    FORGET_INTENT,
)
# Intents answered without a medical check (static replies): a red-flag finding in such a message turns it
# into RED_FLAG_INTENT, so that the triage action escalates it (components/red_flags.py).
NOT_MEDICAL_INTENTS: Tuple[str, ...] = (
    *(i for i in SOCIAL_INTENTS if i not in ("skip", "stop")),  # the interview's own words keep their meaning
    "help",
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

MAX_TEXT = 5000  # characters of a message that the matchers look at
