"""What a message is about: the body region, whether it describes a symptom or asks a medical question,
and whether it asks to delete the conversation (no Rasa imports: both servers use it).

The assistant covers the neck, the shoulders and the upper back (../shared/design.md section 1); the
lower back gets a plain answer that says so. The NLU's social and privacy intents ("thanks", "yes",
"delete this") must only answer messages that are that, so the Rasa-side gate
(``components/scope_gate.py``) asks these questions of every message.
"""

from __future__ import annotations

import functools
from typing import Optional

from core import context
from core.names import (
    AFFIRM_INTENT,
    ASK_PREVENTION_INTENT,
    ASK_TREATMENT_INTENT,
    ASK_WHEN_DOCTOR_INTENT,
    BOT_CHALLENGE_INTENT,
    DENY_INTENT,
    DESCRIBE_SYMPTOMS_INTENT,
    GOODBYE_INTENT,
    GREET_INTENT,
    SKIP_INTENT,
    STOP_INTENT,
    THANK_INTENT,
)
from core.text import normalise, words_regex

_rx = words_regex


NECK = _rx(r"necks?", r"nape", r"cervical", r"c[1-7]( c?[1-7])*", r"whiplash", r"torticollis", r"wry neck", r"cricks?")
SHOULDER = _rx(
    r"shoulders?",
    r"(raise|raising|lift|lifting|move|moving|reach|reaching) (my|the|his|her) arms?( up)?",
    r"shouder|shoulder|sholder|sholders|shouldr|shoudler",
    r"rotator cuff",
    r"trapezius|traps",
    r"collar ?bones?",
    r"ball and socket",
    r"deltoids?",
    r"frozen shoulder",
)
UPPER_BACK = _rx(
    r"upper back",
    r"top of my back",
    r"mid ?back|middle back|middle of my back",
    r"shoulder ?blades?|scapulas?|scapula",
    r"between (my|the|his|her) shoulders?",
    r"thoracic( spine)?",
    r"t[1-9]|t1[0-2]",
)
LOWER_BACK = _rx(
    r"lower back|low back|lower part of my back|bottom of my back|small of my back|back low down|lumbar",
    r"sciatica|sciatic|scitica",
    r"tail ?bone|coccyx",
    r"l[1-5]( l?[1-5])*( s1)?|s1",
    r"lumbago",
)
BACK = _rx(
    r"(my|his|her|the|your|a|our|their) back(?! of| to| home| then| again| in| at)",
    r"backache|back ache|backpain|back pain|spine|spinal",
)

SYMPTOM = _rx(
    r"pain|pains|painful|paining|hurt|hurts|hurting|ache|aches|aching|achy|achey|sore|soreness",
    r"stiff|stiffness|stiffened|tight|tightness|tension|tense",
    r"spasms?|spasming|cramps?|cramping|knots?|knotted|twinges?|cricks?|throb|throbs|throbbing|throbing",
    r"burn|burns|burning|stinging|stabbing|shooting|sharp|dull",
    r"numb|numbness|tingle|tingling|tingly|pins and needles",
    r"swollen|swelling|lump|lumps|bump",
    r"click|clicks|clicking|crack|cracks|cracking|pop|pops|popping|grind|grinding|creak|creaking|crunch|crunching",
    r"weak|weakness",
    r"injury|injured|injure|dislocated|dislocate|strain|strained|sprain|sprained|pulled|tweaked|broken|broke|fracture",
    r"locked|stuck|seized",
    r"agony|killing me|discomfort|sensation|pressure|heavy|heaviness",
    r"(cant|cannot|can not|unable to|struggle to|hard to) (move|rotate|turn|lift|raise|look|bend|reach|sleep)",
    r"(difficulty|trouble|problems?|struggling|struggle) (moving|turning|rotating|lifting|raising|bending|looking)",
)
# What brings neck trouble on: a question that names one is about the neck even without a symptom word.
TRIGGER = _rx(
    r"slept|sleep|sleeping|pillow|mattress|desk|computer|laptop|phone|screen|monitor|posture|gym|lifting|lifted",
    r"carry|carrying|driving|stress|stressed|anxiety|accident|fell|fall|crash|whiplash|exercise|workout",
    r"spasms?|cramps?|spasming|cramping|stiff|stiffness|tension",
)
QUESTION = _rx(
    r"why",
    r"what (causes|caused|could|can|might|would|is|are|should)",
    r"how (do|can|to|should|long|come)",
    r"is (it|this|that) normal",
    r"should i",
    r"could (it|this|that)",
    r"can (it|this|that|a|an|my)",
    r"treatment|treat|treating|remedy|remedies|relieve|relief|get rid",
    r"exercises?|stretch|stretches|surgery|operation|physio|physiotherapy|chiropractor",
    r"mri|x ray|xray|scan|diagnosed|diagnosis",
)
TREATMENT = _rx(
    r"treatment|treat|treating|remedy|remedies|relieve|relief|get rid|cure|what (can|should) i (do|take)",
    r"how (do|can) i (fix|stop|ease|help)",
    r"painkillers?|medication|medicine|tablets|ointment|cream|massage|heat|ice",
    r"(would|will|does|do|can|could) \w+( \w+)? help",
)
PREVENTION = _rx(
    r"prevent|prevention|avoid|stop (it|them) (coming back|happening)|keep (it|them) from",
    r"stops? (my )?(neck )?(stiffness|spasms?|cramps?|cramping|pain)",
    r"so (that )?(my neck|it|they) (doesnt|wont|does not|will not|dont)",
)
WHEN_DOCTOR = _rx(
    r"(should|do) i (see|go to|call) (a|my|the) (doctor|gp|physio)",
    r"when (should|do) i (see|go)",
    r"when to (get|seek|see|go|call)",
    r"medical (help|advice|attention)",
    r"(need|needs) (a|to see a|to see the) (doctor|gp)",
    r"is (it|this|that) (bad|serious|dangerous|worrying)",
)
# Complaints of the skin or the head that happen to name a region ("pimples on my back", "my head
# hurts in the back"): not the muscles, joints or nerves the knowledge base is about.
ELSEWHERE = _rx(
    r"skin|rash|rashes|pimples?|spots|acne|itch|itchy|itching|moles?|sores|blisters?|eczema|psoriasis|sunburn|hives",
    r"head hurts|headache|headaches|head ache|migraine",
)
PRIVACY = _rx(
    r"delete|deleted|deleting|erase|erased|erasure|wipe|wiped|remove|removed|forget|forgotten|remember|keep|store|"
    r"stored|storing|save|saved|saving|record|recorded|recording",
    r"my data|personal data|data|privacy|gdpr|conversation|conversations|chat history|history|messages|records?",
)


@functools.lru_cache(maxsize=4096)
def _norm(text: str) -> str:
    return normalise(text or "")


def region(text: str) -> Optional[str]:
    """``neck``, ``shoulder``, ``upper_back``, ``lower_back``, ``back`` (not said which part) or None.

    The neck, shoulders and upper back win over the lower back when a message names both."""
    t = _norm(text)
    if NECK.search(t):
        return "neck"
    if UPPER_BACK.search(t):
        return "upper_back"
    if SHOULDER.search(t):
        return "shoulder"
    if LOWER_BACK.search(t):
        return "lower_back"
    if BACK.search(t):
        return "back"
    return None


def elsewhere(text: str) -> bool:
    """A skin or head complaint without the neck named (see ``ELSEWHERE``)."""
    t = _norm(text)
    return bool(ELSEWHERE.search(t)) and not NECK.search(t)


def describes_symptom(text: str) -> bool:
    """A symptom word that the person asserts ("no pain at all now" asserts none)."""
    return bool(SYMPTOM.search(_norm(context.asserted_text(text))))


def medical_question(text: str) -> bool:
    return bool(QUESTION.search(_norm(text)))


def medical_content(text: str) -> bool:
    """A symptom or a medical question about a body region, or a symptom stated at some length."""
    words = len(_norm(text).split())
    if region(text) and (describes_symptom(text) or medical_question(text)):
        return True
    return words >= 4 and describes_symptom(text)


def about_the_body(text: str) -> bool:
    """Anything a neck question would hold: a region, a symptom word or a usual trigger."""
    t = _norm(text)
    return bool(region(text) or SYMPTOM.search(t) or TRIGGER.search(t))


_FAREWELL = r"bye|goodbye|byee+|cya|see (you|ya)|later|goodnight|night|cheerio|farewell|ttyl|gotta go|got to go|go now"
FAREWELL = _rx(_FAREWELL)
# What else a plain goodbye holds ("ok that's me done, bye for now, take care")
_SOCIAL_FILLER_WORDS = (
    "good ok okay right well that thats me done for now i ll ill im m leave it there going gone off all and the "
    "chat talk speak again x xx have a nice day great lovely evening weekend then so yeah yes just will peace out "
    "s love take care thanks thank cheers ta tomorrow soon"
)
_SOCIAL_FILLER = frozenset(_SOCIAL_FILLER_WORDS.split())


def only_a_goodbye(text: str) -> bool:
    """Whether ``text`` is a plain goodbye: farewell words and nothing but social words ("bye for now", "ok
    that's me done, bye"); "bye everyone, this is my last message" is more than that."""
    t = _norm(text)
    return bool(FAREWELL.search(t)) and set(FAREWELL.sub(" ", t).split()) <= _SOCIAL_FILLER


# Words a social message of each intent has; a longer message without them is not that intent
# ("I've tried reading books, but nothing can cheer me up" is no thank-you).
SOCIAL_WORDS = {
    THANK_INTENT: _rx(
        r"thank|thanks|thankyou|thx|ty|ta|cheers|appreciate|appreciated|grateful|obliged|helpful|brilliant|lovely",
        r"kind|great|perfect|awesome|nice one|legend|star",
    ),
    GOODBYE_INTENT: _rx(_FAREWELL, r"leaving|thats all|that is all|done|take care"),
    # a time of day greets at the start ("morning all") or as "good morning", not inside a report ("I fell
    # over on the ice this morning")
    GREET_INTENT: _rx(
        r"hi+|hello|hey+|hiya|good (morning|afternoon|evening|day)|howdy|greetings|yo|sup|hallo|helo",
        r"^(morning|afternoon|evening)",
    ),
    AFFIRM_INTENT: _rx(
        r"yes|yeah|yea|yep|yup|ya|sure|ok|okay|k|please|definitely|correct|right|absolutely|go on|go ahead",
        r"do it|aye|certainly|fine|alright|of course|sounds good|why not|i do|it does|it is|true",
    ),
    DENY_INTENT: _rx(r"no|nope|nah|not|dont|never|none|negative|rather not|neither|nothing"),
    BOT_CHALLENGE_INTENT: _rx(
        r"bot|human|person|real|robot|ai|machine|computer|chatbot|who are you|what are you|doctor|nurse|agent",
        r"automated|automatic|live|program|programme|software|talking to|speaking to|chatting to|chatting with",
    ),
    SKIP_INTENT: _rx(
        r"skip|pass|next|dont know|not sure|no idea|unsure|rather not|leave it|move on|no answer|not applicable"
    ),
    STOP_INTENT: _rx(r"stop|enough|quit|done|finish|finished|end|later|no more|cancel|leave it|exit"),
}
SOCIAL_MAX_WORDS = 4  # a message this short is taken as the classifier read it


def looks_social(intent: str, text: str) -> bool:
    """Whether ``text`` can be the social message ``intent`` says: short, or with that intent's words."""
    t = _norm(text)
    words = SOCIAL_WORDS.get(intent)
    return words is None or len(t.split()) <= SOCIAL_MAX_WORDS or bool(words.search(t))


# Words that ask for a deletion whatever else the message says; "wipe", "keep", "remember" or "record" are
# also words of symptoms ("no feeling when I wipe", "I keep leaking").
DELETION = _rx(
    r"delete|deleted|deleting|erase|erased|erasure|gdpr|privacy|my data|personal data|chat history",
    r"(this|the|our|my) (conversation|chat|messages|history)",
)


def asks_to_delete(text: str) -> bool:
    """Words of a deletion or privacy request ("delete my data", "forget this conversation"); in a message
    that describes a symptom, only words that can mean nothing else."""
    t = _norm(text)
    if DELETION.search(t):
        return True
    return bool(PRIVACY.search(t)) and not describes_symptom(text)


_ASKING_INSIDE = _rx(
    r"is (it|this|that) normal", r"should i (worry|be worried)", r"what (could|can|might) (it|this) be"
)


def is_question(text: str) -> bool:
    """Asked as a question: a sentence the context model reads as one (a question mark or a question
    word first), or "is it normal" inside."""
    return bool(_ASKING_INSIDE.search(_norm(text))) or any(s.question for s in context.analyse(text))


def medical_intent(text: str) -> str:
    """The medical intent a message that slipped into a social or out-of-scope intent most likely has."""
    t = _norm(text)
    if WHEN_DOCTOR.search(t):
        return ASK_WHEN_DOCTOR_INTENT
    if PREVENTION.search(t):
        return ASK_PREVENTION_INTENT
    if TREATMENT.search(t) and (medical_question(text) or is_question(text)):
        return ASK_TREATMENT_INTENT
    return DESCRIBE_SYMPTOMS_INTENT
