"""Context of a mention: negated, in the past, hypothetical, a figure of speech, about someone else.

One algorithm (after ConText: Harkema et al., J Biomed Inform 2009, as in medspaCy's ``context``)
over the same text for every finding: red flags (``core/triage.py``), crisis statements and the
cause suggester (``core/knowledge_base.py``). No Rasa imports.

The text is cut into sentences (``. ; ! ? newline``); inside a sentence a comma is kept as the token
``COMMA``. Then, per sentence:

1. **Figures of speech** are masked (their words replaced by ``MASK``) before any matcher sees
   them: "a pain in the neck" (not "my neck"), "hair falling out", "fell asleep", "I'd rather die
   than ...", "dying to".
2. **Triggers** open a scope: *negation* ("no", "not", "without", "dont have", "never had",
   "I dont think I have", "ruled out"), *hypothetical* ("if", "what if", "in case", "what are the
   signs of", "can a car crash cause ..."), *historical* ("last month", "years ago", "used to",
   "as a child"). A forward trigger's scope runs to the end of the sentence or to the first
   terminator ("but", "however", "just", "only", "now", "I have", "my", a new clause after a comma);
   a backward trigger ("... is gone", "... ruled out") covers the words before it back to a
   terminator. Pseudo-triggers ("not only", "no idea why", "not sure why") open nothing.
3. **Another person** ("my son", "she", "my husband") is noted: their findings count, and replies
   can say so.

``Sentence.modifier(start)`` gives the context of a mention starting at that character of the
normalised sentence (None when it is asserted: not negated, not hypothetical, not over).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import List, Optional, Tuple

from core.text import fold_phrases, normalise, words_regex

COMMA = "qq0"  # stands for a comma inside a normalised sentence (no letter-only word: never "corrected")
MASK = "zz0"  # stands for each word of a masked figure of speech

_SENTENCE = re.compile(r"(?:\.(?!\d)|(?<!\d)\.)+|[;!?\n]+|(?<=\s)-+(?=\s)")  # "39.4" stays one word
_SPLIT_COMMA = re.compile(r"\s*[,:()\[\]]+\s*")


_rx = words_regex
# A sentence asked as a question starts with one of these words (or has a question mark).
QUESTION_START = re.compile(r"\s*(can|could|does|do|did|is|are|what|whats|which|how|hows|why|when|should|will|would)\b")


# -- figures of speech: masked before matching --------------------------------------------------------
FIGURES = _rx(
    r"(a|such a|real|right|royal|massive|total|big) pain in the (neck|bum|butt|backside|arse|ass)",
    r"pain in the (neck|bum|butt|backside|arse|ass)",
    r"(hair|teeth|tooth|nail|nails|filling|eyelashes|eyebrows) (is |are |keeps |keep )?(falling|fall|fell|coming) out",
    r"(fell|fall|falling|fallen) (asleep|in love|behind|apart|through|for it|out with|off the wagon|pregnant)",
    r"(rather|sooner) (die|be dead)"
    r"(?!( than)? (live|living|go on|carry on|keep going|keep living|be like this|suffer|put up))( than)?",
    r"(dying|dieing) (to|for)",
    r"to die for",
    # a treatment that does not work: "the tablets do nothing, what's the point of them"
    r"(whats|what is) the point (of|in) (taking )?(them|these|those|the tablets|the pills|the painkillers|"
    r"painkillers|tablets|pills|the meds|meds|the cream|the physio|physio|the exercises|going back)",
    r"(die|died|dying) (of|from) (embarrassment|boredom|laughing|laughter|shame)",
    r"(bored|scared|worried|tickled|loved) to death",
    r"(my|the) (computer|laptop|phone|pc|app|server|website|system|screen|printer|car battery|battery) "
    r"(has |is |keeps |kept )?(crashed|crashing|crash|died|dead|froze|frozen)",
    r"crash (course|diet|diets|dieting)",
    r"crashed (on the sofa|on the couch|out|at a friends)",
    r"(nearly|almost|practically|basically) (gave|give) me a heart attack",
    r"(nearly|almost|practically) had (a|an) (heart attack|stroke|seizure|fit)",
    r"(having|have|had|has|throw|throwing|threw|throws) a (hissy |little |wee |blue |right |proper )?fit "
    r"(about|over|because|when|at|if|that)"
    r"(?! (an?|\d+|half|a few|ten|twenty|thirty|five|two|three) (hour|hours|minute|minutes|min|mins|seconds|secs))",
    r"(kill|killing|killed) (it|for a|for some)",
    r"(killing|kill) (me|us) (with|softly)",
    r"(my|the) (kids|boss|job|work|commute|traffic|exams|deadline|deadlines|mortgage|in laws|neighbours|neighbors) "
    r"(is|are) (killing|going to kill|gonna kill) me",
    r"(could|would|will|gonna|going to) kill (him|her|them|my \w+)",
    r"(laughing|laughed|laugh) (so hard|so much|till|until)( that)?( i)?( cried| couldnt breathe| cant breathe)?",
    r"(cant|couldnt) breathe (for|from) laughing",
    r"(take|took|takes) my breath away",
    r"breathless with (excitement|anticipation|laughter|laughing|joy)",
    r"breathtaking",
    # when a new job, home or course began, not how long a pain has lasted ("started a new job three weeks ago")
    r"(started|starting|began|joined|moved|moving|changed|switched|got) (to |into |at )?(a |my |the |this )?(new )?"
    r"(job|role|position|post|school|uni|university|college|course|house|home|flat|apartment|office|gym|desk|team|"
    r"contract|workplace)( \w+){0,3} (a|one|two|three|four|five|six|few|couple of|\d+) (weeks?|months?) (ago|back)",
    # a job that sees such events ("works as a paramedic and sees car crashes every day")
    r"(sees|see|seeing|deals with|dealing with|deal with|attends|attend|attending|goes to|go to|going to|responds to|"
    r"respond to|responding to|called out to|cleans up after|reports on|investigates|investigating|treats|treating) "
    r"(\w+ ){0,2}(car crashes|crashes|accidents|car accidents|road accidents|rtcs|pile ups|collisions|overdoses|"
    r"strokes|heart attacks|seizures|stabbings|shootings|falls) (every|all|each|most|daily|for a living|at work|"
    r"on shift|on his shift|on her shift)",
    r"(heart|heart is) (broken|breaking)",
    r"broke my heart",
    r"(a|my) (broken|aching) heart",
    r"(nearly|almost|practically) (wet|peed|pee|wee) (myself|my pants|ourselves|himself|herself)",
    r"(wet|peed|wee|weed) (myself|my pants|ourselves) (laughing|from laughing|with laughter)",
    r"(heart|my heart) (skipped|skips|skip) a beat",
    r"(could|would|will|gonna|going to) (kill|murder|strangle) (my|him|her|them)( \w+)?",
    r"(my |his |her )?(head|brain) (is )?(about to|going to|gonna|will|could|is going to) (explode|burst|pop)",
    r"(head|brain) (exploding|explode|bursting) with",
    r"(hay ?fever|cabin fever|spring fever|fever pitch)",
    r"(sad|lonely|left me|another woman|another man|break ?up|broke up|heartbroken|grief|grieving|divorce|"
    r"miss (him|her|them))\b.{0,60}\bheart (hurts|aches|is aching|is hurting|is broken)",
    r"\bheart (hurts|aches|is aching|is hurting)\b(?=.{0,40}\b(sad|lonely|left me|another woman|another man|"
    r"break ?up|broke up|heartbroken|grief|grieving|miss (him|her)|divorce)\b)",
    r"absence (seizure|seizures|episodes|spells)",
    r"(for|against|to treat|treat|treating|treats) (my |his |her )?"
    r"(vertigo|dizziness|migraine|migraines|nausea|sickness|seizures|epilepsy|fits|anxiety)",
    r"(fit|fits) (like a glove|perfectly|well|fine)",
    r"(a|the) (fit|fits) of (the )?(giggles|laughter|laughing|coughing|rage|temper|pique|jealousy|sneezing)",
    r"(collapsed|flopped|crashed|slumped) (on|onto|into|in) (the|my|a) (sofa|couch|bed|chair|settee|armchair)",
    r"(keep|kept|keeping) fit",
    # ending a relationship, a call or a job, not a life
    r"(end|ends|ending|ended|finish|finishing) (it|things) (with|between|off with) (him|her|them|us|my (boyfriend|"
    r"girlfriend|partner|husband|wife|fiance|fiancee|ex|bf|gf|other half))",
    r"(end|ends|ending|ended) (the|this|our|my) (call|chat|conversation|meeting|session|relationship|contract|"
    r"subscription|lease|marriage|friendship|game|season|day|week|shift)",
    # "nobody will miss me at work tomorrow": a day off, not a life
    r"(nobody|no one|noone) (will|would|is going to|gonna|is gonna) (miss|notice) me "
    r"(at (work|school|uni|college|the|my|practice|training|home)|"
    r"if i (leave|skip|go|call|take|dont come|miss|dont go|sneak))",
    r"(get|getting|stay|staying|be) fit",
    # hair loss said as a fall ("hair fall problem": the fall masked, the hair kept), and the shampoo
    r"(?<=hair )(fall|falls|falling|fell)",
    r"head (and|n|&) shoulders( shampoo| anti dandruff)?",
    r"(gym|fitness|fit) (class|classes|session)",
    # clenching or grinding the teeth (at night, under stress): not a locked jaw nor a twisted neck
    r"(clenching|clench|clenches|grinding|grind|grinds) (my |his |her |their |the )?(teeth|jaw)"
    r"( (at night|in (my|his|her|their) sleep|while (i|he|she|they) sleep|when (i|he|she|they) sleep))?",
)


# -- triggers ------------------------------------------------------------------------------------------
# Pseudo-triggers: look like a trigger but deny nothing.
PSEUDO = _rx(
    r"not only",
    r"no no|no-no",
    r"no longer (works|work|working|moves|move|grips|grip|holds|hold|feels|feel|does)",
    r"without (goggles|glasses|gloves|a helmet|helmet|protection|a mask|thinking|warning|asking|meaning to|"
    r"realising|realizing)",
    r"without (gasping|stopping for breath|stopping|getting breathless|puffing|panting|wheezing|coughing)",
    r"without (falling|falling over|holding on|support|help|assistance|grabbing|leaning|my stick|a stick|a frame)",
    r"(made|make|makes|making) (zero|no) difference",
    r"no (idea|clue) (why|what|how|if|whether)",
    r"not sure (why|what|how|if|whether)",
    r"no (doubt|question|wonder)",
    r"not (getting|got) (any )?better",
    r"no better",
    r"no (change|improvement|relief|let up)",
    r"no matter",
    r"no (feeling|sensation)(?= (in|when|down|around|between|on|at))",  # numbness: "no feeling when I wipe"
    r"(never|not) (stop|stops|stopped|ending|ends|goes away|go away|went away|lets up|let up|eases|eased)",
    r"(cant|cannot|can not|couldnt) (stop|sleep|work|cope|function|shake|get rid|seem to)",
    r"(wasnt|was not|werent|were not|not|never) there (before|last|a (week|month|year) ago)",
    r"nothing (helps|helped|works|worked|is helping|is working|touches|seems to)",
    r"(doesnt|dont|didnt|isnt|arent|wont|not) (help|helping|helped|work|working|worked|touch|touching|do anything|"
    r"doing anything|go away when|ease|easing|stop|stopping|go down(?! (my|his|her|the|your|into|to|both|one|either)))",
    r"(wont|doesnt|isnt|not|didnt|hasnt|havent|wasnt) (feed|feeding|fed|eat|eating|eaten|drink|drinking|drunk|"
    r"settle|settling|settled|wake(?! me)|waking(?! me)|woken|respond|responding|stay awake|wee|weed|pee|peed)",
    r"not (doing|do) anything",
    r"(wont|doesnt|cant|cannot|can not|couldnt|not able to|unable to) (bend|move|turn|look|lift|feel|swallow|"
    r"breathe|breath|speak|talk|walk|stand|see|wake(?! me)|open|pee|urinate|control|hold|keep|find|get|straighten|"
    r"grip|put|touch|raise|sit|focus|think)",
    r"(dont|doesnt) (know|remember) (why|what|how|where)",
    r"no (reason|cause)",
    r"(never|not) (had|felt|been) (this|that|anything like this|anything like that|like this|like that) (before|bad)",
    r"(never|not) had (this|that|it) before",
    r"(never|not) (felt|been) (this|that|so) (bad|ill|sick|unwell)",
    r"(nothing|not) like (this|that) before",
    r"not (normal|right|okay|ok|good|great|well)",
    r"no one|nobody|not even",
    # Nigerian Pidgin "no fit" (cannot) and "no gree" (refuses): an inability or a refusal, not a denial
    r"no (dey )?(fit|gree)",
    # Tagalog "hindi/di maka-" (cannot ...), "di mapigilan" (cannot stop it): an inability, not a denial
    r"(hindi|hinde|di)( ako| ko| siya| sya| na| pa| po)* "
    r"(maka\w+|mapigil\w*|mabuka\w*|maigalaw\w*|magalaw\w*|nawawala)",
)

NEGATION_FORWARD = _rx(
    r"no",
    # Tagalog-English ("wala naman fever po", "walang lagnat", "hindi naman masakit")
    r"(wala|walang|hindi|hinde)( naman| pa| na| po)*",
    r"not",
    r"never",
    r"without",
    r"nor",
    r"neither",
    r"none",
    r"nothing",
    r"(do|does|did|have|has|had|is|are|am|was|were) not",
    r"(dont|doesnt|didnt|havent|hasnt|hadnt|isnt|arent|aint|wasnt|werent|wont)( really| actually| even)?"
    r"( think i have| think ive got| think i got| think he has| think she has| think they have| think it is|"
    r" think its| think so| seem to have| have| has| got| get| feel| notice| see| seem| appear| think)?",
    r"(deny|denies|denied)",
    r"free of",
    r"negative for",
    r"no (sign|signs|evidence|history) of",
    r"(cant|cannot|can not|couldnt) say",
    r"(zero|0)",
    r"absence of",
    r"nope",
)
NEGATION_BACKWARD = _rx(
    r"(is|are|has|have|had|was|were|its|it s|all|now|completely) (gone|cleared|cleared up|went away|gone away|"
    r"disappeared|resolved|settled)( now)?(?= now| away| but| and| qq0|$)",
    r"(gone|cleared up|went away|gone away|disappeared|resolved|settled down)(?= now| away| but| and| qq0|$)",
    r"(were|was|been|got|is|are|has been)? ?ruled out",
    r"(free|negative)",
    r"(came back|come back|was|were) (negative|normal|clear|fine)",
    r"not (present|there) (any ?more|now)?",
    r"(is|are|was|were) (fine|normal|ok|okay)( now)?",
    r"(no longer|not any ?more)",
)
HYPOTHETICAL_FORWARD = _rx(
    # "is it bad if I can't feel ...", "should I worry if my baby ...": a report asked as a question, not a supposition
    r"(?<!bad )(?<!normal )(?<!serious )(?<!ok )(?<!okay )(?<!worrying )(?<!dangerous )(?<!problem )(?<!worry )"
    r"(?<!concerned )(?<!concerning )(?<!an emergency )(?<!urgent )if",
    r"what if",
    r"even if",
    r"in case",
    r"unless",
    r"suppose|supposing",
    r"(in|on) the (off )?chance",
    r"(what|which|how) (are|is|would be) (the )?(signs|symptoms|warning signs|red flags|signals|causes)( of)?",
    r"(signs|symptoms|warning signs|red flags) (of|for|that|to look out for|to watch for)",
    r"(how|when) (do|would|can|should|could) (i|you|we|one|people|someone) (know|tell|recognise|recognize|spot|"
    r"notice|check|be sure|worry|get help)",
    r"(when|how soon) should (i|you|we) (worry|see|call|go|seek|get)",
    r"(what|how) (happens|would happen)",
    r"(look|looking|watch|watching) (out )?for",
    r"(is|are) (it|there) (a|any) (risk|chance) (of|that)",
    r"(when|if|can|does|do|could|would|will) (a person|someone|somebody|people|anyone|one|a child|children|kids)",
    r"(worried|worry|worrying|scared|afraid|paranoid|frightened|concerned) (about|of) (getting|having|catching|"
    r"developing|it being|it turning into)",
    r"(school project|homework|essay|assignment|project|presentation|talk|lesson) (on|about|for)",
    r"(film|movie|show|programme|program|documentary|book|article|news|story|video|episode|podcast|post) (about|on|"
    r"of|where|with)",
    r"(read|heard|reading|hearing|learned|learnt|saw|seen|watched|watching) (about|of|that)",
    r"(i know|i knew|i read|ive read|i heard|ive heard|they say|people say|apparently|i understand)( that)?"
    r"(?= (\w+ ){1,4}(can|could|may|might) (be|cause|mean|give|lead|signal))",
    r"(prevent|avoid|stop) (getting|catching|having)",
    r"(vaccine|vaccination|jab|shot) (for|against)",
)
HISTORICAL = _rx(
    r"(last|past|previous) (year|years|month|months|summer|winter|spring|autumn|fall|christmas|easter)",
    r"(a|one|two|three|four|five|six|few|couple of|several|many|\d+) (months|month|years|year|decades|decade) (ago|"
    r"back|earlier|before)",
    r"(\d+|a|one|two|three|four|five|six|few|couple of|several|many) (years?|decades?) (ago|back)",
    r"(?<!than )(?<!than it )(?<!than i )(?<!than they )(?<!than he )(?<!than she )(?<!than we )used to"
    # "used to be once a month" (rarer then than now): a frequency compared with now, not a past episode
    r"(?! (be|come|happen|get them|get it|have them|have it|get one) (once|twice|only|rare|rarely|occasional|"
    r"occasionally|now and then|now and again|every now and then|every few (weeks|months)))",
    r"(when|while) i was (a |younger|little|small|young|a kid|a child|a teenager|a teen|in school|at school|pregnant|"
    r"at uni|at university|at college|in college|in high school|in sixth form|"
    r"\d+|a baby)",
    r"when (he|she|they) (was|were) (\d+|a baby|a toddler|a kid|a child|an infant|a newborn|a teenager|a teen|little|"
    r"small|younger|young)",
    r"as a (kid|child|teenager|teen|baby|toddler)",
    r"in (my|his|her) (childhood|youth|teens|twenties|thirties|20s|30s)",
    r"in the past",
    r"back in (the day|\d{4}|school|college|uni|january|february|march|april|may|june|july|august|september|"
    r"october|november|december|the spring|the summer|the autumn|the winter|spring|summer|autumn|winter)",
    r"(years|ages|decades) (ago|back)",
    r"(a )?(long|very long|really long|good while|long while) (time )?(ago|back)",
    r"(at|aged|age|at the age of) (1[3-9]|[2-9]\d)(?= qq0| and| but|$)",
    r"(history of|past history|once had|had once|years of)",
    r"in (19|20)\d\d",
    # someone else's event that help has already seen to ("a lady fainted, paramedics sorted her out")
    r"(the )?(paramedics|ambulance|ambulance crew|first aiders?|doctors|nurses) (sorted|fixed|patched|checked) "
    r"(her|him|them) (out|up|over)",
    r"in the (19|20)?\d0s",
    r"(i|he|she|we) (once|one time) (had|got|went)",
    r"once (before|years ago|as a|when i)",
    r"(had|went|got|did) [a-z ]{1,30}(?<! at) once(?! (a|every|more|again|or|in a while))",
)
# "over the last month", "for the past year": a time up to now, not a past episode.
_ONGOING = re.compile(r"(?<![a-z])(over|for|in|during|within|through|throughout|since|all) (the )?$")
WEEK_PAST = _rx(
    r"last week",
    r"(a|one|two|three|few|couple of) weeks? ago",
    r"the other week",
    r"over the weekend",
)
# "I had a fever last week": a past tense before the week's time word says the episode is past.
WEEK_PAST_TENSE = _rx(
    r"(i|he|she|we|they|you|baby|son|daughter) (had|got|caught|was|were)( a| an| the| some| this| that)?"
)
_INJURY = re.compile(
    r"(?<![a-z])(crash|accident|fall|fell|whiplash|injury|injured|hit|knock|bump|tackle|collision|smash)"
)
OVER_NOW = _rx(
    r"not now",
    r"not any ?more",
    r"no longer",
    r"(its|it is|all|is|was|has|have|are)? ?(gone|better|fine|cleared up|went away|gone away|recovered|"
    r"over(?! the| a | an | my | his | her | last| past| \d))( now)?",
    r"fine now",
    r"(got|get|am|was|is) (better|over it)",
    r"(been )?(fine|ok|okay|good|great) (ever )?since",
    r"(all )?healed( up)?",
    r"(completely|totally|perfectly|fully) (fine|better|recovered|healed)( now)?",
    # "they sorted it in hospital", "went in a few days", "no issues since": an episode that ended
    r"(they|doctors|the doctors|hospital|the hospital|a&e|er) (sorted|fixed|treated|settled) (it|it out|me|him|her)",
    r"(it )?went (away )?(in|after|within) (a|two|three|four|a few|a couple of) (days|weeks)",
    r"no (issues|problems|trouble|bother) (with it )?since",
)
_GOES_ON = (r"still", r"(?<!never )(?<!not )(?<!nothing )(?<!none )again", r"came back", r"coming back", r"back again")
STILL_NOW = _rx(*_GOES_ON, r"ever since", r"since then", r"now (i|my|it)")
# What says a recovered past goes on now; "now I'd like some tips" starts a new subject, so "now I" is not in it.
STILL_AGAIN = _rx(
    *_GOES_ON,
    r"now (i|im|i m|i am) (feel|feeling|want|wanting|think|thinking|have|having) (\w+ )?(like that|that way|the same|"
    r"it again|those|them|it)",
)
# "... and I've been well for years since": a past episode said to be over, for statements that count even in
# the past (crisis statements: "I took an overdose 20 years ago and I've been well since" is a history).
RECOVERED = _rx(
    r"(been|doing|keeping|felt|feeling|am|im|i am|was|were|is|are) (well|fine|good|great|grand|ok|okay|much better|"
    r"a lot better|better)( ever)?( since| now| for (over |more than |about |nearly |almost )?"
    r"(a long time|a long while|years|ages|a while|many years|a decade|decades|"
    r"(\d+|two|three|four|five|ten|twenty) years))",
    r"(well|fine|better|recovered) (now|ever since|since then)",
    r"(fully|completely) recovered",
    # "been clean 6 years", "sober for a decade now": a past use said to be over
    r"(been|am|im|i m|i am|stayed|staying|kept|keeping|now|and) (clean|sober|dry|drug free|off drugs|off the drugs)"
    r"( ever since| since then| now)?( for| for over| for about| nearly| almost| over)? "
    r"((\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|a few|a couple of|several|many) "
    r"(years?|decades?|months)|years|ages|a long time|a long while|a decade)",
    r"in a (really |very |much |so )?(good|better|great|happy|healthy|much better|good enough) place",
    r"(and|now|am|im|i m|i am|ive been|i ve been|been) (doing|keeping) (really |very |so |pretty )?"
    r"(well|fine|great|good)",
    r"(came|come|coming|got|get|made it) (out )?(the )?other side",
    r"(came|come|got|pulled|pulling) through (it|that|them)( all)?",
    r"(its|it is|thats|that is|that|all|put it|put that|left it|now) (well |long |firmly )?behind me",
    r"(havent|have not|hasnt|has not|not)( done it| done that| done anything| self harmed| harmed myself| hurt myself|"
    r" cut| cut myself| used| relapsed)? (in|for) (a (very |really )?(long time|long while)|years|ages|many years|"
    r"(\d+|two|three|four|five|ten|twenty) years)",
)
# "a lump that wasn't there last month": something new since then, not a past episode.
# "first ever seizure at 40": the age says when it is happening for the first time, not that it is past
_FIRST_EVER = re.compile(r"(first ever|first time ever|for the first time|my first)( \w+){0,3} $")
NEW_SINCE = _rx(
    r"(wasnt|was not|werent|were not|never|not) (there|here|around)( \w+){0,2} "
    r"(last|a|two|three|few|\d+) (week|weeks|month|months|year|years)",
    r"(appeared|came up|started|popped up|new) since",
)
# Words that end a trigger's scope (a new assertion starts).
TERMINATORS = _rx(
    r"but",
    r"however",
    r"although",
    r"though",
    r"tho",
    r"yet",
    r"except",
    r"apart from",
    r"aside from",
    r"other than",
    r"besides",
    r"just",
    r"only",
    r"still",
    r"now",
    r"which",
    r"while",
    r"whereas",
    r"because",
    r"cause|cos|coz",
    r"so",
    r"then",
    r"and (then|now|also|yet|still|has|have|had|is|are|was|were|got|gets|feel|feels|keep|keeps|looks|seems|cant|wont)",
    r"(and |but )?(i|ive|im|id|i am|i have|i had|ive got|i got|i feel|i think|my|he|she|they|his|her|hes|shes|it|"
    r"its|this|there is|theres)",
    r"plus",
    r"also",
    r"actually",
    r"anyway",
    r"even (though|so)",
    r"instead",
    r"rather",
    r"wait",
    r"oh",
    r"btw|by the way",
    r"lol",
)
# A question about something in general (no person of the conversation in it) is hypothetical:
# "can a car crash cause neck pain?", "does meningitis give you a rash?".
GENERIC_QUESTION = _rx(
    r"(can|could|does|do|will|would|might|may|is|are|should) (a|an|the|being|having|getting|too much|too little|"
    r"lack of|"
    r"stress|anxiety|meningitis|stroke|strokes|heart attacks?|cancer|tumou?rs?|infections?|fever|fevers|dehydration|"
    r"whiplash|falls?|crash|crashes|car crashes|accidents?|sleeping|sitting|posture|poor posture|exercise|\w+ing)\b",
    r"(what|which|how|why|when) (actually |exactly |really )?(are|is|causes?|does|do|can|could|would|might|should)",
    r"what (counts|count|is classed|is classified|is considered|qualifies|would count) as",
    r"(what|which) (\w+ ){1,3}(cause|causes|can cause|could cause|give|gives|trigger|triggers|lead to|have|has)",
    r"(whats|hows|whys)",
    r"(is|are) (it|there) (possible|true)",
    r"are there",
    r"(can|could) you (get|have|feel)",
    r"(tell me|explain|info|information) (about|on)",
)
PERSONAL = _rx(
    r"i", r"im", r"ive", r"id", r"ill", r"me", r"my", r"mine", r"myself",
    r"he", r"she", r"hes", r"shes", r"his", r"her", r"him", r"they", r"their", r"them",
    r"we", r"our", r"us", r"its been", r"it started", r"it hurts", r"it is", r"this is",
    # a measured temperature is somebody's ("is it normal to have a stiff neck with a fever of 38.6?")
    r"(fever|temp|temperature)( of| is| was| at| around| about)? (3[7-9]|4[0-2]|99|10[0-5])",
)  # fmt: skip
MEDIA = _rx(
    r"(saw|seen|see|watched|watching|read|reading|heard|hearing) (\w+ ){0,3}(on tv|on the tv|on the telly|on telly|"
    r"on the news|on youtube|on tiktok|on instagram|on facebook|on reddit|in a film|in a movie|in a show|on a show|"
    r"in a series|an article|a documentary|a doc|a docuseries|a video|a vid|a clip|a reel|a programme|a program|"
    r"a podcast|a book|a novel|a tiktok|a tik tok|a youtube video|a youtube short|a short|a post|a thread)",
    r"in (the|a|this) (book|novel|story|film|movie|show|series|game|comic)( (i m|im|i am|we re|were) "
    r"(reading|watching|playing))?",
    r"(my favourite|my favorite|a famous|a|the|this) (youtuber|celebrity|footballer|influencer|streamer|actor|actress|"
    r"singer|rapper|character|athlete|tiktoker|presenter|boxer|wrestler)",
    r"(on|in) (a|the) (tv show|tv series|film|movie|documentary|soap|drama) (\w+ ){0,3}(saw|watched|had|got)",
)
# fmt: off
_OWN = _rx(
    r"my", r"me", r"mine", r"myself", r"im", r"i m", r"i am", r"ive", r"i have", r"i got", r"i feel", r"i felt",
    r"i had",
)
# fmt: on
OTHER_PERSON = _rx(
    r"my (son|daughter|baby|babies|kid|kids|child|children|toddler|boy|girl|husband|wife|partner|boyfriend|girlfriend|"
    r"mum|mom|mother|dad|father|nan|gran|grandma|grandmother|grandpa|grandad|grandfather|brother|sister|friend|"
    r"flatmate|roommate|colleague|neighbour|neighbor|patient|teen|teenager|fiance|fiancee|uncle|aunt|aunty|niece|"
    r"nephew)",
    r"(he|she|hes|shes|his|her|him|they|theyre|their)",
    r"(our|the) (baby|child|toddler|kid|son|daughter)",
)


@dataclass(frozen=True)
class Sentence:
    """One sentence, normalised, with commas as ``COMMA`` tokens and figures of speech masked."""

    text: str
    raw: str
    question: bool
    # (start, end, kind): kind negated | hypothetical | historical | recovered ("been well for years")
    scopes: Tuple[Tuple[int, int, str], ...]
    other_person: bool

    def modifier(self, start: int) -> Optional[str]:
        """The context of a mention starting at ``start`` (None: asserted)."""
        for lo, hi, kind in self.scopes:
            if lo <= start < hi:
                return kind
        return None

    def asserted(self, start: int) -> bool:
        return self.modifier(start) is None

    def asserted_text(self) -> str:
        """The sentence with every word in a scope and every placeholder removed (for matchers that
        only see text, like the cause suggester)."""
        words = []
        for m in re.finditer(r"\S+", self.text):
            if m.group() in (COMMA, MASK) or not self.asserted(m.start()):
                continue
            words.append(m.group())
        return " ".join(words)


def _normalise_sentence(raw: str) -> str:
    parts = [normalise(p) for p in _SPLIT_COMMA.split(raw)]
    return fold_phrases(f" {COMMA} ".join(p for p in parts if p))


def _mask(text: str) -> str:
    return FIGURES.sub(lambda m: " ".join(MASK for _ in m.group().split()), text)


def _spans(pattern: re.Pattern[str], text: str) -> List[Tuple[int, int]]:
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def _inside(pos: int, spans: List[Tuple[int, int]]) -> bool:
    return any(lo <= pos < hi for lo, hi in spans)


def _forward_end(text: str, start: int, terminators: List[Tuple[int, int]], max_words: int) -> int:
    """Where a forward scope that starts at ``start`` ends: the first terminator or a comma that opens a
    new clause (more than three words, or any of its own verbs), or ``max_words`` words on."""
    end = len(text)
    for lo, _hi in terminators:
        if lo >= start:
            end = min(end, lo)
            break
    words = list(re.finditer(r"\S+", text[start:end]))
    if len(words) > max_words:
        end = start + words[max_words].start()
    # a comma continues a list ("no fever, rash or headache") but not a new clause
    pos = start
    while True:
        comma = text.find(COMMA, pos, end)
        if comma < 0:
            break
        following = text[comma + len(COMMA) : end].split(COMMA)[0].split()
        if len(following) > 3 or (following and following[0] in ("and", "is", "are", "feels", "hurts")):
            end = comma
            break
        pos = comma + len(COMMA)
    return end


def _backward_start(text: str, end: int, terminators: List[Tuple[int, int]]) -> int:
    start = 0
    for _lo, hi in terminators:
        if hi <= end:
            start = max(start, hi)
    comma = text.rfind(COMMA, start, end)
    return comma + len(COMMA) if comma >= 0 else start


def analyse_sentence(raw: str) -> Sentence:
    text = _mask(_normalise_sentence(raw))
    question = "?" in raw or bool(QUESTION_START.match(text))
    pseudo = _spans(PSEUDO, text)
    terminators = [s for s in _spans(TERMINATORS, text) if not _inside(s[0], pseudo)]
    scopes: List[Tuple[int, int, str]] = []
    for m in NEGATION_FORWARD.finditer(text):
        if _inside(m.start(), pseudo):
            continue
        later = [t for t in terminators if t[0] >= m.end()]
        # The scope starts after the negating word itself, so a mention that begins inside the rest of
        # the trigger is denied too ("I don't have a temperature": "have a temperature"), and one that
        # carries its own "not" stays whole ("he is not feeding").
        start = m.start() + _negator_end(m.group())
        scopes.append((start, _forward_end(text, m.end(), later, 8), "negated"))
    for m in NEGATION_BACKWARD.finditer(text):
        if _inside(m.start(), pseudo):
            continue
        scopes.append((_backward_start(text, m.start(), terminators), m.start(), "negated"))
    for m in HYPOTHETICAL_FORWARD.finditer(text):
        later = [
            t
            for t in terminators
            if t[0] >= m.end()
            and not text[t[0] : t[1]].startswith(("i", "my", "he", "she", "it", "this", "there", "they", "their"))
        ]
        scopes.append((m.end(), _forward_end(text, m.end(), later, 30), "hypothetical"))
    if question and GENERIC_QUESTION.match(text.strip()) and not PERSONAL.search(text):
        scopes.append((0, len(text), "hypothetical"))
    if MEDIA.search(text) and not _OWN.search(MEDIA.sub(" ", text)):
        # "saw on tv a guy had a seizure after a head injury": a story from the media, not a report
        scopes.append((0, len(text), "hypothetical"))
    past = next(
        (
            m
            for m in HISTORICAL.finditer(text)
            if not _ONGOING.search(text[max(0, m.start() - 14) : m.start()])
            and not _FIRST_EVER.search(text[max(0, m.start() - 40) : m.start()])
        ),
        None,
    )
    week = WEEK_PAST.search(text)
    # "my teeth were fine last week" says how things were then, not that they are over now
    over_now = next(
        (
            o
            for o in OVER_NOW.finditer(text)
            if not (week and o.end() <= week.start() and not text[o.end() : week.start()].strip())
        ),
        None,
    )
    if week and not over_now:
        # "I had a fever last week" is a history; "my neck's been stiff since last week" is not
        tense = [m for m in WEEK_PAST_TENSE.finditer(text, max(0, week.start() - 60), week.start())]
        ongoing = re.search(r"(since|from|for|over|all) (the )?$", text[: week.start()])
        injury = tense and _INJURY.search(text, tense[-1].end(), week.start())  # its harm may show days later
        if ongoing or injury or not tense or any(tense[-1].end() <= t[0] < week.start() for t in terminators):
            week = None
    if (past or week) and not NEW_SINCE.search(text):
        # the whole clause around the time expression, up to a terminator, unless it goes on now
        anchor = (past or week).start()  # type: ignore[union-attr]
        before = [t[1] for t in terminators if t[1] <= anchor and not _time_word(text, t)]
        lo = max(before, default=0)
        later = [t for t in terminators if t[0] > anchor and not _time_word(text, t) and not _continues_past(text, t)]
        hi = _forward_end(text, anchor, later, 30)
        over = OVER_NOW.search(text, anchor)
        if over:  # "back in 2019 I had whiplash, had physio for months and it's been fine since"
            hi = max(hi, over.end())
        if not STILL_NOW.search(text[lo:hi]):
            scopes.append((lo, hi, "historical"))
    # Nothing said inside "been well for years" reports a symptom; after the other scopes, so that a denied
    # recovery ("I haven't been well since") stays negated for recovered().
    scopes += [(lo, hi, "recovered") for lo, hi in _spans(RECOVERED, text)]
    return Sentence(text, raw, question, tuple(scopes), bool(OTHER_PERSON.search(text)))


_NEGATOR_WORD = re.compile(
    r"(?<![a-z0-9])(no|not|never|without|nor|neither|none|nothing|\w+nt|deny|denies|denied|"
    r"free|negative|zero|0|nope|absence|cant|cannot|wala|walang|hindi|hinde)(?![a-z0-9])"
)


def _negator_end(trigger: str) -> int:
    """Where the negating word of a trigger ends ("is not" -> after "not", "dont have" -> after "dont")."""
    m = _NEGATOR_WORD.search(trigger)
    return m.end() if m else len(trigger.split()[0])


_PAST_CLAUSE = re.compile(
    r"and (my|his|her|their|the|it|its|i|he|she|they) (\w+ ){0,2}(\w+ed|went|got|was|were|had|came|swole|blew|broke|"
    r"took|gave|fell|felt|lost|spent|kept|left|made)(?![a-z])"
)


def _continues_past(text: str, span: Tuple[int, int]) -> bool:
    """ "... and was in hospital", "... and had physio": the same past story goes on."""
    if text[span[0] : span[1]] in ("and was", "and were", "and had", "and got"):
        return True
    # "years ago I got stung and my throat swelled up": a clause in the past tense goes on with the story
    return _PAST_CLAUSE.match(text, span[0]) is not None


def _time_word(text: str, span: Tuple[int, int]) -> bool:
    return text[span[0] : span[1]] in ("i", "my", "it", "its", "he", "she", "his", "her", "i had", "ive", "i have")


@functools.lru_cache(maxsize=2048)
def analyse(text: str) -> Tuple[Sentence, ...]:
    """The sentences of ``text`` with their context scopes (cached: both servers ask per message)."""
    out = []
    for raw in _SENTENCE.split(text or ""):
        sentence = analyse_sentence(raw)
        if sentence.text.replace(COMMA, "").strip():
            out.append(sentence)
    return tuple(out)


def asserted_text(text: str) -> str:
    """``text`` with negated, hypothetical and past mentions and figures of speech left out."""
    return " . ".join(s.asserted_text() for s in analyse(text))


def recovered(sentences: Tuple[Sentence, ...]) -> bool:
    """Whether a message says that something in its past is over and the person well since ("I've been
    well for a long time now"), and nothing goes on now ("still", "again"); "I haven't been well since"
    does not count."""
    said = any(s.modifier(m.start()) != "negated" for s in sentences for m in RECOVERED.finditer(s.text))
    return said and not any(STILL_AGAIN.search(s.text) for s in sentences)


# A message that opens by placing what was said before in the past ("that was 3 years ago", "this was all back
# in March"): the findings of the earlier turns are a history, not today's.
_LOOKS_BACK = re.compile(
    r"^(that|this|it|all that|all of that|that all|this all|both|those)( was| were| happened| all happened| is from)"
    r"( all)?( \w+){0,4} ((years|year|months|decades|ages|a long time) ago|back in \w+|back then|last year|"
    r"years back|a while back|long ago|in (19|20)\d\d|"
    r"when i was \w+|as a (kid|child|teen|teenager|baby))(?![a-z])"
)


def looks_back(text: str) -> bool:
    """Whether ``text`` opens by saying that what the person said before was in the past ("that was 3 years
    ago, today it's only a stiff neck"): the conversation's earlier findings no longer stand."""
    sentences = analyse(text)
    return bool(sentences) and bool(_LOOKS_BACK.search(sentences[0].text.replace(f"{COMMA} ", "")))


_INSIDE = _rx(
    r"no", r"not", r"never", r"without", r"isnt", r"arent", r"wasnt", r"werent", r"dont", r"doesnt", r"didnt", r"nor"
)


def negated_inside(gap: str) -> bool:
    """Whether the words between the parts of a mention deny it ("my neck is not stiff"), pseudo
    negations aside ("my neck wont stop hurting"). The parts' own words do not count: "doesnt help"
    in "painkillers ~ doesnt help" is the finding, not its denial."""
    pseudo = _spans(PSEUDO, gap)
    return any(not _inside(m.start(), pseudo) for m in _INSIDE.finditer(gap))
