"""One context model (core/context.py) for every finding: triage, crisis and cause suggestions."""

from __future__ import annotations

from typing import Optional

import pytest

from core.context import analyse, asserted_text, looks_back
from core.kb_loader import get_kb
from core.triage import assess, crisis_in


def level(text: str) -> Optional[str]:
    return assess(text).level


@pytest.mark.parametrize(
    "text",
    [
        "no chest pain, just a tight neck",
        "my neck is stiff, I don't have a rash or a fever",
        "stiff neck without fever",
        "I don't think I have a fever",
        "no fever, rash or headache",
        "neither a fever nor a rash",
        "I haven't been in an accident",
        "fever is gone but my neck is sore",
        "the doctor ruled out meningitis",
        "not numb or tingly anywhere",
        "I dont have a temperature and the light doesn't bother me, it's just a crick in my neck",
        "he doesn't have a fever and his neck isn't stiff",
        # a history by nature, denied between its words
        "years ago I tried party drugs at a festival, never injected anything, now my neck aches",
    ],
)
def test_negated_findings_do_not_count(text: str) -> None:
    assert level(text) is None, assess(text)


@pytest.mark.parametrize(
    "text",
    [
        "had a fever last month",
        "I had a fever last week but it's gone now",
        "I was in a car crash years ago",
        "used to get seizures as a child",
        "I had chest pain last year but it cleared up",
    ],
)
def test_past_episodes_do_not_count(text: str) -> None:
    assert level(text) is None, assess(text)


@pytest.mark.parametrize(
    "text",
    [
        "what are the signs of meningitis?",
        "can a car crash cause neck pain?",
        "does whiplash cause numbness in the arms?",
        "if I get a fever with a stiff neck should I go to A&E?",
        "how do you know if neck pain is a heart attack?",
        "When a person is very dehydrated do they sometimes get a tight pain in their chest before they faint?",
        "I watched a film about a car crash and my neck is tense",
    ],
)
def test_questions_and_hypotheticals_do_not_count(text: str) -> None:
    assert level(text) is None, assess(text)


@pytest.mark.parametrize(
    "text",
    [
        "my boss is a pain in the neck",
        "my hair is falling out",
        "I fell asleep on the sofa and woke up with a sore neck",
        "my laptop crashed and I've been hunched over it all day",
        "you nearly gave me a heart attack",
        "something is wrong with my head",
        "I have a bad headache and my shoulders ache",
        "hay fever is back and my eyes are itchy",
    ],
)
def test_figures_of_speech_do_not_count(text: str) -> None:
    assert level(text) is None, assess(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my son is 4, he has a temperature and screams when I bend his head forward", "emergency"),
        ("my husband has a high fever and a really stiff neck", "emergency"),
        ("my mum is 80, she had a fall and now her neck hurts", "emergency"),
        ("my daughter's rash doesn't fade when I press a glass on it", "emergency"),
    ],
)
def test_another_persons_findings_count(text: str, expected: str) -> None:
    assert level(text) == expected
    assert any(s.other_person for s in analyse(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no fever but my neck is stiff and the light hurts my eyes", "emergency"),
        ("I don't have a rash, but I do have a high fever and a stiff neck", "emergency"),
        ("no headache. however my speech is slurred", "emergency"),
        ("I had a fever last month but not now; today my arm is getting weaker", "urgent"),
        ("can stress cause neck spasms? also I have a fever and my neck is stiff", "emergency"),
        ("is it normal that my neck is stiff and I have a fever?", "emergency"),
        ("my neck wont stop hurting and painkillers aren't helping", "see_doctor"),
        ("my walking has got wobbly over the last month", "urgent"),
    ],
)
def test_an_asserted_finding_beside_a_denied_one_still_counts(text: str, expected: str) -> None:
    assert level(text) == expected, assess(text)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("I don't have a rash or a temperature", "infections"),
        ("I wasn't in any accident or fall", "neck_injury"),
        ("no fever or stiff neck, just desk work", "infections"),
    ],
)
def test_the_cause_suggester_uses_the_same_context(text: str, absent: str) -> None:
    suggested = [s.cause.id for s in get_kb().suggest(text)]
    assert absent not in suggested, suggested


def test_the_suggester_sees_what_the_triage_sees() -> None:
    text = "no fever, but I slept awkwardly and my neck is stiff"
    assert "fever" not in asserted_text(text)
    assert "slept awkwardly" in asserted_text(text)


@pytest.mark.parametrize(
    ("text", "crisis"),
    [
        ("I want to kill myself", True),
        ("everyone would be better off without me", True),
        ("I have the pills ready", True),
        ("i dont want to be here anymore", True),
        ("if this pain doesn't stop I'll end it all", True),
        ("I'd rather die than go back to spin class", False),
        ("I'm not suicidal, just sore", False),
        ("dying to know what helps", False),
        ("my neck is killing me", False),
        ("this traffic is killing me", False),
        ("I swallowed all my tablets, I just want it all to stop", True),
        ("this is the last time you will hear from me", True),
        ("everyone would have a better life if I just wasn't in it", True),
        ("I want the pain to stop, it's been three days", False),
        ("my life would be easier if my neck didn't hurt all the time", False),
        ("the last time my GP saw me she said it's arthritis", False),
        # a past statement counts unless the message says it is over
        ("I took an overdose last year", True),
        ("I took an overdose last year and haven't been well since", True),
        ("I took an overdose as a teenager, that was 20 years ago and I've been well for years now", False),
        ("I overdosed years ago and have been fine since, but I'm thinking of ending it again", True),
        # indirect statements
        ("I won't be a burden to anyone much longer", True),
        ("my family would have an easier life if i just wasnt here", True),
        ("pls i want die, pain never stop", True),
        ("honestly ive started thinking about ways to stop existing", True),
        ("I sorted out who gets my guitar and my car", True),
        ("it feels calmer now that it's decided", True),
        ("I won't be a burden to my family, I've hired a carer", False),
        ("my life would be easier if my neck didn't spasm", False),
        ("we sorted out who gets the window seat on the flight", False),
        ("I feel calmer now that I've booked the physio", False),
        ("I don't want to die, I just want the pain gone", False),
        # a distant past said to be over
        ("I overdosed when I was 19, that's 15 years ago and I'm in a good place now", False),
        ("I used to self harm as a teenager, I'm 30 now and doing well", False),
        ("I had a bad overdose about twelve years ago and I'm honestly in a really good place now", False),
        ("I used to self harm as a teenager and I've started again", True),
        ("I overdosed last year and I'm not in a good place", True),
        # ending it: an intent, a time or a place, in English and pidgin
        ("I'm going to end it tonight", True),
        ("I just want to end things", True),
        ("thinking of driving to the cliff and ending it", True),
        ("I've got the rope, I'm ending it", True),
        ("I wan just end am, I don tire for this life", True),
        ("I'm thinking of ending it with my boyfriend", False),
        ("I want to end the call now, thanks", False),
        ("we're ending the session early today, my neck is better", False),
        ("I would never end it, I have my kids", False),
        # not being around or alive any more, the others better off
        ("everyone would be better if I just wasn't around any more", True),
        ("they'd all be happier if I wasn't here", True),
        ("I won't be around much longer", True),
        ("I just want to not be here any more", True),
        ("my neck would be better if I wasn't at a desk all day", False),
        ("my sister won't be around this weekend, she's away", False),
        # done with it all, for good
        ("I'm done with all of it, for good", True),
        ("I'm done with life", True),
        ("I'm done with this neck pain", False),
        ("I'm done with physio for good, it didn't help", False),
        ("I'm done for the day, neck is sore from work", False),
        # a last message or goodbye to everyone
        ("this is my last message to anyone", True),
        ("goodbye everyone, I'm sorry for everything", True),
        ("goodbye forever", True),
        ("my last message didn't send, can you repeat?", False),
        ("goodbye and thanks for everything, the stretches helped", False),
        # how much it takes, too late to save
        ("how much paracetamol does it take before it's too late to save someone? asking for me", True),
        ("how many tablets would it take to not wake up", True),
        ("what is the lethal dose of codeine", True),
        ("how many paracetamol can I take a day for neck pain?", False),
        ("how much ibuprofen can I take with my neck pain", False),
        ("is it too late to book a physio appointment today?", False),
        # nobody will miss me
        ("nobody will miss me when I'm gone", True),
        ("nobody go miss me", True),
        ("nobody would miss me at all", True),
        ("nobody will miss me at work tomorrow if I call in sick", False),
        ("my friend said nobody missed her at the party", False),
        # not waking up
        ("I want to go to sleep and not wake up", True),
        ("I want to sleep without waking up with a stiff neck", False),
        # idioms, denials and the past said to be over
        ("this job is killing me, my neck is in knots", False),
        ("I'm not suicidal, just fed up with this neck", False),
        ("I self harmed years ago but haven't in a very long time, I'm doing well", False),
        ("I self harmed years ago and I'm doing it again", True),
        ("I'm 40 now and doing well, the overdose was 20 years ago", False),
        # texting shorthand, researching a drop or a dose, self-injury, goodbyes, poison ready
        ("honestly might just kms lol", True),
        ("gonna unalive myself this weekend", True),
        ("I walked 10 kms yesterday and my neck is stiff", False),
        ("keep googling the tallest building in town and how far the drop is", True),
        ("been working out how many of my tramadol it would take", True),
        ("looking up which bridge has the best views for photos", False),
        ("the drop in temperature would be enough to give me a stiff neck", False),
        ("my sister says she's going to take all her tablets tonight", True),
        ("my mum takes all her pills in the morning", False),
        ("I pick at my skin until it bleeds on purpose when I'm angry", True),
        ("said my goodbyes to my mum and gave my dog to my neighbour", True),
        ("it won't matter after tonight anyway", True),
        ("there is no purpose in my life anymore", True),
        ("I've got the weed killer ready", True),
        ("the weed killer is in the shed", False),
        # a past crisis said to be over, then a new subject
        ("I was suicidal when I was at uni but came out the other side. These days I just want desk stretches", False),
        ("overdosed in my twenties, been fine for years now. Now I'd like help with a stiff neck", False),
        ("I was suicidal years ago and got through it but now I'm having those thoughts again", True),
        ("attempted suicide a long time ago and got through it with therapy, now I just have a sore neck", False),
        ("a long time ago I was suicidal and I still am", True),
        # a railway, a road or a height as the way
        ("the tracks are behind the house and I keep thinking about walking onto them", True),
        ("I keep thinking about stepping in front of a train", True),
        ("stood on the bridge looking down, thinking it would all be over quickly", True),
        ("I walk along the train tracks to work and my neck hurts", False),
        ("we were on the top floor of the car park looking down at the view, my neck is stiff", False),
        ("I'm not thinking about walking onto the tracks, just a stiff neck", False),
        ("I thought it would be quick to fix my posture", False),
        # other Englishes
        ("mi cyaan tek it nuh more, mi waan dead", True),
        ("mi jus waan dead an done", True),
        ("i cant take it no more, i want to be dead", True),
        # a whole pack on purpose
        ("swallowed the whole packet of my painkillers on purpose", True),
        ("I took all my tablets deliberately", True),
        ("I took the whole box of antibiotics like the doctor said", False),
        ("I took all my tablets this morning as prescribed, neck still sore", False),
        # goodbyes and a decision made; someone left better off with another
        ("said my goodbyes to everyone and I'm at peace with it now", True),
        ("the family would be better off with someone else, my mind is made up", True),
        ("said my goodbyes to my gran before she died, my neck has been tense since", False),
        ("my kids would be better off with their dad this weekend while I rest my neck", False),
        # another person's statements and warning signs
        ("she keeps telling me we'd be better off without her", True),
        ("worried about my dad, he's been giving his things away and says he won't need them", True),
        ("honestly we'd be better off without him, he never pays child support", False),
        ("my friend said I'm better off without him since the break up, my neck is tense", False),
        ("he keeps saying we'd all be better off without him", True),
        ("I thought it would be quick to drop the kids off first", False),
        ("spent all day on the roof looking down at the drop, I'm a roofer and my neck is sore", False),
        ("my ex is giving his stuff away to charity because he is moving", False),
        # a past use said to be over
        ("years ago I overdosed at a festival, been clean 6 years. now my neck aches from my phone", False),
        ("I overdosed two years ago, been clean 6 months but I'm thinking of doing it again", True),
        # Tagalog-English, Scots, Pidgin
        ("ayoko na mabuhay", True),
        ("mas masaya sila kung mawala na ako", True),
        ("pabigat lang ako sa lahat", True),
        ("walang lagnat, masakit lang leeg ko", False),
        ("been thinkin aboot endin ma life", True),
        ("when I no dey again my children go dey alright", True),
        # a farewell that gives up; where the person stands now
        ("this is my final message, thank you for trying", True),
        ("thanks for everything, my last message was about my shoulder", False),
        ("sitting on the edge of the bridge right now", True),
        ("parked on the top floor of the car park and my neck hurts from twisting to reverse", False),
        # in our own words: other Englishes and languages, a gun, a block of flats, a mind made up, someone
        # else's stated intent, the means got out, a burden, a height now, a note, a plan, tablets stockpiled,
        # rather dead, a knife held; and their near misses
        ("a cannae dae it anymair, am gonnae end it", True),
        ("mi nuh waan live no more", True),
        ("ion wanna be alive no more", True),
        ("thinking of jumping off my block tonight", True),
        ("jumped off the block wall and twisted my neck", False),
        ("he says he'll shoot himself, there's a gun in the shed", True),
        ("she keeps saying she's going to hurt herself", True),
        ("careful, he's going to hurt his neck on that trampoline", False),
        ("I won't be around much longer, I've decided", True),
        ("I won't be around much this week, working late", False),
        ("my sister self harmed as a teen, she's been well for over a decade", False),
        ("I've got the blades out again", True),
        ("the tablets don't touch it, what's the point of them", False),
        ("honestly I'm just a burden", True),
        ("I don't feel like a burden, just stressed about my neck", False),
        ("on the balcony right now thinking about jumping", True),
        ("there's a shotgun in the cabinet and lately I think about turning it on myself", True),
        ("I use a massage gun on my traps, I use it on myself after work", False),
        ("we have a rope swing in the garden, my neck hurts from pushing the kids", False),
        ("jeena nahi chahta ab, bas", True),
        ("my wife passed last spring, I think it is time I joined her", True),
        ("I joined her gym last spring and my neck has hurt since", False),
        ("the note is written and the bath is running", True),
        ("I wrote the note for school and my neck aches", False),
        ("how many sleeping pills would it take to die", True),
        ("how many paracetamol can I take in a day for neck pain", False),
        ("I cut my arms because I deserve the pain", True),
        ("I deserve a massage after this week, my neck is burning", False),
        ("I know how I'm going to do it, I just need to pick the day", True),
        ("I know how to do it, the physio showed me the stretch", False),
        ("I've been stockpiling my tramadol", True),
        ("I've been saving up for a massage chair for my neck", False),
        ("I punch myself on purpose when it gets too much", True),
        ("I hit my head on the cupboard, my neck hurts", False),
        ("honestly I'd rather be dead than live with this pain", True),
        ("I'd rather die than sit through that meeting again", False),
        ("gonnae top masel the night", True),
        ("I'll take the lot of my tramadol and be done with it", True),
        ("I take the lot of my tablets in the morning, neck still sore", False),
        ("what's the point of going on, nothing works", True),
        ("what's the point of going on about it, my neck is just stiff", False),
        ("quiero morirme, no puedo más con este dolor", True),
        ("I hold the knife and think about it sometimes", True),
        ("I hold the knife wrong when I chop, my wrist aches", False),
        ("I'd be better off in the ground", True),
        ("I cut myself on a tin and had a tetanus jab", False),
        ("he says he don buy sniper, he wan kill imself", True),
        ("I've made my peace, I won't be here by my birthday", True),
        ("I've made my peace with the neck pain, it's just part of life", False),
    ],
)
def test_crisis_statements_with_the_same_context(text: str, crisis: bool) -> None:
    assert crisis_in(text) is crisis


@pytest.mark.parametrize(
    "text, back",
    [
        ("that was 3 years ago and they said it was reflux, today it's only a stiff neck", True),
        ("That was back in March, I was treated and I'm fine now", True),
        ("this was all back in 2019", True),
        ("that was an hour ago and now my arm is numb", False),
        ("that happened this morning", False),
        ("it was sudden and my neck hurts", False),
        ("my neck was stiff years ago", False),
    ],
)
def test_a_later_turn_can_place_what_was_said_before_in_the_past(text: str, back: bool) -> None:
    assert looks_back(text) is back
