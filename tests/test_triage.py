"""Red-flag triage: many phrasings per level, negation, past findings, several findings at once."""

from __future__ import annotations

import pathlib
from typing import Optional

import pytest
import yaml

from core.knowledge_base import KnowledgeBaseError
from core.triage import (
    RED_FLAGS_PATH,
    assess,
    emergency_number,
    first_line,
    get_red_flags,
    load,
)

EMERGENCY = [
    "I have a fever and my neck is stiff",
    "high temperature and a stiff neck since this morning",
    "my neck is really stiff and bright light hurts my eyes",
    "there's a purple rash that doesn't fade when I press a glass on it",
    "stiff neck and I feel confused and drowsy",
    "fever, bad headache and I keep vomiting",
    "was in a car crash yesterday and now my neck hurts",
    "fell down the stairs and my neck is killing me",
    "I dived into a pool and hit the bottom, now my neck hurts",
    "after the accident my arms are numb",
    "hurt my neck playing rugby and now my arms are weak",
    "worst headache of my life and my neck is stiff",
    "sudden severe headache like being hit on the head",
    "my face is drooping on one side and my neck hurts",
    "neck pain and my speech is slurred",
    "neck pain and I'm seeing double",
    "chest pain spreading to my neck and jaw",
    "crushing chest pressure and my neck aches",
    "fever and it hurts so much I can't swallow",
    "my throat is swollen, I'm drooling and it's hard to breathe",
    "I can't breathe properly and my neck is swollen",
    "numbness between my legs and back pain",
    "I lost control of my bladder and my back hurts",
    "my leg suddenly went weak and I can't walk",
    "I had a seizure and my neck is stiff",
    "fevr and stiff neck",  # typo
    "I HAVE A FEVER AND A STIFF NECK",
]

URGENT = [
    "I keep dropping things and my neck hurts",
    "my hands are clumsy, can't do up buttons",
    "I've been unsteady on my feet and have neck pain",
    "I get an electric shock down my spine when I bend my neck",
    "I have a fever and my neck aches",
    "I've lost weight without trying and my neck hurts",
    "night sweats and neck pain for a week",
    "the pain is worse at night and wakes me up",
    "neck pain and I have a history of cancer",
    "I'm on chemotherapy and my neck started hurting",
    "there's a new lump in my neck",
    "I have osteoporosis and I tripped and jolted my neck",
    "my arm is getting weaker every day",
    "my head twisted to one side after I started haloperidol",
]

SEE_DOCTOR = [
    "I get really bad spasms every day",
    "my neck has hurt for weeks and isn't getting better",
    "painkillers don't help at all",
    "the pain shoots down my arm",
    "pins and needles in my hand and a sore neck",
    "my head keeps pulling to one side",
]

NO_RED_FLAG = [
    "my neck is sore after a day at my desk",
    "I slept funny and my neck is stiff",
    "no fever, just a stiff neck",
    "I don't have a fever",
    "I don't have a rash",
    "no rash and no headache, just sore muscles",
    "I had a fever last month but not now",
    "I had cancer years ago but it's gone now and I'm fine now",
    "without numbness or tingling",
    "no numbness in my arms",
    "I'm not dizzy and my speech is fine",
    "no chest pain",
    "neither fever nor vomiting",
    "what causes neck spasms?",
    "can stress cause neck spasms?",
    "I'm fit and healthy, just a tight neck",
    "",
]


def _level(text: str) -> Optional[str]:
    return assess(text).level


@pytest.mark.parametrize("text", EMERGENCY)
def test_emergency(text: str) -> None:
    assert _level(text) == "emergency"


@pytest.mark.parametrize("text", URGENT)
def test_urgent(text: str) -> None:
    assert _level(text) == "urgent"


@pytest.mark.parametrize("text", SEE_DOCTOR)
def test_see_doctor(text: str) -> None:
    assert _level(text) == "see_doctor"


@pytest.mark.parametrize("text", NO_RED_FLAG)
def test_no_red_flag_for_negations_past_and_ordinary_pain(text: str) -> None:
    assert _level(text) is None


def test_negated_finding_is_reported_as_negated() -> None:
    result = assess("no fever but my neck is stiff and light hurts my eyes")
    assert "fever" in result.negated
    assert "fever" not in result.findings
    assert result.level == "emergency"
    assert [r.id for r in result.rules] == ["meningitis_stiff_neck_light"]


def test_several_findings_highest_level_wins() -> None:
    result = assess("my hands are clumsy, painkillers don't help, and now I have chest pain")
    assert result.level == "emergency"
    levels = {r.level for r in result.rules}
    assert levels == {"emergency", "urgent", "see_doctor"}
    assert result.rules[0].level == "emergency"
    assert "heart attack" in result.reason


def test_findings_accumulate_across_messages() -> None:
    first = assess("my neck hurts and I've had a fever since yesterday")
    assert first.level == "urgent"
    second = assess("and now my neck is stiff", known=first.findings)
    assert second.level == "emergency"
    assert "meningitis" in second.reason


def test_a_later_denial_removes_an_earlier_finding() -> None:
    first = assess("I think I had a fever")
    assert assess("sorry, no fever actually, but my neck is stiff", known=first.findings).level is None


def test_every_rule_names_its_source_and_is_reachable() -> None:
    flags = get_red_flags()
    assert len(flags.rules) >= 30
    for rule in flags.rules:
        assert rule.source
        text = " and ".join(flags.phrases[f][0] for f in (*rule.all, *rule.any_of[:1]))
        assert any(r.id == rule.id for r in flags.assess(text).rules), rule.id


def test_first_line_is_the_action(monkeypatch: pytest.MonkeyPatch) -> None:
    assert first_line("emergency").startswith("Call your local emergency number (911 / 112 / 999)")
    monkeypatch.setenv("EMERGENCY_NUMBER", "000")
    assert emergency_number() == "000"
    assert first_line("emergency") == "Call your local emergency number (000) now."
    assert first_line("urgent").startswith("Please see a doctor today")
    assert first_line("see_doctor").startswith("Please book an appointment")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["rules"][0].update(level="panic"), "rule 'meningitis_fever_stiff_neck': field 'level'"),
        (lambda d: d["rules"][0].update(all=["fever", "purple_unicorn"]), "unknown finding 'purple_unicorn'"),
        (lambda d: d["rules"][0].pop("source"), "field 'source'"),
        (lambda d: d["findings"].update(lonely=["lonely"]), "finding(s) no rule uses: lonely"),
        (lambda d: d["rules"].append(dict(d["rules"][0])), "appears twice"),
    ],
)
def test_malformed_rules_are_rejected_clearly(tmp_path: pathlib.Path, mutate, message: str) -> None:
    data = yaml.safe_load(RED_FLAGS_PATH.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "red_flags.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as err:
        load(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_every_checklist_item_says_what_fires_its_rule() -> None:
    """The checklist's buttons send plain words; each must reach the red flag it offers."""
    checklist = get_red_flags().checklist
    assert checklist.items and checklist.default
    for item in checklist.items.values():
        assert item.rule in [r.id for r in assess(item.says).rules], (item.id, item.says)


@pytest.mark.parametrize(
    "text, level",
    [
        ("my knee has hurt for six weeks", None),
        ("I've had this cough for two weeks", None),
        ("my ear hurts and tylenol hasn't helped", None),
        ("I have muscle soreness in my legs and painkillers don't help", None),
        ("my neck has hurt for six weeks", "see_doctor"),
        ("my neck and my knee have both hurt for six weeks", "see_doctor"),
        ("it's been about six weeks and the pain is no better", "see_doctor"),  # in a neck chat: about the neck
        # the emergency rules stay whatever the site
        ("my knee hurts and I have crushing chest pain", "emergency"),
    ],
)
def test_neck_rules_do_not_triage_another_part_of_the_body(text: str, level: Optional[str]) -> None:
    assert assess(text).level == level


@pytest.mark.parametrize(
    "text, level",
    [
        # poisoning: a double dose by mistake, household products, button batteries
        ("I think I took my blood pressure tablets twice by mistake this morning", "emergency"),
        ("my daughter chewed a laundry pod", "emergency"),
        ("he swallowed a button battery", "emergency"),
        ("my son swallowed one of those small round flat batteries", "emergency"),
        ("took a mouthful of what turned out to be bleach", "emergency"),
        ("my nan took her pills twice by mistake last year but she was fine", None),
        ("what should I do if my toddler swallows a button battery?", None),
        ("it turned out to be my cleaner who moved my pillow", None),
        # not waking, not responding
        ("my husband is really hard to rouse this morning", "emergency"),
        ("he collapsed and won't open his eyes", "emergency"),
        ("my friend fell down on the ice but he didn't pass out, neck a bit sore", None),
        # injury: a car that turned over, a jump into shallow water, an older person sliding from a chair
        ("our van turned over into a ditch and my neck hurts", "emergency"),
        ("jumped in at the shallow end and my neck hurts", "emergency"),
        ("my mum is 81 and slid off the sofa onto the floor, her neck hurts", "emergency"),
        ("my car wouldn't turn over this morning so I walked and now my neck aches", None),
        ("I'm 70 and I slid my chair closer to the desk and my neck aches", None),
        ("I swim in the shallow end because of my neck", None),
        ("after the fall my legs feel like they're not mine", "emergency"),
        # osteoporosis and a jolt
        ("I have osteoporosis and the dog yanked the lead, now my neck hurts", "urgent"),
        ("I have osteoporosis and my head jerked forward when the train braked", "urgent"),
        ("the dog pulled on the lead and my shoulder aches a bit", None),
        # heart: a band round the ribs
        ("like a tight band around my ribcage and it goes up my neck", "emergency"),
        ("I don't have a tight band round my ribs, just my neck", None),
        # anaphylaxis: a swollen face and a squeezed throat after a food; an EpiPen used, not carried
        ("ate prawns and my lips are huge and my throat feels squeezed", "emergency"),
        ("I had to use my EpiPen after the wasp sting", "emergency"),
        ("hard to take air since this morning", "emergency"),
        ("I carry an EpiPen for my peanut allergy, my neck is just stiff from sleeping", None),
        ("I'm allergic to shrimp so I never eat it, my neck is sore from the desk", None),
        ("I lost my epipen last week, neck is fine", None),
        # neuroleptic malignant syndrome; an acute dystonic reaction after a new psychiatric medicine
        ("she is on haloperidol and now has a high fever and is stiff as a board", "emergency"),
        ("started new tablets from his psychiatrist and now his head is twisted to the side", "urgent"),
        ("my dad was stiff as a board after his long flight, his neck aches", None),
        ("my husband started new tablets from the psychiatrist and he's doing well", None),
        # cauda equina: no feeling of a full bladder, numbness between the legs as "asleep"
        ("I can't feel when I need to pee any more and my back hurts", "emergency"),
        ("back pain and between my legs feels like it's gone to sleep", "emergency"),
        ("I'm not feeling well when I need to pee, it burns a bit", None),
        # thunderclap: "like lightning"
        ("the headache came like a bolt of lightning and my neck is stiff", "emergency"),
        ("lightning struck a tree near my house and the noise gave me a headache", None),
        # torticollis in other words; severe spasms by their length
        ("my head keeps turning to the left without wanting it to", "see_doctor"),
        ("my neck seizes up for hours at a time", "see_doctor"),
        ("when I turn my head to one side it hurts", None),
        # thunderclap told about someone else: clutching the head, "the worst pain she's ever felt"
        ("my husband suddenly clutched his head screaming, now his neck is stiff", "emergency"),
        ("she says it's the worst pain she's ever had, right at the back of her head", "emergency"),
        ("my son bumped his head and held his hand on it for a minute, he's fine", None),
        ("my mum says her neck is the worst it's been, she slept badly", None),
        # cancer history in other names
        ("I have multiple myeloma and my upper back has started hurting", "urgent"),
        ("I was treated for a sarcoma and now my neck hurts", "urgent"),
        ("what is myeloma? my neck is stiff", None),
        # weight loss for months "without trying" (the denial is part of the finding)
        ("he's been losing weight for months without trying, and his neck hurts", "urgent"),
        ("I've been losing weight on purpose at the gym and my neck is stiff", None),
        ("no weight loss, no fever, just a stiff neck", None),
        # minor injury with osteoporosis: lifting a load, a tweaked neck
        ("I have osteoporosis and tweaked my neck lifting a bag of compost", "urgent"),
        ("I have brittle bones and hurt my back carrying the shopping", "urgent"),
        ("I tweaked my neck lifting a bag of compost", None),
        ("no osteoporosis here, I just tweaked my neck at the gym", None),
        # acute dystonic reaction: a neck "cranked round"
        ("took prochlorperazine and now my neck is cranked round to the left", "urgent"),
        ("I had metoclopramide last year, now my neck is just stiff from work", None),
        # frequent or severe spasms by how often and how bad
        ("neck spasms so painful they stop me in my tracks, happening most days", "see_doctor"),
        ("my trap goes into cramps 10 times a day, way more often than it used to", "see_doctor"),
        ("painful neck spasms three times a week", "see_doctor"),
        ("I get the spasms a few times a week", None),
        ("no spasms most days, just a bit stiff", None),
        ("my calf cramps most days when I run", None),
        # "not working" belongs to the tablet, the pain goes to the hand
        ("neck pain since 1 month, tablet also not working, pain is going till hand", "see_doctor"),
        ("my neck hurts and my hand is not working properly", "emergency"),
        # meningitis: "not able to bend neck", pidgin "neck no fit bend"
        ("my brother has high fever and he is not able to bend neck", "emergency"),
        ("my pikin get high fever, him neck no fit bend", "emergency"),
        ("my pikin has a sore neck from school", None),
        ("I am able to bend my neck, no fever", None),
        # dissection: dizziness or trouble swallowing after the neck was manipulated or cracked
        ("had my neck manipulated and now everything is spinning", "emergency"),
        ("my chiropractor cracked my neck and now I'm struggling to swallow", "emergency"),
        ("the TV keeps splitting into two unless I close one eye", "emergency"),
        ("can a chiropractor make you dizzy?", None),
        ("my chiropractor cracked my neck and it feels better", None),
        # cauda equina: nothing comes out when trying to pee; numb inner thighs
        ("back pain, been trying to pee for hours and nothing comes out", "emergency"),
        ("slipped disc and the insides of my thighs feel numb", "emergency"),
        ("I pee fine, no numbness anywhere, just low back ache", None),
        # rash pressed with a cup
        ("spots on her tummy stay dark when I press a cup on them", "emergency"),
        ("I pressed the cup into the dough to cut biscuits and my neck is sore", None),
        ("rash on his legs, I rolled a cup over it and it stayed red", "emergency"),
        # tetanus: a deep scratch from a fence, a mouth that barely opens, neck cramps
        ("a deep scratch from a farm fence last week, now his neck goes into painful cramps", "emergency"),
        ("he can barely open his mouth and his neck keeps cramping", "emergency"),
        ("I scratched my arm on the fence, my neck is fine", None),
        # neuroleptic malignant syndrome: a fever given in degrees
        ("his olanzapine was upped, now he's 40 degrees and stiff as a plank", "emergency"),
        ("it's 40 degrees outside and my neck is stiff from the aircon", None),
        # meningitis: "a bit of a temp", daylight like needles in the eyes, asked off as nothing
        ("probably nothing but I have a bit of a temp and my neck is rigid, will sleep it off", "emergency"),
        ("daylight feels like knives in my eyes and my neck is stiff", "emergency"),
        ("no temp at all, my neck is stiff from the gym", None),
        ("my screen is too bright, my eyes feel tired", None),
        # thunderclap: thunder or an explosion in the skull, "all at once" is no past time
        ("it was like a bomb went off in my head and now my neck is stiff", "emergency"),
        ("like thunder inside my skull all at once, then a stiff neck", "emergency"),
        ("there was thunder all night and I slept badly, neck a bit stiff", None),
        # sudden weakness: a leg or arm that stops listening
        ("neck pain and my right arm just stopped listening to me", "emergency"),
        ("my neck hurts and my kids stopped listening to me", None),
        # 65 or over: a relative named with the age, sliding out of a chair
        ("my gran (84) slid off the sofa onto the floor and her neck is sore", "emergency"),
        ("grandad is 70 and his neck is stiff from gardening", None),
        # cauda equina: the back passage or the bum cheeks without feeling, a wee that won't come
        ("bad back and the skin around my back passage feels numb", "emergency"),
        ("is it bad if I can't feel my buttocks properly since my back went", "emergency"),
        ("should I worry if I can't feel my bum cheeks after my back went", "emergency"),
        ("I haven't been able to wee properly since last night and my back is killing me", "emergency"),
        ("I can feel my bum cheeks fine, just low back ache", None),
        ("is it bad if I sit at a desk all day with a sore neck?", None),
        # a baby under 3 months with a fever, asked as "is it bad if"
        ("is it bad if my 6 week old feels hot? 38.2 under the arm", "emergency"),
        ("my 6 week old is feeding well and has no temperature", None),
        # pidgin: spots that do not fade under a pressed cup
        ("my pikin get spots wey no dey fade when I press cup", "emergency"),
        ("my pikin has a few mosquito bites on his arm", None),
        # myelopathy: handwriting gone bad, a pen that cannot be held, imbalance when walking
        ("my handwriting has become terrible and I am not able to hold a pen properly", "urgent"),
        ("neck pain and while walking I feel an imbalance", "urgent"),
        ("my handwriting was always terrible, neck sore from my desk", None),
        # Lhermitte: a buzz or a live wire down the spine on looking down
        ("bending my neck sends a buzz down my spine", "urgent"),
        ("looking down at my phone feels like a live wire down my back", "urgent"),
        ("my phone keeps buzzing and my neck is stiff", None),
        # osteoporosis with a slip off a step or lifting a bucket
        ("I have osteoporosis and slipped off the last step, now my back hurts", "urgent"),
        ("osteoporosis, felt a catch in my upper back while lifting a bucket", "urgent"),
        ("lifting a bucket at the allotment made my neck ache", None),
        # severe spasms that make me stop and sit down
        ("the spasms in my neck get so bad I have to stop and lie down", "see_doctor"),
        ("my calf cramps are so bad I have to stop running", None),
        # a head or chin drawn to one side by itself (no medicine: cervical dystonia)
        ("my chin keeps getting dragged towards my shoulder by itself", "see_doctor"),
        ("my dog keeps dragging me to the park and my neck is sore", None),
        # a stiff neck lasting a month, not improving with anything
        ("my stiff neck has lasted a month and is not improving with anything", "see_doctor"),
        ("my neck ache is improving with the stretches", None),
        # a general question about medicines (studying), not a report
        ("which antipsychotics cause neck twisting side effects? studying for my pharmacy exam", None),
        ("which medicines can cause a stiff neck?", None),
        ("started haloperidol and my neck twisted to the side", "urgent"),
        # local phrasings (a neck "catching", a head that "buss"), a collapse with breathing, a spear tackle, a
        # leg that will not hold
        ("my daughter has a high fever and her neck is catching, she cannot bend it", "emergency"),
        ("me head just buss out of nowhere, worst ever feel in me life", "emergency"),
        ("sudden sharp pain in my head and neck after a handstand, now my right arm is weak", "emergency"),
        ("my dad went down on the bathroom floor, he's breathing but not responding", "emergency"),
        ("got spear tackled in training and now my legs are weak", "emergency"),
        ("woke up this morning and my right leg gave way under me", "emergency"),
        ("on a new antipsychotic since Monday and my head keeps pulling to the left", "urgent"),
        ("pins and needles down into my thumb with my neck pain", "see_doctor"),
        # an event seen at work, a single past seizure, a job started weeks ago
        ("my wife is a nurse in A&E and deals with car crashes every shift, my neck is just a bit stiff", None),
        ("had a single seizure when I was 9, never again since, now a stiff neck from my pillow", None),
        ("I moved into a new flat two weeks ago and my neck gets tight at my desk", None),
        # Nigerian Pidgin: a fever said as "dey hot", "no fit" (cannot) and "no gree" (refuses) are findings
        ("my sister dey hot like fire and her neck stiff, she no fit open eye for light", "emergency"),
        ("she no fit bend her neck and she dey hot", "emergency"),
        ("my pikin of 2 years dey hot, e no gree chop, e just dey weak like rag", "emergency"),
        ("I don dey lose weight anyhow, my cloth dey loose, my neck dey pain me", "urgent"),
        ("e no dey hot, na just neck pain", None),
        ("Lagos dey hot well well today and my neck dey pain me small", None),
        ("opened my eyes to the morning sun with a stiff neck from the pillow", None),
        ("I no get fever, my neck stiff small", None),
        # Tagalog-English: a motorbike accident, and "wala" / "hindi" deny
        ("naaksidente po sa motor my brother, his neck is very painful and his hands are numb", "emergency"),
        ("my dad was in an accident years ago, naaksidente sa motor, he's fine now, my neck aches", None),
        ("wala naman fever po, just stiff neck from the long bus ride", None),
        ("walang rash po, stiff neck lang", None),
        ("hindi naman masakit ang ulo, neck is stiff from sleeping", None),
        # a rash that fades, goes white or disappears when pressed is not the meningitis rash
        ("got a rash on my arm but it fades when I press a glass on it, no temperature, neck stiff", None),
        ("the spots go white when I press them, neck stiff from sleeping funny", None),
        ("did the glass test and the rash disappeared under it", None),
        ("the rash doesn't fade when I press a glass on it", "emergency"),
        ("pressed a glass on the spots and they didn't go away", "emergency"),
        ("my son has a rash, I pressed a glass and it's still there", "emergency"),
        # meningitis signs in other words; a sudden splitting head pain; onset overnight
        ("got a temp and I've been sick twice, can't even look at the window it's too bright", "emergency"),
        ("got a temp and I keep being sick, but the light doesn't bother me, neck sore", "urgent"),
        ("sudden splitting pain at the back of my head, neck stiff as a board", "emergency"),
        ("sudden sharp pain in my neck when I turned my head", None),
        ("woke up and couldn't grip anything with my left hand, totally weak, it was fine at bedtime", "emergency"),
        ("was fine when I went to bed and woke up with a crick in my neck", None),
        ("my left hand is clumsy and my wife says my face looks uneven", "emergency"),
        ("a bee got me on the neck and now I can't swallow properly", "emergency"),
        ("a bee stung me on the arm yesterday, bit itchy, neck sore", None),
        ("back pain for 4 days, today no sensation in the private part area", "emergency"),
        ("back pain and my urine is not coming properly", "emergency"),
        ("no numbness anywhere and no trouble with urine, just back pain", None),
        # frequent spasms and painkillers that do not shift the pain, said in other words
        ("keep getting neck cramps that lock me up, happening almost daily", "see_doctor"),
        ("neck catching is happening again and again, very frequent", "see_doctor"),
        ("co-codamol isn't shifting my neck pain at all", "see_doctor"),
        ("ibuprofen and paracetamol together for 5 days now, not touching the neck pain", "see_doctor"),
        ("these painkillers are not touching the pain in my knee", None),
        # hair and scalp complaints are another part of the body
        ("dandruff won't go away, I've tried head and shoulders", None),
        ("hair fall problem since 2 months, please suggest oil", None),
        ("pins and needles in my thumb for two weeks with a stiff neck, I'm a hairdresser", "see_doctor"),
        # sleepiness with a fever; a temperature reading makes a question somebody's own
        ("she has a fever and we can barely keep her eyes open", "emergency"),
        ("is it ok to have a stiff neck and a temp of 39.1?", "emergency"),
        ("is it normal to have a stiff neck with a fever?", "emergency"),  # asked about oneself
        ("what are the signs of a stiff neck with a fever?", None),
        # one side of the face after a neck twist; Scots and Patois words
        ("cracked my neck and now the left side of my face feels numb", "emergency"),
        ("ma heid's birlin and ah'm seein double", "emergency"),
        ("a cannae feel ma backside since the fall", "emergency"),
        ("my neck's stiff, nae temperature, nae headache", None),
        ("mi neck stiff, mi nuh have nuh fever", None),
        # Tagalog-English: "hindi/di maka-" is an inability, "hindi" before a symptom a denial
        ("di ako makahinga, namamaga dila ko", "emergency"),
        ("hindi ako makaihi at manhid pwet ko", "emergency"),
        ("masakit leeg ko pero walang lagnat, hindi rin mahirap huminga", None),
        ("may lagnat ako at naninigas ang leeg ko", "emergency"),
        ("sobrang sakit ng dibdib ko at pinagpapawisan ako", "emergency"),
        ("masakit ang leeg ko pag tumitingin sa computer", None),
        # a young baby's age said without "old"; an older child's long cough is not that
        ("our baby is 6 weeks and has a temperature of 38", "emergency"),
        ("my son is 6 and has had a fever for 2 days", None),
        # a wound said in Pidgin, with a locked jaw
        ("iron jam my foot for farm, now my jaw don lock", "emergency"),
        # see a doctor: pain that will not budge, spasms more often than before
        ("this shoulder blade pain isnt budging at all", "see_doctor"),
        ("neck ache from an old strain still hasnt cleared", "see_doctor"),
        ("my neck spasms come more often now, used to be once a month", "see_doctor"),
        ("my spasms used to come every day, now they are rare", None),
        # clenching or grinding the teeth is not a locked jaw nor a twisted neck
        ("sore jaw from grinding my teeth at night", None),
        ("my jaw is clenched shut and I cut my foot on a rusty nail", "emergency"),
        # someone else's event that help already saw to
        ("a man at the gym collapsed, paramedics sorted him out, I just have a sore neck from lifting", None),
        ("my daughter had a febrile fit when she was a toddler, she is 9 now and well", None),
        # fever with light hurting, a foot dragging, a dive onto the head, swallowing after a nut, a fever or a
        # crash that is past, Scots, Jamaican and Tagalog phrasings: in our own words, each with a near miss
        ("temp of 38.8, neck sore to bend and any light at all makes me wince", "emergency"),
        ("my phone screen makes me squint, neck a bit sore, no temperature", None),
        ("right foot suddenly dragging when I walk and my neck is agony", "emergency"),
        ("dived off the trampoline and landed on top of my head, neck hurts", "emergency"),
        ("landed awkwardly on my feet off the trampoline, sore ankle", None),
        ("ate a walnut brownie, now it's hard to swallow", "emergency"),
        ("fever 39 and I'm unable to swallow even water", "emergency"),
        ("no fever, I can swallow fine, just a stiff neck", None),
        ("my neck cramps locked up again, third time this week", "see_doctor"),
        ("I had a fever last week, now just a stiff neck from the sofa", None),
        ("I had a car crash last week and my neck still hurts", "emergency"),
        ("my neck has been stiff since last week and I've a fever of 39", "emergency"),
        ("the noo ma arm's gone weak an ma neck's sair", "emergency"),
        ("mi cyaan feel mi batty an mi back a hurt", "emergency"),
        ("hindi na niya maigalaw ang kanang braso, masakit leeg", "emergency"),
        ("masakit panga ko, pawis na pawis ako", "emergency"),
        # weakness after the neck was manipulated, muddled speech, a hand at the chest, jaw pain with sweating,
        # saddle numbness, weight loss with night sweats, weakness getting worse: in our own words, each with a
        # near miss
        ("the osteopath clicked my neck and since then my right arm is weak", "emergency"),
        ("the osteopath clicked my neck and it feels looser now", None),
        ("her speech is all over the place and she seems off", "emergency"),
        ("dad keeps clutching at his chest", "emergency"),
        ("jaw aching and I'm drenched in sweat", "emergency"),
        ("no feeling down below when I wipe and low back pain", "emergency"),
        ("this morning my whole right side went heavy and numb", "emergency"),
        ("my right side of the neck is numb from sleeping on it", None),
        ("lost half a stone without trying and I've had night sweats", "urgent"),
        ("my hand gets weaker every day and my neck aches", "urgent"),
        ("my foot keeps catching on the stairs and my neck hurts", "urgent"),
        ("the spasms in my neck bring me to tears, daily now", "see_doctor"),
        ("had a trip on the pavement, didn't hit my head, just scuffed my shoe", None),
        ("stung by a wasp as a kid and my lips swelled up, I'm fine now", None),
        ("the pain doesnt go down my arm, it's just my neck", None),
        ("what exactly is meningitis?", None),
        ("I'm off work for the weekend, neck a bit tight", None),
        ("she's painting the ceiling and now her neck is sore", None),
        # fever in Fahrenheit or Celsius (not the weather), a headache at its worst at once, painkillers that do
        # not help, a head pulling with a tremor, a locked jaw after a rusty cut: in our own words, each with a
        # near miss
        ("temp 103F, throwing up and a bad headache", "emergency"),
        ("he is 39.5c with a stiff neck", "emergency"),
        ("it was 38c outside today and my neck is stiff from the car", None),
        ("my neck hurts to bend it and I've got a temperature of 101", "emergency"),
        ("the headache came on instantly, the worst I've known", "emergency"),
        ("been on ibuprofen a week and my neck is no better", "see_doctor"),
        ("my head pulls sideways on its own and there's a tremor", "see_doctor"),
        ("my jaw is sore from grinding, I clench at night", None),
        ("my jaw is clenched tight since I cut my hand on a rusty gate", "emergency"),
        # a child hurt by light, fever with confusion, a tearing in the neck then weakness, a quad bike or car
        # crash, a young baby's temperature, a new lump, weight lost without trying: in our own words, each with
        # a near miss
        ("her neck is stiff and she cries when we open the curtains", "emergency"),
        ("he's feverish and isn't making much sense", "emergency"),
        ("felt a tearing in my neck turning round and now my left hand is weak", "emergency"),
        ("rolled the quad bike on the farm, neck sore", "emergency"),
        ("my legs feel funny and my neck hurts after the crash", "emergency"),
        ("our baby, 7 wks, is 38.2", "emergency"),
        ("our son is 9 and has had a temperature for 2 weeks", None),
        ("a new lump above the collar bone and my neck aches", "urgent"),
        ("mum's neck hurts and she has been losing weight", "urgent"),
        ("trying to lose weight for summer, neck stiff from the gym", None),
        ("she has been losing weight on her diet and her neck is stiff", None),
        ("I am not trying to lose weight but I have dropped 6 kilos and my neck hurts", "urgent"),
        ("my hands are weak from arthritis", None),
        # a sudden worst headache in Scots or as a cracked skull, swallowing and voice gone wrong, a noisy breath
        # with fever, weakness since this morning, clumsy fingers, burning down the arm; past events, age alone,
        # a polite question: in our own words, each with a near miss
        ("worst sore head o ma life, came on wi a bang, neck's stiff", "emergency"),
        ("felt like my skull cracked open while lifting, neck hurts now", "emergency"),
        ("all of a sudden my tea keeps going down the wrong way and my voice sounds strange", "emergency"),
        ("my voice sounds strange from shouting at the match and my neck is stiff", None),
        ("fever and a whistling noise when she breathes in, neck swollen", "emergency"),
        ("my arm is weak and it was totally normal this morning", "emergency"),
        ("my fingers feel fat and clumsy and I can't pick up coins", "urgent"),
        ("burning from my neck down to my forearm", "see_doctor"),
        ("we played footy in the park, neck a bit stiff after", None),
        ("my neck twisted on haloperidol as a teen, they sorted it in hospital", None),
        ("I am 74 and my neck never stops hurting", None),
        ("my dad was in hospital for weeks after his stroke and now my neck hurts", None),
        ("my neck has hurt for weeks, I was in hospital for a scan", "see_doctor"),
        ("may I ask why my neck is sore since yesterday", None),
        ("my neck has gone into a weird twist and I can't move it back, started olanzapine on Monday", "urgent"),
        # a headache from nothing to the worst, as if hit on the head, lost words with spinning, heart pain like
        # indigestion or jaw pain on effort, a first fit later in life, balance and hands going downhill, a
        # long-standing stiffness that is now worse: in our own words, each with a near miss
        ("it went from nothing to the worst ever in a second, neck rigid", "emergency"),
        ("nothing to worry about, just a stiff neck from the gym", None),
        ("felt like somebody whacked me on the head, now my neck is stiff", "emergency"),
        ("I keep losing my words and the room is spinning", "emergency"),
        ("his chest feels like indigestion and it goes up to his jaw, he's clammy", "emergency"),
        ("my jaw aches when I walk up the hill and stops when I sit down", "emergency"),
        ("my first ever fit at 52, neck sore and a headache", "emergency"),
        ("I had my first ever migraine at 30, my neck gets tight with them", None),
        ("my balance has gone downhill and my hands feel awkward", "urgent"),
        ("my right arm has been getting weaker over the last week", "urgent"),
        ("I pulled my neck over the weekend, it's over now", None),
        ("she has had a stiff neck for years, the same as always", None),
        ("she has had a stiff neck for years and it is getting worse", "see_doctor"),
        ("a mild headache since I gave up sugar this week", None),
        # someone else's worst headache, a drooping mouth, choking after a rough massage, a jaw with clamminess,
        # neck injuries from wrestling, stairs and an e-bike, a knock on long-term steroids, getting worse despite
        # treatment; things watched or read and words used in another sense: in our own words, each with a near miss
        ("he clutched his head, said it was the worst pain he'd ever felt, neck stiff now", "emergency"),
        ("the corner of her mouth is drooping and she's dribbling out one side", "emergency"),
        ("the masseuse was really rough with my neck and now I keep choking when I drink", "emergency"),
        ("his jaw feels achy and he's clammy and sick to his stomach", "emergency"),
        ("my shoulder feels achy after the gym", None),
        ("we were wrestling and he pinned my head, now my arm won't lift", "emergency"),
        ("fell down a whole flight of stairs and landed on my neck", "emergency"),
        ("my e-bike got clipped by a taxi, neck sore", "emergency"),
        ("steroids for years, bumped into the door frame with my shoulder, really sore", "urgent"),
        ("my arm gets a bit weaker each day and my neck aches", "urgent"),
        ("tried everything, heat, rest, stretches, and my neck is getting worse not better", "see_doctor"),
        ("I'm getting better with the stretches, neck less stiff", None),
        ("involuntary head jerks that are getting more frequent", "see_doctor"),
        ("what counts as a stiff neck with meningitis", None),
        ("breathless with excitement about the new massage chair", None),
        ("watched a video of a rugby player who broke his neck, scary, my neck's just tight", None),
        ("in the film we watched a character had a stroke, can neck pain cause that?", None),
        ("customs seizure of my parcel stressed me out, my neck is tight", None),
        ("my spasms are bad but not like I can't breathe", None),
        ("I have a new pillow and my neck is sore", None),
        # fever with a chin that will not go down, a recent fit, falling over, double vision on turning, a fall or
        # crash at speed, saddle numbness "like the dentist", bladder sense lost, tablets that will not go down;
        # a fever that is past, news and videos, sewing pins: in our own words, each with a near miss
        ("temp of 39 and she can't put her chin down, the light hurts", "emergency"),
        ("had a fit about an hour ago and my neck is stiff", "emergency"),
        ("she had a fit about the mess, my neck is stiff from cleaning", None),
        ("I can't walk without falling over and the back of my neck hurts", "emergency"),
        ("everything goes double when I turn my head, neck sore", "emergency"),
        ("my right arm and leg went weak this morning", "emergency"),
        ("came off the motorbike at about 50, neck sore", "emergency"),
        ("fell off the loft ladder onto the concrete", "emergency"),
        ("the horse kicked me and now my arm keeps going numb, neck sore", "emergency"),
        ("my saddle area feels like the dentist injected it", "emergency"),
        ("I can't tell when I need to wee anymore and my back aches", "emergency"),
        ("fever, neck swollen, can't get my tablets down", "emergency"),
        ("my legs are wobbly and my fingers clumsy, slowly getting worse", "urgent"),
        ("the spasms in my traps are brutal and keep coming back daily", "see_doctor"),
        ("tried every painkiller in the house and my neck still hurts", "see_doctor"),
        ("fingers feel fuzzy and my neck is tight", "see_doctor"),
        ("a knot in my neck for 2 days that won't shift", None),
        ("I had a fever back in March, all gone, now just a stiff shoulder", None),
        ("my teeth were fine last week but now my jaw and neck ache and I'm pale and sweating", "emergency"),
        ("saw a tiktok where a man's throat swelled up, what is anaphylaxis?", None),
        ("bought pins and needles for my sewing machine, my neck aches from it", None),
        ("since the new anti-sickness tablets my head is stuck turned to the right", "urgent"),
        ("the neck spasms hit several times a day now", "see_doctor"),
        ("watched a documentary where a man had a stroke after a neck massage", None),
        ("I saw on the news about meningitis, I have a stiff neck and a fever of 39", "emergency"),
    ],
)
def test_findings_in_general_words(text: str, level: Optional[str]) -> None:
    assert assess(text).level == level, [r.id for r in assess(text).rules]


@pytest.mark.parametrize(
    ("text", "level"),
    [
        # one rule, either way in: severe dizziness with neck pain, or after the neck was manipulated
        ("my neck hurts and the room is spinning, I can't stand", "emergency"),
        ("the chiropractor cracked my neck and now the room is spinning and I can't stand", "emergency"),
        ("the room is spinning and I can't stand", None),
        ("the chiropractor cracked my neck, no dizziness at all", None),
    ],
)
def test_a_rule_with_alternatives(text: str, level: Optional[str]) -> None:
    assessment = assess(text)
    assert assessment.level == level, [r.id for r in assessment.rules]
    if level:
        assert "stroke_dizziness" in [r.id for r in assessment.rules]


def test_a_rule_alternative_must_be_a_known_finding(tmp_path: pathlib.Path) -> None:
    text = RED_FLAGS_PATH.read_text(encoding="utf-8").replace(
        "any: [neck_pain, neck_manipulation]", "any: [neck_pain, no_such_finding]"
    )
    assert "no_such_finding" in text
    (tmp_path / "rf.yml").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="any"):
        load(tmp_path / "rf.yml")
